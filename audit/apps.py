from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit")

    def ready(self):
        from accounts.models import Membership, Organization, TwoFactorResetRequest

        from . import trail

        trail.connect_guards()
        trail.register(Membership)
        trail.register(Organization)
        trail.register(TwoFactorResetRequest)  # who asked for and who approved resetting someone's second factor
