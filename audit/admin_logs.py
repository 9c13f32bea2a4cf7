"""Read-only admin for the data-access log: org admins see their organisations' rows; nobody edits or deletes."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import OrgAdminAccessMixin, ScopedRelatedListFilter

from .models import DataAccessLog


@admin.register(DataAccessLog)
class DataAccessLogAdmin(OrgAdminAccessMixin, admin.ModelAdmin):
    org_admin_can_add = False
    org_admin_can_change = False
    org_admin_can_delete = False
    list_display = ("created_at", "kind", "dataset", "user", "organization", "object_count", "ip_address")
    list_filter = ("kind", "created_at", ("user", ScopedRelatedListFilter), ("organization", ScopedRelatedListFilter))
    list_select_related = ("user", "organization")
    date_hierarchy = "created_at"
    readonly_fields = ("kind", "user", "organization", "object_count", "detail", "ip_address", "created_at")
    fields = readonly_fields
    actions = None

    @admin.display(description=_("dataset"))
    def dataset(self, obj: DataAccessLog) -> str:
        return obj.detail.get("dataset", "") if isinstance(obj.detail, dict) else ""

    # Append-only, for platform admins too: the log is evidence, not data to tidy.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
