"""The case list: filters, sorting and cheap pagination, and the search box that keeps names out of URLs.

Every list is scoped to the organisation the user works in (`Victim.objects.visible_to`).
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import organization_required
from audit import trail as audit
from core.fields import secret_field_names

from ..filters import (
    RISK_RANK,
    VictimFilter,
    looks_like_case_number,
    offer_member_choices,
    offer_place_choices,
    search_term_for,
    store_search_term,
)
from ..models import RescueRequest, Victim
from ..models.requests import open_condition, overdue_condition
from .choice_labels import label_choices
from .paging import COUNT_CAP, planner_estimate

PAGE_SIZE = 50


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
    offer_member_choices(victim_filter.form, request.organization)
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
    label_choices(rows, status_label="status", risk_label="risk_level")
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
