"""django-otp's device admins with their section headings in the reader's language: the package writes its
fieldset names as plain strings ("Identity", "Throttling"), so they are wrapped in gettext here and marked for
our catalogue in core/vendor_messages.py. The field labels and help texts are wrapped in accounts/vendor_apps.py."""

from django.contrib import admin
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice


def translated_fieldsets(fieldsets):
    return [(gettext_lazy(name) if isinstance(name, str) else name, options) for name, options in fieldsets]


class TranslatedTOTPDeviceAdmin(TOTPDeviceAdmin):
    def get_fieldsets(self, request, obj=None):
        return translated_fieldsets(super().get_fieldsets(request, obj))


class TranslatedStaticDeviceAdmin(StaticDeviceAdmin):
    def get_fieldsets(self, request, obj=None):
        return translated_fieldsets(super().get_fieldsets(request, obj))


for model, model_admin in ((TOTPDevice, TranslatedTOTPDeviceAdmin), (StaticDevice, TranslatedStaticDeviceAdmin)):
    if admin.site.is_registered(model):  # the package registers its own when its admin module is imported first
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
