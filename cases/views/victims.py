"""The victim list (filters, sorting, cheap pagination), the case page and the edit form.

Every page is scoped to the organisation the user works in: another organisation's case is a 404, never a 403.
The case page's actions live in `case_actions.py`; they re-render the page through `render_case_page`.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import CharField, DateTimeField, Exists, F, OuterRef, Value
from django.http import HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import organization_required
from accounts.permissions import Action, request_can
from audit import trail as audit
from core.fields import secret_field_names
from places.models import Agency

from .. import services
from ..filters import (
    RISK_RANK,
    VictimFilter,
    looks_like_case_number,
    offer_place_choices,
    search_term_for,
    store_search_term,
)
from ..forms import (
    AssignForm,
    LogContactForm,
    NoteForm,
    ReferralForm,
    ReferralResponseForm,
    RequestCloseForm,
    RequestOpenForm,
    StatusForm,
    VictimEditForm,
    add_service_errors,
    agencies_for,
    offer_choices,
)
from ..models import AgencyReferral, CaseNote, Reporter, RescueRequest, StaleRecordError, Victim
from ..models.requests import open_condition, overdue_condition
from .evidence import case_page_evidence, evidence_json_rows
from .json_rows import instances, json_rows
from .paging import COUNT_CAP, planner_estimate
from .timeline import build_timeline, timeline_and_extra_rows

PAGE_SIZE = 50
TIMELINE_NOTES = 100

# --- The list ------------------------------------------------------------------------------------------------


def _scoped_victims(request):
    return Victim.objects.visible_to(request.membership)


@dataclass
class ResultCount:
    """How many cases match, without counting 200,000 rows: exact up to the cap, else "about N"/"more than"."""

    exact: int | None
    about: int | None = None

    @property
    def capped(self) -> bool:
        return self.exact is None


def _count(queryset) -> ResultCount:
    counted = queryset.order_by()[: COUNT_CAP + 1].count()
    return ResultCount(exact=counted) if counted <= COUNT_CAP else _estimated(queryset)


def _estimated(queryset) -> ResultCount:
    estimate = planner_estimate(queryset)
    return ResultCount(exact=None, about=max(estimate, COUNT_CAP + 1) if estimate else None)


def _count_from(ids: list[int], start: int, queryset) -> ResultCount:
    """The count, given the ids fetched from row `start` on (up to row COUNT_CAP + 1 when start < COUNT_CAP)."""
    if start >= COUNT_CAP:
        return _count(queryset)
    if start + len(ids) > COUNT_CAP:
        return _estimated(queryset)
    return ResultCount(exact=start + len(ids)) if ids or not start else _count(queryset)


def _page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 100_000))
    except ValueError:
        return 1


def _url_with(request, **changes) -> str:
    """The current list URL with some parameters changed (None removes one)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    query = params.urlencode()
    return f"{request.path}?{query}" if query else request.path


# The name column cannot be sorted: names are encrypted at rest, and sorting them would mean decrypting every case
# of the organisation. Sort by case number instead.
UNSORTABLE_COLUMNS = {"name"}
SORTABLE_COLUMNS = [
    ("case_number", gettext_lazy("Case")),
    ("name", gettext_lazy("Name")),
    ("status", gettext_lazy("Status")),
    ("risk", gettext_lazy("Risk")),
    ("last_contact", gettext_lazy("Last contact")),
]


def _column_headers(request) -> list[dict]:
    current = request.GET.get("sort", "")
    headers = []
    for key, label in SORTABLE_COLUMNS:
        ascending = current == key
        descending = current == f"-{key}"
        headers.append(
            {
                "key": key,
                "label": label,
                "url": None
                if key in UNSORTABLE_COLUMNS
                else _url_with(request, sort=f"-{key}" if ascending else key, page=None),
                "aria_sort": "ascending" if ascending else "descending" if descending else None,
            }
        )
    return headers


