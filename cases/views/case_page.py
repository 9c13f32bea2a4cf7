"""The case page: the person, their timeline, requests, referrals and evidence, and the blank action forms.

Another organisation's case is a 404, never a 403. The page's actions live in `case_actions.py`; they re-render
the page through `render_case_page`.
"""

from django.db.models import CharField, DateTimeField, F, Value
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.decorators import organization_required
from accounts.permissions import Action, request_can
from audit import trail as audit
from places.models import Agency

from .. import services
from ..forms import (
    AssignForm,
    LogContactForm,
    NoteForm,
    ReferralForm,
    ReferralResponseForm,
    RequestCloseForm,
    RequestOpenForm,
    StatusForm,
    agencies_for,
    offer_choices,
)
from ..models import AgencyReferral, CaseNote, Reporter, RescueRequest, Victim
from .choice_labels import label_choices
from .evidence import case_page_evidence, evidence_json_rows
from .json_rows import instances, json_rows
from .timeline import build_timeline, timeline_and_extra_rows

TIMELINE_NOTES = 100
# The case's choice labels the page shows, translated once each (`label_choices`): the nationality's
# get_citizenship_display() translated all 250 countries to show one.
VICTIM_LABELS = {
    "status_label": "status",
    "risk_label": "risk_level",
    "citizenship_label": "citizenship",
    "consent_label": "consent",
    "sex_label": "sex",
}


def _case_file(request):
    return Victim.objects.visible_to(request.membership).select_related(
        "organization", "compound", "compound__region", "border_region", "assigned_to", "consent_recorded_by"
    )


def victim_or_404(request, pk: int) -> Victim:
    return get_object_or_404(_case_file(request), pk=pk)


def case_page_victim_or_404(request, pk: int) -> Victim:
    """The case with the short lists its page shows (reporters, the evidence this user may see) on its own row:
    one query for the three (`json_rows`)."""
    with_lists = _case_file(request).annotate(
        reporter_rows=json_rows(Reporter.objects.all(), outer="victim"),
        evidence_rows=evidence_json_rows(request),
    )
    return get_object_or_404(with_lists, pk=pk)


def open_requests_of(victim: Victim):
    return RescueRequest.objects.open().filter(victim=victim).order_by("next_follow_up_at", "pk")


def reporters_of(victim: Victim) -> list[Reporter]:
    """The case's reporters, oldest first: from the case's row when `case_page_victim_or_404` loaded it."""
    if not hasattr(victim, "reporter_rows"):
        return list(victim.reporters.all())
    return instances(Reporter, victim.reporter_rows, ordering=lambda reporter: (reporter.created_at, reporter.pk))


def _agency_rows(request, victim: Victim):
    """The agencies the referral form offers (kind, then name), in the shape of the timeline's rows."""
    return (
        agencies_for(victim=victim, organization=request.organization)
        .order_by()
        .values(
            origin=Value("agency", output_field=CharField()),
            when=Value(None, output_field=DateTimeField()),
            code=F("kind"),
            text=F("name"),
            by_id=F("pk"),
            by_name=Value("", output_field=CharField()),
        )
    )


