"""Admin for rescue requests: opened, chased and closed only through the rescue-request services."""

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.admin import ScopedRelatedListFilter, users_of_organizations

from .. import services
from ..models import RescueRequest
from ..models.requests import open_condition, overdue_condition
from ..views.paging import EstimatingPaginator
from .base import VersionedAdminForm, VictimChildAdmin, action_with_form, check_assignee

CLOSING_CHOICES = [(s.value, s.label) for s in services.REQUEST_CLOSING_STATUSES]


# --- Rescue requests ------------------------------------------------------------------------------


class RescueRequestAdminForm(VersionedAdminForm):
    log_update = forms.CharField(
        label=_("log an update"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Saved as a case note; moves the next follow-up out by the priority's cadence."),
    )
    mark_in_progress = forms.BooleanField(label=_("mark in progress"), required=False)
    close_as = forms.ChoiceField(
        label=_("close as"), required=False, choices=[("", _("— keep open —")), *CLOSING_CHOICES]
    )
    close_outcome = forms.CharField(
        label=_("outcome"), required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=_("Required to close.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "assigned_to" in self.fields:
            self.fields["assigned_to"].queryset = users_of_organizations([self.instance.organization_id])

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            if not self.instance.is_open and (cleaned.get("log_update") or cleaned.get("close_as")):
                raise forms.ValidationError(gettext("This rescue request is closed; open a new one to keep chasing."))
            if cleaned.get("close_as") and not cleaned.get("close_outcome", "").strip():
                self.add_error("close_outcome", gettext("Describe the outcome."))
            if cleaned.get("mark_in_progress") and not cleaned.get("log_update", "").strip():
                self.add_error("log_update", gettext("Write what happened."))
            check_assignee(self, self.instance.organization, cleaned.get("assigned_to"))
        else:
            victim = cleaned.get("victim")
            if victim is not None and victim.is_closed:
                self.add_error("victim", gettext("This case is closed; reopen it before opening a rescue request."))
            check_assignee(self, victim and victim.organization, cleaned.get("assigned_to"))
        return cleaned


class CloseRequestsForm(forms.Form):
    status = forms.ChoiceField(label=_("close as"), choices=CLOSING_CHOICES)
    outcome = forms.CharField(label=_("outcome"), widget=forms.Textarea(attrs={"rows": 4}))


class FollowUpFilter(admin.SimpleListFilter):
    title = _("follow-up")
    parameter_name = "follow_up"

    def lookups(self, request, model_admin):
        return (("overdue", _("Overdue")), ("due_7_days", _("Due within 7 days")))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "overdue":
            return queryset.filter(open_condition(), overdue_condition(now))
        if self.value() == "due_7_days":
            return queryset.filter(
                open_condition(),
                ~overdue_condition(now),
                next_follow_up_at__lt=now + timedelta(days=7),
            )
        return queryset


@admin.register(RescueRequest)
class RescueRequestAdmin(VictimChildAdmin):
    form = RescueRequestAdminForm
    ordering = ("-pk",)  # newest first, straight off the primary key: no sort of the whole table
    list_display = (
        "request_number",
        "case",
        "priority",
        "status",
        "assigned_to",
        "next_follow_up_at",
        "last_update_at",
        "opened_at",
        "closed_at",
        "organization",
    )
    list_display_links = ("request_number",)
    list_filter = (
        "status",
        "priority",
        FollowUpFilter,
        ("opened_at", admin.DateFieldListFilter),
        ("organization", ScopedRelatedListFilter),
        ("assigned_to", ScopedRelatedListFilter),
    )
    list_select_related = ("victim", "assigned_to", "organization")
    show_full_result_count = False
    paginator = EstimatingPaginator  # exact up to the cap, then the planner's estimate: no COUNT(*) of every row
    actions = ("close_requests",)
    readonly_fields = (
        "organization",
        "status",
        "opened_at",
        "last_update_at",
        "next_follow_up_at",
        "closed_at",
        "outcome",
        "created_at",
        "created_by",
        "updated_at",
        "version",
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": ("victim", "priority", "assigned_to")}),)
        fieldsets = [
            (None, {"fields": ("victim", "organization", "status", "priority", "assigned_to", "loaded_version")}),
            (_("Follow-up"), {"fields": ("opened_at", "last_update_at", "next_follow_up_at")}),
        ]
        if obj.is_open:
            fieldsets += [
                (_("Log an update"), {"fields": ("log_update", "mark_in_progress")}),
                (_("Close"), {"fields": ("close_as", "close_outcome")}),
            ]
        else:
            fieldsets.append((_("Outcome"), {"fields": ("closed_at", "outcome")}))
        fieldsets.append((_("Record"), {"fields": (("created_at", "created_by"), ("updated_at", "version"))}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and not obj.is_open:
            readonly = (*readonly, "priority", "assigned_to")
        return readonly

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name == "cases_rescuerequest_change":
            queryset = queryset.select_related("victim", "organization", "created_by")
        return queryset

    @admin.display(description=_("request"), ordering="pk")
    def request_number(self, obj: RescueRequest) -> str:
        return f"#{obj.pk}"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            opened = services.rescue_request_open(
                victim=data["victim"],
                opened_by=request.user,
                priority=data["priority"],
                assigned_to=data["assigned_to"],
            )
            obj.pk = opened.pk
            obj._state.adding = False
            obj.refresh_from_db()
            return
        stored = RescueRequest.objects.select_for_update().select_related("organization").get(pk=obj.pk)
        stored.check_version(data["loaded_version"])
        if "priority" in form.changed_data:
            services.rescue_request_change_priority(request=stored, priority=data["priority"], changed_by=request.user)
        if "assigned_to" in form.changed_data:
            services.rescue_request_assign(request=stored, assignee=data["assigned_to"], assigned_by=request.user)
        if data.get("log_update", "").strip():
            services.rescue_request_log_update(
                request=stored,
                author=request.user,
                note=data["log_update"],
                mark_in_progress=data.get("mark_in_progress", False),
                expected_version=stored.version,
            )
        if data.get("close_as"):
            services.rescue_request_close(
                request=stored, status=data["close_as"], outcome=data["close_outcome"], closed_by=request.user
            )
        obj.refresh_from_db()

    @admin.action(description=_("Close the selected rescue requests…"))
    def close_requests(self, request, queryset):
        def handle(rescue_request, data):
            services.rescue_request_close(
                request=rescue_request, status=data["status"], outcome=data["outcome"], closed_by=request.user
            )

        return action_with_form(
            self,
            request,
            queryset.select_related("victim"),
            form_class=CloseRequestsForm,
            title=gettext("Close rescue requests"),
            intro=gettext("These requests will be closed with the outcome below and no longer chased."),
            handle=handle,
            done_message=lambda n: ngettext("Closed %d rescue request.", "Closed %d rescue requests.", n) % n,
        )
