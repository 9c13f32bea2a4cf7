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


def prime_permission_cache(user) -> None:
    """Load a staff user's Django permissions (their own and their groups') in one query instead of ModelBackend's
    two, for the app list's `has_module_perms` calls; ModelBackend reads the cache it would have filled itself."""
    if user.is_superuser or not user.is_active or hasattr(user, "_perm_cache"):
        return
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    rows = (
        Permission.objects.filter(Q(user=user) | Q(group__user=user))
        .values_list("content_type__app_label", "codename")
        .distinct()
    )
    user._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}


class HomewardAdminSite(admin.AdminSite):
    site_header = gettext_lazy("Homeward administration")
    site_title = gettext_lazy("Homeward")
    index_title = gettext_lazy("Administration")

    def has_permission(self, request) -> bool:
        from .two_factor import is_verified  # not at import time: this module loads before the models

        return super().has_permission(request) and is_verified(request.user)

    def each_context(self, request):
        prime_permission_cache(request.user)
        return super().each_context(request)

    def autocomplete_view(self, request):
        return ForwardRelationAutocompleteView.as_view(admin_site=self)(request)


class HomewardAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.HomewardAdminSite"
