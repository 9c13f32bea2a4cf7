"""Admin for agency referrals: drafted, sent and answered only through the referral services."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.admin import ScopedRelatedListFilter

from .. import services
from ..models import AgencyReferral
from ..views.paging import EstimatingPaginator
from .base import VictimChildAdmin, action_with_form, run_for_each

DRAFT_FIELDS = ("agency", "rescue_request", "shares_identity", "consent_basis", "override_reason", "shared_information")


class ReferralAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        victim = cleaned.get("victim") or (self.instance.victim if self.instance.victim_id else None)
        if victim is None:
            return cleaned
        agency, rescue_request = cleaned.get("agency"), cleaned.get("rescue_request")
        if agency is not None and agency.organization_id not in (None, victim.organization_id):
            self.add_error("agency", gettext("Choose an agency from the list."))
        if rescue_request is not None and rescue_request.victim_id != victim.pk:
            self.add_error("rescue_request", gettext("That rescue request belongs to another case."))
        if "shares_identity" in self.fields and not self.errors:
            services.check_referral_consent(
                victim=victim,
                shares_identity=cleaned.get("shares_identity", False),
                consent_basis=cleaned.get("consent_basis", ""),
                override_reason=cleaned.get("override_reason", ""),
            )
        return cleaned


class RecordResponseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("the agency's answer"),
        choices=[
            (s.value, s.label)
            for s in (
                AgencyReferral.Status.ACKNOWLEDGED,
                AgencyReferral.Status.ACTING,
                AgencyReferral.Status.COMPLETED,
                AgencyReferral.Status.DECLINED,
            )
        ],
    )
    agency_reference = forms.CharField(label=_("agency's reference"), max_length=100, required=False)
    note = forms.CharField(label=_("agency's response"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decline_reason = forms.CharField(
        label=_("reason the agency declined"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == AgencyReferral.Status.DECLINED and not cleaned.get("decline_reason", "").strip():
            self.add_error("decline_reason", gettext("Record why the agency declined."))
        return cleaned


class AwaitingResponseFilter(admin.SimpleListFilter):
    title = _("response")
    parameter_name = "response"

    def lookups(self, request, model_admin):
        return (("awaiting", _("Awaiting response")), ("late", _("Response overdue")))

    def queryset(self, request, queryset):
        if self.value() == "awaiting":
            return queryset.filter(status__in=AgencyReferral.AWAITING_RESPONSE_STATUSES)
        if self.value() == "late":
            return queryset.filter(
                status__in=AgencyReferral.AWAITING_RESPONSE_STATUSES, response_due_at__lt=timezone.now()
            )
        return queryset


@admin.register(AgencyReferral)
class AgencyReferralAdmin(VictimChildAdmin):
    form = ReferralAdminForm
    ordering = ("-pk",)  # newest first, straight off the primary key: no sort of the whole table
    list_display = (
        "referral_number",
        "case",
        "agency",
        "status",
        "shares_identity",
        "sent_at",
        "response_due_at",
        "acknowledged_at",
        "closed_at",
        "organization",
    )
    list_display_links = ("referral_number",)
    list_filter = (
        "status",
        AwaitingResponseFilter,
        "agency__kind",
        "shares_identity",
        "consent_basis",
        ("created_at", admin.DateFieldListFilter),
        ("organization", ScopedRelatedListFilter),
    )
    list_select_related = ("victim", "agency", "organization")
    search_fields = ("=victim__case_number", "=agency_reference", "agency__name")
    search_help_text = _("A whole case number, the agency's reference, or part of the agency's name.")
    show_full_result_count = False
    paginator = EstimatingPaginator  # exact up to the cap, then the planner's estimate: no COUNT(*) of every row
    autocomplete_fields = ("victim", "agency", "rescue_request")
    actions = ("send_referrals", "mark_no_response", "record_response", "withdraw_referrals")
    status_fields = (
        "organization",
        "status",
        "sent_at",
        "sent_by",
        "response_due_at",
        "acknowledged_at",
        "closed_at",
        "decline_reason",
        "response_note",
        "created_at",
        "created_by",
        "updated_at",
    )

    def get_fieldsets(self, request, obj=None):
        details = (None, {"fields": ("victim", *DRAFT_FIELDS)})
        if obj is None:
            return (details,)
        return (
            details,
            (
                _("Progress"),
                {
                    "fields": (
                        "organization",
                        "status",
                        ("sent_at", "sent_by"),
                        "response_due_at",
                        "acknowledged_at",
                        "closed_at",
                        "agency_reference",
                        "response_note",
                        "decline_reason",
                    )
                },
            ),
            (_("Record"), {"fields": (("created_at", "created_by"), "updated_at")}),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        readonly = (*self.status_fields, "victim")
        if obj.status != AgencyReferral.Status.DRAFT:
            readonly += DRAFT_FIELDS  # what was sent, and on what basis, is history now
        return readonly

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name == "cases_agencyreferral_change":
            queryset = queryset.select_related("victim", "agency", "organization", "sent_by", "created_by")
        return queryset

    @admin.display(description=_("referral"), ordering="pk")
    def referral_number(self, obj: AgencyReferral) -> str:
        return f"#{obj.pk}"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = services.referral_create(
                victim=data["victim"],
                agency=data["agency"],
                created_by=request.user,
                rescue_request=data.get("rescue_request"),
                shares_identity=data["shares_identity"],
                consent_basis=data["consent_basis"],
                override_reason=data["override_reason"],
                shared_information=data["shared_information"],
            )
            obj.pk = created.pk
            obj._state.adding = False
            obj.refresh_from_db()
            return
        # Drafts are still being written; after sending only the agency's reference is editable here.
        services.referral_update(referral=obj)

    def _simple_action(self, request, queryset, handle, done_message):
        run_for_each(self, request, queryset.select_related("victim"), handle, done_message)

    @admin.action(description=_("Send the selected draft referrals"))
    def send_referrals(self, request, queryset):
        self._simple_action(
            request,
            queryset,
            lambda referral: services.referral_send(referral=referral, sent_by=request.user),
            lambda n: ngettext("Marked %d referral as sent.", "Marked %d referrals as sent.", n) % n,
        )

    @admin.action(description=_("Mark the selected referrals as “no response”"))
    def mark_no_response(self, request, queryset):
        self._simple_action(
            request,
            queryset,
            lambda referral: services.referral_record_response(
                referral=referral, status=AgencyReferral.Status.NO_RESPONSE, recorded_by=request.user
            ),
            lambda n: ngettext("Marked %d referral as “no response”.", "Marked %d referrals as “no response”.", n) % n,
        )

    @admin.action(description=_("Withdraw the selected referrals"))
    def withdraw_referrals(self, request, queryset):
        self._simple_action(
            request,
            queryset,
            lambda referral: services.referral_withdraw(referral=referral, withdrawn_by=request.user),
            lambda n: ngettext("Withdrew %d referral.", "Withdrew %d referrals.", n) % n,
        )

    @admin.action(description=_("Record the agency's response to the selected referrals…"))
    def record_response(self, request, queryset):
        def handle(referral, data):
            services.referral_record_response(
                referral=referral,
                status=data["status"],
                recorded_by=request.user,
                agency_reference=data["agency_reference"],
                note=data["note"],
                decline_reason=data["decline_reason"],
            )

        return action_with_form(
            self,
            request,
            queryset.select_related("victim", "agency"),
            form_class=RecordResponseForm,
            title=gettext("Record the agency's response"),
            intro=gettext("The same answer is recorded on each referral below."),
            handle=handle,
            done_message=lambda n: (
                ngettext("Recorded the response on %d referral.", "Recorded the response on %d referrals.", n) % n
            ),
        )
