"""The rows shown and added on a victim's admin page: reporters, notes, rescue requests and referrals."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import AgencyReferral, CaseNote, Reporter, RescueRequest
from .base import AddOnlyInline, CaseInline, ReadOnlyInline, check_assignee


class ReporterInline(CaseInline):
    model = Reporter
    fields = ("name", "relationship", "contact_channels", "language", "safe_to_contact", "safe_contact_times")
    org_admin_can_delete = True

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0  # intake usually starts with who called


class CaseNoteListInline(ReadOnlyInline):
    model = CaseNote
    fields = ("occurred_at", "kind", "author", "is_restricted", "body")
    verbose_name_plural = _("case notes")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("victim", "author")


class CaseNoteAddInline(AddOnlyInline):
    model = CaseNote
    fields = ("kind", "body", "is_restricted", "occurred_at")
    verbose_name = _("new case note")
    verbose_name_plural = _("add a case note")


class RescueRequestListInline(ReadOnlyInline):
    model = RescueRequest
    fields = ("priority", "status", "assigned_to", "opened_at", "next_follow_up_at", "closed_at")
    verbose_name_plural = _("rescue requests")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("victim", "assigned_to")


class RescueRequestOpenForm(forms.ModelForm):
    # No default priority, so an untouched row opens nothing.
    priority = forms.ChoiceField(
        label=_("priority"), required=False, choices=[("", "---------"), *RescueRequest.Priority.choices]
    )

    def clean(self):
        cleaned = super().clean()
        victim = getattr(self, "parent_victim", None)
        if cleaned.get("assigned_to") and not cleaned.get("priority"):
            self.add_error("priority", gettext("Choose a priority to open a rescue request."))
        if cleaned.get("priority") and victim is not None:
            if victim.pk and victim.is_closed:
                self.add_error(None, gettext("This case is closed; reopen it before opening a rescue request."))
            if victim.organization_id:
                check_assignee(self, victim.organization, cleaned.get("assigned_to"))
        return cleaned


class RescueRequestAddInline(AddOnlyInline):
    model = RescueRequest
    form = RescueRequestOpenForm
    fields = ("priority", "assigned_to")
    verbose_name = _("new rescue request")
    verbose_name_plural = _("open a rescue request")


class ReferralListInline(ReadOnlyInline):
    model = AgencyReferral
    fields = ("agency", "status", "sent_at", "response_due_at", "closed_at")
    verbose_name_plural = _("agency referrals")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("victim", "agency")


class ReferralAddForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        victim = getattr(self, "parent_victim", None)
        if victim is not None and not self.errors:
            services.check_referral_consent(
                victim=victim,
                shares_identity=cleaned.get("shares_identity", False),
                consent_basis=cleaned.get("consent_basis", ""),
                override_reason=cleaned.get("override_reason", ""),
            )
        return cleaned


class ReferralAddInline(AddOnlyInline):
    model = AgencyReferral
    form = ReferralAddForm
    fields = ("agency", "shares_identity", "consent_basis", "override_reason", "shared_information")
    verbose_name = _("new agency referral (draft)")
    verbose_name_plural = _("draft an agency referral")