@require_GET
@organization_required
def victim_list(request):
    """Cases of the organisation, filtered and sorted by URL parameters; a page of 50 at a time."""
    now = timezone.now()
    base = _scoped_victims(request).alias(risk_rank=RISK_RANK)
    victim_filter = VictimFilter(request.GET or None, queryset=base, request=request)
    offer_place_choices(victim_filter.form)
    filtered = victim_filter.qs
    if not request.GET.get("sort"):
        filtered = filtered.order_by("-created_at", "-pk")
    else:
        filtered = filtered.order_by(*filtered.query.order_by, "-pk")
    page = _page_number(request)
    # Two steps: find the page's ids with a narrow sorted query, then load those 50 rows with everything shown.
    # Sorting 200,000 narrow (key, id) rows is cheap; sorting wide rows with per-row subqueries is not.
    # On the first pages the same query also counts: ids up to the cap (narrow, in index order), so a list of up to
    # COUNT_CAP cases is counted exactly without a second query, and a longer one is estimated by the planner.
    start = (page - 1) * PAGE_SIZE
    ids = list(filtered.values_list("pk", flat=True)[start : max(start + PAGE_SIZE, COUNT_CAP) + 1])
    count = _count_from(ids, start, filtered)
    page_ids = ids[:PAGE_SIZE]
    has_next = len(ids) > PAGE_SIZE
    open_requests = RescueRequest.objects.filter(open_condition(), victim_id=OuterRef("pk"))
    loaded = (
        Victim.objects.filter(pk__in=page_ids)
        .select_related("compound", "border_region", "assigned_to")
        # The list shows only the name of the secret fields: never decrypt (or hold) the others here.
        .defer(*(name for name in secret_field_names(Victim) if name != "full_name"))
        .annotate(
            has_open_request=Exists(open_requests),
            is_overdue=Exists(open_requests.filter(overdue_condition(now))),
        )
    )
    by_id = {victim.pk: victim for victim in loaded}
    rows = [by_id[pk] for pk in page_ids if pk in by_id]
    audit.record_reads(request, rows, view="victim_list", organization_id=request.organization.pk)
    search_token = request.GET.get("q")
    search_term = search_term_for(request.session, search_token)
    return render(
        request,
        "cases/victim_list.html",
        {
            "filter": victim_filter,
            "victims": rows,
            "count": count,
            "page": page,
            "first_row": (page - 1) * PAGE_SIZE + 1,
            "last_row": (page - 1) * PAGE_SIZE + len(rows),
            "previous_url": _url_with(request, page=page - 1 if page > 2 else None) if page > 1 else None,
            "next_url": _url_with(request, page=page + 1) if has_next else None,
            "headers": _column_headers(request),
            "search_term": search_term if search_term is not None else request.GET.get("case_number", ""),
            "search_expired": bool(search_token) and search_term is None,
            "current_query": request.GET.urlencode(),
            "is_filtered": any(k not in ("page", "sort") and v for k, v in request.GET.items()),
            "filters_open": any(k not in ("page", "sort", "q", "case_number") and v for k, v in request.GET.items()),
            "now": now,
        },
    )


@organization_required
@require_POST
def victim_search(request):
    """The search box posts here so a name never reaches a URL: the term is kept in the session behind a token.

    A case number is not personal data, so it goes in the URL as a normal (bookmarkable) filter.
    """
    term = request.POST.get("search", "").strip()[:200]
    params = QueryDict(request.POST.get("filters", ""), mutable=True)
    for key in ("q", "case_number", "page"):
        params.pop(key, None)
    if term and looks_like_case_number(term):
        params["case_number"] = term
    elif term:
        params["q"] = store_search_term(request.session, term)
    query = params.urlencode()
    return redirect(f"{reverse('cases:victim_list')}?{query}" if query else reverse("cases:victim_list"))


# --- The case page --------------------------------------------------------------------------------------------


def _case_file(request):
    return _scoped_victims(request).select_related(
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


# --- Editing the details ------------------------------------------------------------------------------------


def _display(form: VictimEditForm, name: str, value) -> str:
    """A field's value as a person reads it (choice labels, dates), for the conflict comparison."""
    if value in (None, "", [], ()):
        return "—"
    if hasattr(value, "pk"):
        return str(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    choices = dict(getattr(form.fields[name], "choices", []) or [])
    if isinstance(value, list | tuple | set):
        return ", ".join(str(choices.get(v, v)) for v in value)
    return str(choices.get(value, value))


def _conflicts(form: VictimEditForm, stored: Victim) -> list[dict]:
    """Fields where what is stored now differs from what the user typed."""
    rows = []
    for name in form.changes():
        typed = form.cleaned_data[name]
        current = getattr(stored, name)
        if isinstance(current, list | tuple):
            same = sorted(current) == sorted(typed or [])
        else:
            same = current == typed or (current in (None, "") and typed in (None, ""))
        if not same:
            rows.append(
                {
                    "field": form[name],
                    "stored": _display(form, name, current),
                    "typed": _display(form, name, typed),
                }
            )
    return rows


@organization_required
def victim_edit(request, pk: int):
    """Edit the person's details. A save based on an old version is refused and the differences are shown."""
    victim = victim_or_404(request, pk)
    conflicts = None
    if request.method == "POST":
        form = VictimEditForm(request.POST, instance=victim)
        if form.is_valid():
            fresh = victim_or_404(request, pk)
            try:
                services.victim_update(
                    victim=fresh,
                    editor=request.user,
                    expected_version=form.cleaned_data["version"],
                    **form.changes(),
                )
            except StaleRecordError:
                stored = victim_or_404(request, pk)
                conflicts = _conflicts(form, stored)
                # Keep everything typed; the form now carries the stored version, so saving again applies it.
                data = request.POST.copy()
                data["version"] = stored.version
                form = VictimEditForm(data, instance=stored)
                form.is_valid()
                form.add_error(
                    None,
                    _(
                        "Someone else saved this case while you were editing it. Nothing you typed is lost: "
                        "compare with what is stored now below, then save again to keep your version."
                    ),
                )
                victim = stored
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Details saved."))
                return back_to_case(victim, "summary")
    elif request.method == "GET":
        form = VictimEditForm(instance=victim)
        audit.record_case_read(request, victim, view="edit_page")
    else:
        return HttpResponseBadRequest()
    return render(request, "cases/victim_edit.html", {"victim": victim, "form": form, "conflicts": conflicts})
