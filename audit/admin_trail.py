"""Read-only admin for the audit trail: org admins see their organisations' entries; nobody adds, edits or deletes.

Replaces the ModelAdmin django-auditlog registers for its log-entry model (it would offer deletion).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import OrgAdminAccessMixin, ScopedRelatedListFilter

from .models import AuditEntry

if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)


@admin.register(AuditEntry)
class AuditEntryAdmin(OrgAdminAccessMixin, admin.ModelAdmin):
    org_admin_can_add = False
    org_admin_can_change = False
    org_admin_can_delete = False
    list_display = ("timestamp", "action", "record_type", "object_repr", "actor", "remote_addr", "organization")
    list_filter = (
        "action",
        ("timestamp", admin.DateFieldListFilter),
        "content_type",
        ("actor", ScopedRelatedListFilter),
        ("organization", ScopedRelatedListFilter),
    )
    list_select_related = ("actor", "content_type", "organization")
    date_hierarchy = "timestamp"
    ordering = ("-pk",)
    show_full_result_count = False
    fields = (
        "timestamp",
        "action",
        "content_type",
        "object_pk",
        "object_repr",
        "changes",
        "additional_data",
        "actor",
        "actor_email",
        "remote_addr",
        "organization",
    )
    readonly_fields = fields
    actions = None

    @admin.display(description=_("record type"), ordering="content_type")
    def record_type(self, obj: AuditEntry) -> str:
        model = obj.content_type.model_class()
        return str(model._meta.verbose_name) if model else obj.content_type.model

    # Append-only, for platform admins too: the trail is evidence, not data to tidy.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
