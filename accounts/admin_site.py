"""The admin site requires a verified second factor, whatever the user's role.

Installed in place of `django.contrib.admin` (INSTALLED_APPS lists `HomewardAdminConfig`), so `admin.site` is a
`HomewardAdminSite` and every `@admin.register` lands on it. TwoFactorMiddleware already sends unverified users to
the code page; this check holds even if a URL were ever left out of the middleware.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class HomewardAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        from .two_factor import is_verified  # not at import time: this module loads before the models

        return super().has_permission(request) and is_verified(request.user)


class HomewardAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.HomewardAdminSite"
