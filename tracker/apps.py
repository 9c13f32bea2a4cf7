from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Follow-up")

    def ready(self):
        from . import account_emails  # noqa: F401  (receivers: password links and two-factor notices go via the outbox)
