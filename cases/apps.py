from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Case file")

    def ready(self):
        from .audit import register_models

        register_models()  # the audit trail (cases/audit.py)
