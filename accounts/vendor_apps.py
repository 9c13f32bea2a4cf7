"""django-otp's device apps under names a caseworker reads in their language: the package gives its apps no name
("Otp_Totp" in the admin) and its models untranslated ones ("TOTP device"). INSTALLED_APPS lists these configs."""

from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticDefaultConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPDefaultConfig


def _name_model(app_config, model_name: str, singular, plural) -> None:
    """Options only: the model's declared Meta (what migrations record) is untouched, so no migration follows."""
    meta = app_config.get_model(model_name)._meta
    meta.verbose_name, meta.verbose_name_plural = singular, plural


class BackupCodesConfig(StaticDefaultConfig):
    verbose_name = _("Two-factor backup codes")

    def ready(self):
        super().ready()
        _name_model(self, "StaticDevice", _("backup code list"), _("backup code lists"))


class AuthenticatorAppsConfig(TOTPDefaultConfig):
    verbose_name = _("Two-factor authenticator apps")

    def ready(self):
        super().ready()
        _name_model(self, "TOTPDevice", _("authenticator app"), _("authenticator apps"))
