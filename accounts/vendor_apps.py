"""django-otp's device apps under names a caseworker reads in their language: the package gives its apps no name
("Otp_Totp" in the admin) and its models untranslated ones ("TOTP device"). INSTALLED_APPS lists these configs."""

from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticDefaultConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPDefaultConfig


def _name_model(app_config, model_name: str, singular, plural) -> None:
    """Options only: the model's declared Meta (what migrations record) is untouched, so no migration follows.

    The package's field labels and help texts are plain English strings: each is wrapped in gettext, so our
    catalogue translates it (core/vendor_messages.py marks them). Migrations do not see the change: a field's
    deconstruction reads the label it was declared with, and the lazy help text equals the same English.
    """
    meta = app_config.get_model(model_name)._meta
    meta.verbose_name, meta.verbose_name_plural = singular, plural
    translate_plain_field_texts(meta)


def translate_plain_field_texts(meta) -> None:
    """Wrap a third-party model's plain-string field labels and help texts in gettext (see `_name_model`)."""
    for field in meta.concrete_fields:
        if isinstance(field.verbose_name, str) and field.name != "id":
            field.verbose_name = _(field.verbose_name)
        if isinstance(field.help_text, str) and field.help_text:
            field.help_text = _(field.help_text)


class BackupCodesConfig(StaticDefaultConfig):
    verbose_name = _("Two-factor backup codes")

    def ready(self):
        super().ready()
        _name_model(self, "StaticDevice", _("backup code list"), _("backup code lists"))
        translate_plain_field_texts(self.get_model("StaticToken")._meta)  # the codes, listed inside a list's page


class AuthenticatorAppsConfig(TOTPDefaultConfig):
    verbose_name = _("Two-factor authenticator apps")

    def ready(self):
        super().ready()
        _name_model(self, "TOTPDevice", _("authenticator app"), _("authenticator apps"))
