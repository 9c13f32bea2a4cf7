"""Admin for victims: the case record, its status changes and case-number counters (its inlines: victim_inlines.py).

Victims are written only through the services: intake allocates the case number, edits are version-checked,
assignment and status changes carry their own rules and history.
"""

import operator
from functools import reduce

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.admin import ScopedRelatedListFilter, users_of_organizations
from accounts.models import Organization
from accounts.scoping import admin_access, organization_ids_of
from places.codes import COUNTRY_NAMES

from .. import name_index, services
from ..models import AgencyReferral, CaseNote, Reporter, RescueRequest, Victim
from ..views.paging import EstimatingPaginator
from .base import (
    CaseAdmin,
    MemberListFilter,
    PlaceListFilter,
    VersionedAdminForm,
    action_with_form,
    check_assignee,
    search_by_case_number,
)
from .victim_inlines import (
    CaseNoteAddInline,
    CaseNoteListInline,
    ReferralAddInline,
    ReferralListInline,
    ReporterInline,
    RescueRequestAddInline,
    RescueRequestListInline,
)

VICTIM_FORM_FIELDS = services.EDITABLE_VICTIM_FIELDS | {"consent", "consent_given_by"}
VICTIM_INTAKE_FIELDS = VICTIM_FORM_FIELDS | {"assigned_to"}


def status_transition_error(from_status: str, to_status: str) -> str | None:
    """The service's refusal for a status jump, checked before saving so the form can show it."""
    if to_status in services.VICTIM_TRANSITIONS.get(from_status, set()):
        return None
    return gettext("A case cannot go from “%(from)s” to “%(to)s”.") % {
        "from": Victim.Status(from_status).label,
        "to": Victim.Status(to_status).label,
    }


# --- Forms ----------------------------------------------------------------------------------------


class VictimAdminForm(VersionedAdminForm):
    change_status_to = forms.ChoiceField(
        label=_("change status to"),
        required=False,
        choices=[("", _("— keep the current status —")), *Victim.Status.choices],
        help_text=_("Recorded in the case's status history."),
    )
    status_reason = forms.CharField(
        label=_("reason"), max_length=300, required=False, help_text=_("Required when closing for another reason.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "assigned_to" in self.fields:
            # Only members of the victim's own organisation can be assigned.
            self.fields["assigned_to"].queryset = users_of_organizations([self.instance.organization_id])

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            check_assignee(self, cleaned.get("organization"), cleaned.get("assigned_to"))
        to_status = cleaned.get("change_status_to")
        if self.instance.pk and to_status and to_status != self.instance.status:
            error = status_transition_error(self.instance.status, to_status)
            if error:
                self.add_error("change_status_to", error)
            elif to_status == Victim.Status.CLOSED and not cleaned.get("status_reason", "").strip():
                self.add_error("status_reason", gettext("Say why the case is closed."))
        return cleaned


class ChangeStatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("new status"), choices=Victim.Status.choices)
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)


# --- Victims --------------------------------------------------------------------------------------


