from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from core.logging import watch_personal_fields

        from . import sessions  # noqa: F401  (signal receivers: session start, ending sessions on removal)

        watch_personal_fields()
