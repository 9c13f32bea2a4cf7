"""Admin for the rows kept on a victim's case: reporters, case notes, the status history, case-number counters."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.admin import ScopedRelatedListFilter

from .. import services
from ..models import CaseNote, CaseNumberSequence, Reporter, VictimStatusChange
from .base import VictimChildAdmin


@admin.register(Reporter)
class ReporterAdmin(VictimChildAdmin):
    ordering = ("-pk",)  # newest first, straight off the primary key: no sort of the whole table
    # Not the name, language or contact times: encrypted at rest, and a list of family members is not needed.
    list_display = ("case", "relationship", "safe_to_contact", "created_at", "organization")
    list_filter = ("relationship", "safe_to_contact", ("organization", ScopedRelatedListFilter))
    list_select_related = ("victim", "organization")
    fields = (
        "victim",
        "name",
        "relationship",
        "contact_channels",
        "language",
        "safe_to_contact",
        "safe_contact_times",
        "created_at",
        "created_by",
        "updated_at",
    )
    readonly_fields = ("created_at", "created_by", "updated_at")
    org_admin_can_delete = True

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name != "victim"}
        if change:
            services.reporter_update(reporter=obj, victim=obj.victim, **fields)
            return
        data = {name: value for name, value in form.cleaned_data.items() if name != "victim"}
        created = services.reporter_add(victim=form.cleaned_data["victim"], created_by=request.user, **data)
        obj.pk = created.pk
        obj._state.adding = False
        obj.refresh_from_db()


class CaseNoteAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        victim, rescue_request = cleaned.get("victim"), cleaned.get("rescue_request")
        if victim and rescue_request and rescue_request.victim_id != victim.pk:
            self.add_error("rescue_request", gettext("That rescue request belongs to another case."))
        return cleaned


@admin.register(CaseNote)
class CaseNoteAdmin(VictimChildAdmin):
    form = CaseNoteAdminForm
    ordering = ("-pk",)  # newest first, straight off the primary key: no sort of the whole table
    list_display = ("case", "kind", "occurred_at", "author", "is_restricted", "request_number", "organization")
    list_filter = (
        "kind",
        "is_restricted",
        ("occurred_at", admin.DateFieldListFilter),
        ("organization", ScopedRelatedListFilter),
    )
    list_select_related = ("victim", "author", "organization")
    show_full_result_count = False
    autocomplete_fields = ("victim", "rescue_request")
    fields = ("victim", "rescue_request", "kind", "occurred_at", "is_restricted", "body", "author", "created_at")
    readonly_fields = ("author", "created_at")

    @admin.display(description=_("rescue request"), ordering="rescue_request_id")
    def request_number(self, obj: CaseNote):
        return obj.rescue_request_id  # the id, not the request's name: no query per row

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return readonly if obj is None else (*readonly, "rescue_request")

    def save_model(self, request, obj, form, change):
        if change:
            # Corrections (e.g. removing a detail that should not have been written down) keep the author.
            services.case_note_correct(note=obj, corrected_by=request.user)
            return
        data = form.cleaned_data
        note = services.case_note_add(
            victim=data["victim"],
            author=request.user,
            body=data["body"],
            kind=data["kind"],
            is_restricted=data["is_restricted"],
            occurred_at=data.get("occurred_at"),
            rescue_request=data.get("rescue_request"),
        )
        obj.pk = note.pk
        obj._state.adding = False
        obj.refresh_from_db()


@admin.register(VictimStatusChange)
class VictimStatusChangeAdmin(VictimChildAdmin):
    """The status history is written by `victim_change_status` only: read-only here."""

    ordering = ("-pk",)  # newest first, straight off the primary key: no sort of the whole table
    list_display = ("case", "from_status", "to_status", "reason", "changed_by", "changed_at", "organization")
    list_filter = (
        "to_status",
        "from_status",
        ("changed_at", admin.DateFieldListFilter),
        ("organization", ScopedRelatedListFilter),
    )
    list_select_related = ("victim", "changed_by", "organization")
    show_full_result_count = False
    fields = ("victim", "from_status", "to_status", "reason", "changed_by", "changed_at")
    org_admin_can_add = False
    org_admin_can_change = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseNumberSequence)
class CaseNumberSequenceAdmin(admin.ModelAdmin):
    """Counters behind case numbers: visible to platform admins for support, never editable (numbers never reused)."""

    list_display = ("organization", "year", "last_value")
    list_filter = ("year",)
    list_select_related = ("organization",)
    search_fields = ("organization__name",)

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
