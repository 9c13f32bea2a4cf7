"""The caseworker's and supervisor's working view: what is overdue, due today, awaiting an agency, per person.

Every function here runs a fixed number of queries whatever the caseload (counts are aggregated in the
database with filtered `Count`s), and everything is scoped to one organisation and to what the user may see.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count, F, Func, IntegerField, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Membership, Organization, User
from cases.models import AgencyReferral, RescueRequest, Victim
from cases.models.requests import overdue_condition
from lists.transit import days_since, missing_after_days, missing_in_transit


@dataclass(frozen=True)
class MissingInTransit:
    cases: list[Victim]  # oldest release first, each with `listed_released_on` and `days_since_release`
    count: int
    days: int  # the organisation's "missing after" setting


@dataclass(frozen=True)
class MyWork:
    overdue: list[RescueRequest]
    due_today: list[RescueRequest]
    awaiting_response: list[AgencyReferral]
    counts: dict[str, int]


def end_of_local_day(*, now: datetime, organization: Organization) -> datetime:
    """The first instant of tomorrow in the organisation's time zone (exclusive end of "today")."""
    tz = organization.tzinfo
    local_today = timezone.localtime(now, tz).date()
    return datetime.combine(local_today + timedelta(days=1), time.min, tzinfo=tz)


def my_work(*, user: User, organization: Organization, now: datetime, limit: int = 50) -> MyWork:
    """The user's own follow-ups in one organisation: overdue, due later today, referrals awaiting a response.

    Lists are capped at `limit` rows (oldest due first); `counts` always gives the full numbers.
    Requests nobody is assigned to are not "mine": they appear in `unassigned_counts` for supervisors.
    """
    end_of_today = end_of_local_day(now=now, organization=organization)
    mine = RescueRequest.objects.visible_to(user).visible_to(organization).open().filter(assigned_to=user)
    with_case = mine.select_related("victim", "victim__compound", "victim__border_region").order_by(
        "next_follow_up_at", "pk"
    )
    overdue_q = overdue_condition(now)
    due_today_q = ~overdue_q & Q(next_follow_up_at__lt=end_of_today)

    awaiting = (
        AgencyReferral.objects.visible_to(user)
        .visible_to(organization)
        .filter(sent_by=user, status__in=AgencyReferral.AWAITING_RESPONSE_STATUSES)
    )
    # The four counts the navigation shows, in one query (every page shows them).
    counts = (
        User.objects.filter(pk=user.pk)
        .values(
            open_requests=_count(mine),
            overdue=_count(mine.filter(overdue_q)),
            due_today=_count(mine.filter(due_today_q)),
            awaiting_response=_count(awaiting),
        )
        .get()
    )
    return MyWork(
        overdue=list(with_case.filter(overdue_q)[:limit]) if limit else [],
        due_today=list(with_case.filter(due_today_q)[:limit]) if limit else [],
        awaiting_response=list(awaiting.select_related("victim", "agency").order_by("response_due_at", "pk")[:limit])
        if limit
        else [],
        counts=counts,
    )


def team_load(*, organization: Organization, now: datetime) -> list[dict]:
    """Per member of the team: open requests, overdue requests and open cases assigned to them.

    Lists every active caseworker (even with nothing assigned) and any other member who carries work.
    Three queries: the members, request counts grouped by assignee, case counts grouped by assignee.
    """
    memberships = (
        Membership.objects.filter(organization=organization, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )
    request_rows = (
        RescueRequest.objects.visible_to(organization)
        .open()
        .filter(assigned_to__isnull=False)
        .values("assigned_to")
        .annotate(open_requests=Count("pk"), overdue=Count("pk", filter=overdue_condition(now)))
    )
    requests_by_user = {row["assigned_to"]: row for row in request_rows}
    victim_rows = (
        Victim.objects.visible_to(organization)
        .exclude(status__in=Victim.CLOSED_STATUSES)
        .filter(assigned_to__isnull=False)
        .values("assigned_to")
        .annotate(victims=Count("pk"))
    )
    victims_by_user = {row["assigned_to"]: row["victims"] for row in victim_rows}

    load = []
    for membership in memberships:
        user_id = membership.user_id
        requests = requests_by_user.get(user_id, {})
        row = {
            "user": membership.user,
            "open_requests": requests.get("open_requests", 0),
            "overdue": requests.get("overdue", 0),
            "victims": victims_by_user.get(user_id, 0),
        }
        carries_work = row["open_requests"] or row["victims"]
        if membership.role == Membership.Role.CASEWORKER or carries_work:
            load.append(row)
    return load


def unassigned_counts(*, organization: Organization, now: datetime) -> dict[str, int]:
    """Work nobody is assigned to: open requests, of which overdue, and open cases. One query."""
    requests = RescueRequest.objects.visible_to(organization).open().filter(assigned_to__isnull=True)
    victims = (
        Victim.objects.visible_to(organization)
        .exclude(status__in=Victim.CLOSED_STATUSES)
        .filter(assigned_to__isnull=True)
    )
    return (
        Organization.objects.filter(pk=organization.pk)
        .values(
            open_requests=_count(requests),
            overdue=_count(requests.filter(overdue_condition(now))),
            victims=_count(victims),
        )
        .get()
    )


def _count(queryset) -> Coalesce:
    """`SELECT COUNT(*)` of `queryset` as a scalar subquery (no GROUP BY), to put several counts in one query."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
    return Coalesce(Subquery(counted.values("n")[:1]), 0)


def missing_in_transit_cases(
    *, victims, organization: Organization, now: datetime, limit: int = 50
) -> MissingInTransit:
    """The cases of `victims` released on a list but not arrived nor heard from since (lists.transit).

    Two or three queries: the setting, the rows (oldest release first), the count only when the rows fill `limit`.
    """
    days = missing_after_days(organization)
    rows = (
        missing_in_transit(victims, organization=organization, now=now, days=days)
        .select_related("assigned_to")
        .only("id", "case_number", "full_name", "status", "assigned_to__display_name", "assigned_to__email")
        .order_by("listed_released_on", "pk")
    )
    cases = list(rows[:limit])
    for victim in cases:
        victim.days_since_release = days_since(victim.listed_released_on, organization=organization, now=now)
    count = len(cases) if len(cases) < limit else rows.count()
    return MissingInTransit(cases=cases, count=count, days=days)
