"""The review queue: suggestions best first, confirm or reject, bulk confirm after a second look, and
"create a case from this entry" (intake, prefilled)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import organization_required, permission_required
from accounts.permissions import Action, request_can
from audit.trail import record_reads
from cases.intake import IntakeForms
from core.names import THRESHOLD, latin_reading

from .. import services
from ..models import ListEntry, Match, ReleasedList
from .lists import visible_list

QUEUE_LIMIT = 100


def _queue(request, released_list):
    return (
        Match.objects.visible_to(request.membership)
        .filter(entry__released_list=released_list, status=Match.Status.SUGGESTED)
        .select_related("entry", "victim")
        .order_by("-score", "entry__line", "rank")
    )


def _annotate(matches):
    for match in matches:
        match.entry.shown_name, match.entry.zawgyi = match.entry.readable_name()
        match.entry_reading = latin_reading(match.entry.name)
        match.victim_reading = latin_reading(match.victim.full_name)
    return matches


@require_GET
@organization_required
def review(request, list_pk: int):
    released_list = visible_list(request, list_pk)
    queue = _annotate(list(_queue(request, released_list)[:QUEUE_LIMIT]))
    confirmed = None
    if request.GET.get("confirmed", "").isdigit():
        confirmed = (
            Match.objects.visible_to(request.membership)
            .select_related("victim", "entry__released_list")
            .filter(pk=int(request.GET["confirmed"]), status=Match.Status.CONFIRMED)
            .first()
        )
        if confirmed is not None:
            confirmed.next_status = services.next_status_for(confirmed)
    record_reads(request, [m.victim for m in queue], view="list_review", organization_id=request.organization.pk)
    return render(
        request,
        "lists/review.html",
        {
            "list": released_list,
            "queue": queue,
            "total": _queue(request, released_list).count(),
            "above": _queue(request, released_list).filter(score__gte=THRESHOLD, rank=1).count(),
            "threshold": THRESHOLD,
            "confirmed": confirmed,
            "can_review": request_can(request, Action.REVIEW_MATCHES),
            "can_bulk": request_can(request, Action.IMPORT_LISTS),
            "tab": "lists",
        },
    )


def _visible_match(request, match_pk: int) -> Match:
    return get_object_or_404(
        Match.objects.visible_to(request.membership).select_related("entry__released_list", "victim"), pk=match_pk
    )


@require_POST
@permission_required(Action.REVIEW_MATCHES)
def match_decide(request, match_pk: int):
    match = _visible_match(request, match_pk)
    decision = request.POST.get("decision")
    back = redirect("lists:review", list_pk=match.entry.released_list_id)
    try:
        if decision == "confirm":
            services.match_confirm(match=match, confirmed_by=request.user)
            messages.success(request, _("Confirmed: row %(line)s is case %(case)s.") % {
                "line": match.entry.line, "case": match.victim.case_number})  # fmt: skip
            back["Location"] += f"?confirmed={match.pk}"
        elif decision == "reject":
            services.match_reject(match=match, rejected_by=request.user)
            messages.info(request, _("Rejected: row %(line)s is not case %(case)s.") % {
                "line": match.entry.line, "case": match.victim.case_number})  # fmt: skip
        else:
            messages.error(request, _("Choose confirm or reject."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return back


@require_http_methods(["GET", "POST"])
@permission_required(Action.IMPORT_LISTS)
def bulk_confirm(request, list_pk: int):
    """GET: the second look (every suggestion above the threshold, each ticked). POST: confirm the ticked ones."""
    released_list = visible_list(request, list_pk)
    candidates = _queue(request, released_list).filter(score__gte=THRESHOLD, rank=1)
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("match") if v.isdigit()]
        if not ids:
            messages.error(request, _("Tick the suggestions to confirm."))
        else:
            confirmed = services.match_bulk_confirm(
                match_ids=ids, organization=request.organization, confirmed_by=request.user, threshold=THRESHOLD
            )
            messages.success(request, _("%(n)s matches confirmed.") % {"n": confirmed})
            return redirect("lists:review", list_pk=released_list.pk)
    shown = _annotate(list(candidates[:500]))
    record_reads(request, [m.victim for m in shown], view="list_bulk", organization_id=request.organization.pk)
    return render(
        request,
        "lists/bulk_confirm.html",
        {"list": released_list, "matches": shown, "threshold": THRESHOLD, "tab": "lists"},
    )


SEX_CODES = {"M": "Masculine", "F": "Feminine"}


@require_GET
@permission_required(Action.CREATE)
def entry_create_case(request, entry_pk: int):
    """Intake, prefilled from a list entry nobody matched; saving goes through the intake as usual."""
    entry = get_object_or_404(
        ListEntry.objects.filter(released_list__in=ReleasedList.objects.visible_to(request.membership)), pk=entry_pk
    )
    values = entry.value_dict()
    forms_ = IntakeForms.build(organization=request.organization, user=request.user)
    name, _zawgyi = entry.readable_name()  # the case keeps Burmese in Unicode, never Zawgyi
    initial = {"full_name": name, "sex": SEX_CODES.get(entry.sex, ""), "citizenship": entry.nationality}
    if values.get("other_names"):
        initial["names_in_compound"] = values["other_names"].replace(" / ", "\n")
    if values.get("passport_number"):
        initial["passport_number"] = values["passport_number"]
    if values.get("phone"):
        initial["phone_numbers"] = "\n".join(values["phone"])
    if entry.birth_year:
        initial["estimated_age"] = timezone.localdate().year - entry.birth_year
    elif entry.age is not None:
        published = entry.released_list.published_or_uploaded
        initial["estimated_age"] = entry.age + (timezone.localdate().year - published.year)
    if entry.released_list.kind == ReleasedList.Kind.RELEASED:
        initial["released_on"] = entry.released_list.published
    forms_.victim.initial.update({k: v for k, v in initial.items() if v not in ("", None)})
    record_reads(request, [entry], view="list_entry_intake", organization_id=request.organization.pk)
    return render(
        request,
        "cases/intake.html",
        {
            "forms": forms_,
            "form": forms_.victim,
            "reporter_form": forms_.reporter,
            "request_form": forms_.request,
            "duplicates": None,
            "has_errors": False,
            "from_entry": entry,
        },
    )
