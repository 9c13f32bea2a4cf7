"""Admin for published lists: read-mostly. Lists come in through the upload page or import_list, decisions
through the review page; here an organisation admin looks them up and sets "missing in transit after N days".

Encrypted columns (names, rows as written, reasons) are never listed, searched or shown here.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import OrgAdminAccessMixin, ScopedChoicesMixin, admin_organization_ids

from . import services
from .models import CaseImport, ImportedCase, ListEntry, ListSettings, Match, MatchChunk, ReleasedList


class ReadOnlyAdmin(OrgAdminAccessMixin, admin.ModelAdmin):
    """Every field read-only; no adding, changing or deleting here (superusers too: the services keep them)."""

    org_admin_can_add = False
    org_admin_can_change = False

    def get_readonly_fields(self, request, obj=None):
        return list(self.fields)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def scope_queryset(self, request, queryset):
        # Own rows only, also for lists shared with every organisation: an admin page offers the owner's view.
        return queryset.filter(organization_id__in=admin_organization_ids(request.user))


@admin.register(ReleasedList)
class ReleasedListAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "source", "published", "organization", "rows_total", "rows_with_errors"]
    list_filter = ["kind", "shared_with_all", "organization"]
    list_select_related = ["organization"]
    search_fields = ["file_name", "sha256"]
    date_hierarchy = "uploaded_at"
    fields = [
        "organization", "kind", "source", "published", "file_name", "sha256", "uploaded_by", "uploaded_at",
        "shared_with_all", "rows_total", "rows_with_errors",
    ]  # fmt: skip
    actions = ["share_with_all"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("share_with_all", None)
        return actions

    @admin.action(description=_("Share the selected lists with every organisation"))
    def share_with_all(self, request, queryset):
        shared = 0
        for released_list in queryset:
            try:
                services.list_share(released_list=released_list, shared_by=request.user)
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
                return
            shared += 1
        text = ngettext("%(n)d list is shared with every organisation.", "%(n)d lists are shared.", shared)
        self.message_user(request, text % {"n": shared}, messages.SUCCESS)


@admin.register(ListEntry)
class ListEntryAdmin(ReadOnlyAdmin):
    list_display = ["released_list", "line", "nationality", "birth_year", "age", "sex", "has_errors"]
    list_filter = ["has_errors", "sex"]
    list_select_related = ["released_list"]
    fields = ["released_list", "line", "nationality", "birth_year", "age", "sex", "has_errors"]

    def scope_queryset(self, request, queryset):
        return queryset.filter(released_list__organization_id__in=admin_organization_ids(request.user))

    def row_organization_ids(self, obj):
        return {obj.released_list.organization_id}


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin):
    list_display = ["entry", "victim", "score", "rank", "status", "decided_by", "decided_at"]
    list_filter = ["status", "organization"]
    list_select_related = ["entry", "victim", "decided_by"]
    search_fields = ["=victim__case_number"]
    fields = ["organization", "entry", "victim", "score", "rank", "status", "decided_by", "decided_at", "created_at"]


@admin.register(MatchChunk)
class MatchChunkAdmin(ReadOnlyAdmin):
    list_display = ["released_list", "organization", "first_line", "last_line", "size", "status", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["released_list", "organization"]
    fields = [
        "released_list", "organization", "first_line", "last_line", "size", "status", "claimed_at", "finished_at",
    ]  # fmt: skip


@admin.register(CaseImport)
class CaseImportAdmin(ReadOnlyAdmin):
    list_display = ["pk", "file_name", "organization", "uploaded_by", "uploaded_at", "rows_imported"]
    list_select_related = ["organization", "uploaded_by"]
    fields = ["organization", "file_name", "sha256", "uploaded_by", "uploaded_at", "rows_imported"]


@admin.register(ImportedCase)
class ImportedCaseAdmin(ReadOnlyAdmin):
    list_display = ["victim", "external_reference", "case_import", "line"]
    list_select_related = ["victim", "case_import"]
    search_fields = ["=external_reference", "=victim__case_number"]
    fields = ["organization", "case_import", "victim", "line", "external_reference"]


@admin.register(ListSettings)
class ListSettingsAdmin(ScopedChoicesMixin, OrgAdminAccessMixin, admin.ModelAdmin):
    """The one editable page: after how many days someone released and not seen is missing in transit."""

    list_display = ["organization", "missing_after_days"]
    list_select_related = ["organization"]
    fields = ["organization", "missing_after_days"]

    def scope_queryset(self, request, queryset):
        return queryset.filter(organization_id__in=admin_organization_ids(request.user))

    def get_readonly_fields(self, request, obj=None):
        return ["organization"] if obj is not None else []
