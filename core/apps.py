from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.conf import settings

        from . import checks  # registers the deployment checks with Django's system checks

        if getattr(settings, "HOMEWARD_PRODUCTION", False):
            checks.refuse_to_start_on_errors()