@admin.register(Victim)
class VictimAdmin(CaseAdmin):
    form = VictimAdminForm
    ordering = ("-pk",)  # newest first, straight off the primary key: no sort of the whole table
    list_display = (
        "case_number",
        "name",
        "status",
        "risk_level",
        "assigned_to",
        "compound",
        "citizenship_code",
        "last_contact_at",
        "created_at",
        "organization",
    )
    list_display_links = ("case_number",)
    changelist_secrets_shown = ("full_name",)
    list_filter = (
        "status",
        "risk_level",
        ("created_at", admin.DateFieldListFilter),
        ("organization", ScopedRelatedListFilter),
        ("assigned_to", MemberListFilter),  # its people come with the place filters' options: one query
        ("border_region", PlaceListFilter),
        ("compound", PlaceListFilter),
        "consent",
        "needs_medical_care",
        "is_minor",
        "ransom_demanded",
    )
    list_select_related = ("organization", "assigned_to", "compound")
    # Names are encrypted at rest: they are searched through the name index (get_search_results), whole parts only.
    search_fields = ("^case_number",)
    search_help_text = _("A case number or its start (e.g. HW-2025-00042, HW-2025-), or a name or name parts.")
    show_full_result_count = False
    paginator = EstimatingPaginator  # exact up to the cap, then the planner's estimate: no COUNT(*) of every row
    autocomplete_fields = ("compound", "border_region")
    actions = ("change_status",)
    inlines = (
        ReporterInline,
        RescueRequestListInline,
        RescueRequestAddInline,
        ReferralListInline,
        ReferralAddInline,
        CaseNoteListInline,
        CaseNoteAddInline,
    )
    readonly_fields = (
        "case_number",
        "status",
        "status_changed_at",
        "closed_reason",
        "last_contact_at",
        "consent_recorded_at",
        "consent_recorded_by",
        "created_at",
        "created_by",
        "updated_at",
        "version",
    )
    identity_fields = (
        "full_name",
        "names_in_compound",
        "sex",
        ("date_of_birth", "estimated_age"),
        "citizenship",
        "languages",
        ("passport_number", "passport_held_by_traffickers"),
        "phone_numbers",
        "messaging_handles",
    )
    detail_fieldsets = (
        (_("Identity"), {"fields": identity_fields}),
        (_("Where"), {"fields": ("compound", "border_region", "last_known_location", "last_contact_at")}),
        (
            _("How"),
            {
                "fields": (
                    ("recruitment_method", "recruitment_platform"),
                    ("recruited_on", "arrived_on", "released_on"),
                    "means_of_control",
                    "exploitation_types",
                )
            },
        ),
        (
            _("Risk"),
            {
                "fields": (
                    "risk_level",
                    ("injured", "needs_medical_care", "is_minor", "pregnant", "threatened"),
                    ("ransom_demanded", "ransom_amount", "ransom_currency"),
                    "sold_between_compounds",
                )
            },
        ),
        (_("Consent"), {"fields": (("consent", "consent_given_by"), ("consent_recorded_at", "consent_recorded_by"))}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((_("Case"), {"fields": ("organization", "assigned_to")}), *self.detail_fieldsets)
        return (
            (
                _("Case"),
                {
                    "fields": (
                        "case_number",
                        "organization",
                        "assigned_to",
                        ("status", "status_changed_at"),
                        "closed_reason",
                        "loaded_version",
                    )
                },
            ),
            (_("Change status"), {"fields": ("change_status_to", "status_reason")}),
            *self.detail_fieldsets,
            (_("Record"), {"fields": (("created_at", "created_by"), ("updated_at", "version"))}),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return (*self.readonly_fields, "organization")

    @admin.display(description=_("citizenship"), ordering="citizenship")
    def citizenship_code(self, obj: Victim) -> str:
        # A dict lookup: the field's own display re-flattens ~250 choices on every row.
        return COUNTRY_NAMES.get(obj.citizenship, obj.citizenship) if obj.citizenship else "-"

    @admin.display(description=_("full name"))  # no `ordering`: sorting ciphertext means nothing
    def name(self, obj: Victim) -> str:
        return f"{obj.full_name} ({obj.name_reading})" if obj.name_reading else obj.full_name

    def get_search_results(self, request, queryset, search_term):
        exact = search_by_case_number(queryset, search_term)
        if exact is not None:
            return exact, False
        by_number, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if not search_term.strip():
            return by_number, may_have_duplicates
        organization_ids = organization_ids_of(admin_access(request.user))
        if organization_ids is None:
            organization_ids = list(Organization.objects.values_list("pk", flat=True))
        by_name = [name_index.search_q(pk, search_term) for pk in organization_ids]
        by_name = [q & Q(organization_id=pk) for q, pk in zip(by_name, organization_ids, strict=True) if q is not None]
        if not by_name:
            return by_number, may_have_duplicates
        return by_number | queryset.filter(reduce(operator.or_, by_name)), may_have_duplicates

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name == "cases_victim_change":
            queryset = queryset.select_related("organization", "created_by", "consent_recorded_by")
        return queryset

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            fields = {name: data[name] for name in data if name in VICTIM_INTAKE_FIELDS}
            created = services.victim_create(organization=data["organization"], created_by=request.user, **fields)
            obj.pk = created.pk
            obj._state.adding = False
            obj.refresh_from_db()
            return
        victim = Victim.objects.select_for_update().select_related("organization").get(pk=obj.pk)
        victim.check_version(data["loaded_version"])
        changes = {name: data[name] for name in form.changed_data if name in VICTIM_FORM_FIELDS}
        if changes:
            services.victim_update(
                victim=victim, editor=request.user, expected_version=data["loaded_version"], **changes
            )
        if "assigned_to" in form.changed_data:
            services.victim_assign(victim=victim, assignee=data["assigned_to"], assigned_by=request.user)
        to_status = data.get("change_status_to")
        if to_status and to_status != victim.status:
            services.victim_change_status(
                victim=victim, to_status=to_status, changed_by=request.user, reason=data.get("status_reason", "")
            )
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        victim = form.instance
        model = formset.model
        if model is Reporter:
            for reporter in formset.save(commit=False):
                if reporter._state.adding:
                    fields = {name: getattr(reporter, name) for name in services.REPORTER_FIELDS}
                    created = services.reporter_add(victim=victim, created_by=request.user, **fields)
                    reporter.pk, reporter._state.adding = created.pk, False  # for the admin's change message
                else:
                    services.reporter_update(reporter=reporter)
            for reporter in formset.deleted_objects:
                services.reporter_remove(reporter=reporter)
            return
        # Service-created rows; recorded on the formset as `formset.save()` would, for the admin's change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.instance._state.adding:
                continue
            created = self._create_from_inline(request, victim, model, inline_form.cleaned_data)
            if created is not None:
                formset.new_objects.append(created)

    def _create_from_inline(self, request, victim, model, data):
        if model is CaseNote:
            return services.case_note_add(
                victim=victim,
                author=request.user,
                body=data["body"],
                kind=data["kind"],
                is_restricted=data["is_restricted"],
                occurred_at=data.get("occurred_at"),
            )
        if model is RescueRequest and data.get("priority"):
            return services.rescue_request_open(
                victim=victim, opened_by=request.user, priority=data["priority"], assigned_to=data["assigned_to"]
            )
        if model is AgencyReferral:
            return services.referral_create(
                victim=victim,
                agency=data["agency"],
                created_by=request.user,
                shares_identity=data["shares_identity"],
                consent_basis=data["consent_basis"],
                override_reason=data["override_reason"],
                shared_information=data["shared_information"],
            )
        return None

    @admin.action(description=_("Change the status of the selected victims…"))
    def change_status(self, request, queryset):
        def handle(victim, data):
            services.victim_change_status(
                victim=victim, to_status=data["to_status"], changed_by=request.user, reason=data["reason"]
            )

        return action_with_form(
            self,
            request,
            queryset.select_related("organization"),
            form_class=ChangeStatusForm,
            title=gettext("Change the status of victims"),
            intro=gettext("Each case moves only if its current status allows it; the rest are reported below."),
            handle=handle,
            done_message=lambda n: (
                ngettext("Changed the status of %d victim.", "Changed the status of %d victims.", n) % n
            ),
        )
