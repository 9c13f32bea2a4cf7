"""The admin site requires a verified second factor, whatever the user's role.

Installed in place of `django.contrib.admin` (INSTALLED_APPS lists `HomewardAdminConfig`), so `admin.site` is a
`HomewardAdminSite` and every `@admin.register` lands on it. TwoFactorMiddleware already sends unverified users to
the code page; this check holds even if a URL were ever left out of the middleware.

The autocomplete view answers 403 for a `field_name` that is not a forward relation (Django 5.2 raises
AttributeError, a 500, for a reverse one such as `organization.memberships`).
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import ForeignObjectRel
from django.utils.translation import gettext_lazy


class ForwardRelationAutocompleteView(AutocompleteJsonView):
    def process_request(self, request):
        from django.apps import apps

        try:
            model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
            field = model._meta.get_field(request.GET["field_name"])
        except (KeyError, LookupError, ValueError, FieldDoesNotExist) as error:
            raise PermissionDenied from error
        if isinstance(field, ForeignObjectRel) or getattr(field, "remote_field", None) is None:
            raise PermissionDenied
        return super().process_request(request)


class HomewardAdminSite(admin.AdminSite):
    site_header = gettext_lazy("Homeward administration")
    site_title = gettext_lazy("Homeward")
    index_title = gettext_lazy("Administration")

    def has_permission(self, request) -> bool:
        from .two_factor import is_verified  # not at import time: this module loads before the models

        return super().has_permission(request) and is_verified(request.user)

    def autocomplete_view(self, request):
        return ForwardRelationAutocompleteView.as_view(admin_site=self)(request)


class HomewardAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.HomewardAdminSite"