def render_case_page(request, victim: Victim, *, bound: dict | None = None, open_action: str = "", status=200):
    """The case page. `bound` replaces some of the blank action forms with submitted (invalid) ones."""
    bound = bound or {}
    can_assign = request_can(request, Action.ASSIGN)
    can_restrict = request_can(request, Action.VIEW_RESTRICTED_NOTES)
    show_all = request.GET.get("history") == "all"
    notes_qs = CaseNote.objects.filter(victim=victim).select_related("author").order_by("-occurred_at", "-pk")
    if not can_restrict:  # restricted notes: supervisors only
        notes_qs = notes_qs.filter(is_restricted=False)
    notes = list(notes_qs if show_all else notes_qs[: TIMELINE_NOTES + 1])
    notes_truncated = not show_all and len(notes) > TIMELINE_NOTES
    if notes_truncated:
        notes = notes[:TIMELINE_NOTES]
    audit.record_case_read(request, victim, notes=notes)  # who read which case and notes, from where
    referral_form = bound.get("referral")
    # Status changes, the other apps' timeline entries and the blank referral form's agencies: one query.
    timeline_rows = timeline_and_extra_rows(victim, *([] if referral_form else [_agency_rows(request, victim)]))
    requests = list(
        RescueRequest.objects.filter(victim=victim).select_related("assigned_to", "created_by").order_by("-opened_at")
    )
    referrals = list(
        AgencyReferral.objects.filter(victim=victim)
        .select_related("agency", "sent_by", "created_by")
        .order_by("-created_at")
    )
    open_requests = [r for r in requests if r.is_open]
    for rescue in open_requests:
        rescue.close_form = bound.get(f"close-{rescue.pk}") or RequestCloseForm(prefix=f"close-{rescue.pk}")
        rescue.days_overdue_now = rescue.days_overdue(now=timezone.now())
    for referral in referrals:
        if referral.status in services.REFERRAL_RESPONSES:
            referral.response_form = bound.get(f"response-{referral.pk}") or ReferralResponseForm(
                referral=referral, prefix=f"response-{referral.pk}"
            )
    # The blank forms offer the open requests already loaded above (in follow-up order), not a query of their own.
    in_follow_up_order = sorted(
        open_requests, key=lambda r: (r.next_follow_up_at is None, r.next_follow_up_at or 0, r.pk)
    )
    if referral_form is None:
        referral_form = ReferralForm(
            victim=victim, organization=request.organization, open_requests=open_requests_of(victim)
        )
        offer_choices(referral_form.fields["rescue_request"], in_follow_up_order)
        agencies = [Agency(pk=row["by_id"], kind=row["code"], name=row["text"]) for row in timeline_rows.extra]
        offer_choices(referral_form.fields["agency"], agencies)
    forms = {
        "contact_form": bound.get("contact") or LogContactForm(open_requests=in_follow_up_order),
        "note_form": bound.get("note") or NoteForm(can_restrict=can_restrict),
        "status_form": bound.get("status") or StatusForm(victim=victim),
        "request_form": bound.get("request") or RequestOpenForm(),
        "referral_form": referral_form,
    }
    if can_assign:
        forms["assign_form"] = bound.get("assign") or AssignForm(
            organization=request.organization, initial={"assignee": victim.assigned_to_id}
        )
    flags = [
        label
        for name, label in (
            ("injured", _("Injured")),
            ("needs_medical_care", _("Needs medical care")),
            ("is_minor", _("Minor")),
            ("pregnant", _("Pregnant")),
            ("threatened", _("Threatened")),
            ("ransom_demanded", _("Ransom demanded")),
            ("sold_between_compounds", _("Sold between compounds")),
        )
        if getattr(victim, name)
    ]
    evidence = case_page_evidence(request, victim, bound=bound.get("evidence"), notes=notes)
    label_choices([victim], **VICTIM_LABELS)
    label_choices(requests, priority_label="priority", status_label="status")
    label_choices(referrals, status_label="status", consent_basis_label="consent_basis")
    context = {
        "victim": victim,
        "reporters": reporters_of(victim),
        "timeline": build_timeline(
            notes=notes,
            rows=timeline_rows,
            requests=requests,
            referrals=referrals,
            evidence=evidence["evidence_items"],
        ),
        "notes_truncated": notes_truncated,
        "requests": requests,
        "open_requests": open_requests,
        "referrals": referrals,
        "flags": flags,
        "open_action": open_action,
        "can_assign": can_assign,
        "now": timezone.now(),
        **forms,
        **evidence,
    }
    return render(request, "cases/victim_detail.html", context, status=status)


def back_to_case(victim: Victim, anchor: str = "timeline"):
    return redirect(f"{reverse('cases:victim_detail', args=[victim.pk])}#{anchor}")


@require_GET
@organization_required
def victim_detail(request, pk: int):
    victim = case_page_victim_or_404(request, pk)
    return render_case_page(request, victim)
