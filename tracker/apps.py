from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Follow-up")

    def ready(self):
        from django_celery_beat.models import PeriodicTask

        from accounts.vendor_apps import translate_plain_field_texts

        from . import account_emails  # noqa: F401  (receivers: password links and two-factor notices go via the outbox)
        from .navigation import connect_signals

        connect_signals()  # writes that change the navigation counts refresh their cached copies

        translate_plain_field_texts(PeriodicTask._meta)  # its "Task Name" label, in the admin where sweeps are paused
