"""My work (the home page) and the supervisors' team view. Both run a fixed number of queries."""

from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.decorators import organization_required, permission_required
from accounts.permissions import Action
from audit.trail import record_reads
from cases.models import RescueRequest, Victim

from .dashboard import missing_after_days_expression, missing_in_transit_cases, team_counts, team_load
from .dashboard import my_work as my_work_for

LIST_LIMIT = 50
RECENT_LIMIT = 15

# Only what the tables show: the rows are sorted before the LIMIT, so narrow rows keep that sort cheap.
REQUEST_COLUMNS = (
    "id",
    "victim_id",
    "priority",
    "status",
    "next_follow_up_at",
    "victim__case_number",
    "victim__full_name",
    "victim__compound__name",
)
VICTIM_COLUMNS = (
    "id",
    "case_number",
    "full_name",
    "status",
    "risk_level",
    "created_at",
    "updated_at",
    "compound__name",
)

PRIORITY_ORDER = Case(
    When(priority=RescueRequest.Priority.URGENT, then=Value(0)),
    When(priority=RescueRequest.Priority.HIGH, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _with_days_overdue(requests, *, now):
    for request in requests:
        request.days_overdue_now = request.days_overdue(now=now)
    return requests


@require_GET
@organization_required
def my_work(request):
    """Overdue follow-ups first, then due today, open requests by priority, referrals awaiting, recent cases."""
    now = timezone.now()
    organization = request.organization
    work = my_work_for(
        user=request.user,
        organization=organization,
        now=now,
        limit=LIST_LIMIT,
        also={"missing_after_days": missing_after_days_expression(organization)},  # in the same query
    )
    request.nav_counts = work.counts  # the navigation shows the same counts: no second query
    open_requests = list(
        RescueRequest.objects.visible_to(request.user)
        .visible_to(organization)
        .open()
        .filter(assigned_to=request.user)
        .select_related("victim", "victim__compound")
        .only(*REQUEST_COLUMNS)
        .annotate(priority_rank=PRIORITY_ORDER)
        .order_by("priority_rank", "next_follow_up_at", "pk")[:LIST_LIMIT]
    )
    recent_cases = list(
        Victim.objects.visible_to(request.user)
        .visible_to(organization)
        .filter(assigned_to=request.user)
        .select_related("compound")
        .only(*VICTIM_COLUMNS)
        .order_by("-updated_at", "-pk")[:RECENT_LIMIT]
    )
    missing = missing_in_transit_cases(
        victims=Victim.objects.visible_to(request.user).visible_to(organization).filter(assigned_to=request.user),
        organization=organization,
        now=now,
        limit=LIST_LIMIT,
        days=work.counts["missing_after_days"],
    )
    shown = [row.victim for row in (*work.overdue, *work.due_today, *open_requests, *work.awaiting_response)]
    record_reads(request, [*shown, *recent_cases, *missing.cases], view="my_work", organization_id=organization.pk)
    return render(
        request,
        "tracker/my_work.html",
        {
            "now": now,
            "overdue": _with_days_overdue(work.overdue, now=now),
            "due_today": work.due_today,
            "open_requests": _with_days_overdue(open_requests, now=now),
            "awaiting_response": work.awaiting_response,
            "recent_cases": recent_cases,
            "missing": missing,
            "counts": work.counts,
            "list_limit": LIST_LIMIT,
            "tab": "mine",
        },
    )


@require_GET
@permission_required(Action.VIEW_TEAM)
def team(request):
    """Per-caseworker load and overdue counts, the cases and requests nobody is assigned to, and who is
    missing in transit (released on a list, not arrived nor heard from since)."""
    now = timezone.now()
    organization = request.organization
    unassigned_cases = list(
        Victim.objects.visible_to(organization)
        .exclude(status__in=Victim.CLOSED_STATUSES)
        .filter(assigned_to__isnull=True)
        .select_related("compound")
        .only(*VICTIM_COLUMNS)
        .order_by("-created_at", "-pk")[:LIST_LIMIT]
    )
    unassigned_requests = list(
        RescueRequest.objects.visible_to(organization)
        .open()
        .filter(assigned_to__isnull=True)
        .select_related("victim", "victim__compound")
        .only(*REQUEST_COLUMNS)
        .annotate(priority_rank=PRIORITY_ORDER)
        .order_by("next_follow_up_at", "priority_rank", "pk")[:LIST_LIMIT]
    )
    # One query for the unassigned counts, the navigation's counts and the setting "missing in transit" needs.
    unassigned, request.nav_counts, missing_days = team_counts(user=request.user, organization=organization, now=now)
    missing = missing_in_transit_cases(
        victims=Victim.objects.visible_to(request.user).visible_to(organization),
        organization=organization,
        now=now,
        days=missing_days,
    )
    shown = [*unassigned_cases, *(row.victim for row in unassigned_requests), *missing.cases]
    record_reads(request, shown, view="team", organization_id=organization.pk)
    return render(
        request,
        "tracker/team.html",
        {
            "now": now,
            "load": team_load(organization=organization, now=now),
            "unassigned": unassigned,
            "unassigned_cases": unassigned_cases,
            "unassigned_requests": _with_days_overdue(unassigned_requests, now=now),
            "missing": missing,
            "list_limit": LIST_LIMIT,
            "tab": "team",
        },
    )
