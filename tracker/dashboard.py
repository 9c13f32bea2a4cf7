"""The caseworker's and supervisor's working view: what is overdue, due today, awaiting an agency, per person.

Every function here runs a fixed number of queries whatever the caseload (counts are aggregated in the
database with filtered `Count`s), and everything is scoped to one organisation and to what the user may see.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Case, F, Func, IntegerField, OuterRef, Q, Subquery, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from accounts.models import Membership, Organization, User
from cases.models import AgencyReferral, RescueRequest, Victim
from cases.models.requests import overdue_condition
from lists.models import ListSettings
from lists.transit import DEFAULT_MISSING_AFTER_DAYS, days_since, missing_after_days, missing_in_transit


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


def navigation_count_expressions(*, user: User, organization: Organization, now: datetime) -> dict:
    """The four counts the navigation shows, as scalar subqueries (to put in any one-row query)."""
    end_of_today = end_of_local_day(now=now, organization=organization)
    mine = RescueRequest.objects.visible_to(user).visible_to(organization).open().filter(assigned_to=user)
    overdue_q = overdue_condition(now)
    awaiting = (
        AgencyReferral.objects.visible_to(user)
        .visible_to(organization)
        .filter(sent_by=user, status__in=AgencyReferral.AWAITING_RESPONSE_STATUSES)
    )
    return {
        "open_requests": _count(mine),
        "overdue": _count(mine.filter(overdue_q)),
        "due_today": _count(mine.filter(~overdue_q & Q(next_follow_up_at__lt=end_of_today))),
        "awaiting_response": _count(awaiting),
    }


def next_count_change_expression(*, user: User, organization: Organization, now: datetime) -> Subquery:
    """When the user's navigation counts next change by the clock alone: their earliest open request not yet
    overdue falls due (None when there is none). The local day's end is the other such moment."""
    mine = RescueRequest.objects.visible_to(user).visible_to(organization).open().filter(assigned_to=user)
    upcoming = (
        mine.filter(~overdue_condition(now), next_follow_up_at__isnull=False)
        .order_by("next_follow_up_at")
        .values("next_follow_up_at")
    )
    return Subquery(upcoming[:1])


def missing_after_days_expression(organization: Organization) -> Coalesce:
    """The organisation's "missing in transit after" setting as a scalar subquery (lists.transit's default)."""
    setting = ListSettings.objects.filter(organization=organization).values("missing_after_days")[:1]
    return Coalesce(Subquery(setting), Value(DEFAULT_MISSING_AFTER_DAYS), output_field=IntegerField())


def my_work(
    *, user: User, organization: Organization, now: datetime, limit: int = 50, also: dict | None = None
) -> MyWork:
    """The user's own follow-ups in one organisation: overdue, due later today, referrals awaiting a response.

    Lists are capped at `limit` rows (oldest due first); `counts` always gives the full numbers, and the values
    of the expressions in `also` (computed in the same query). Requests nobody is assigned to are not "mine":
    they appear in `unassigned_counts` for supervisors. Three queries (one with `limit=0`).
    """
    end_of_today = end_of_local_day(now=now, organization=organization)
    mine = RescueRequest.objects.visible_to(user).visible_to(organization).open().filter(assigned_to=user)
    overdue_q = overdue_condition(now)
    awaiting = (
        AgencyReferral.objects.visible_to(user)
        .visible_to(organization)
        .filter(sent_by=user, status__in=AgencyReferral.AWAITING_RESPONSE_STATUSES)
    )
    # The four counts the navigation shows, in one query (every page shows them).
    counts = (
        User.objects.filter(pk=user.pk)
        .values(**navigation_count_expressions(user=user, organization=organization, now=now), **(also or {}))
        .get()
    )
    overdue, due_today = [], []
    if limit:
        # Overdue and due later today in one query, oldest due first in each section, the first `limit` of each.
        section = Case(When(overdue_q, then=Value(0)), default=Value(1), output_field=IntegerField())
        due = (
            mine.filter(next_follow_up_at__lt=end_of_today)
            .select_related("victim", "victim__compound", "victim__border_region")
            .annotate(due_section=section)
            .order_by("due_section", "next_follow_up_at", "pk")
        )
        if counts["overdue"] > limit or counts["due_today"] > limit:
            # Only then number each section's rows in the database (a window and the subquery around it cost
            # several milliseconds of ORM work per page); below the limits every row of both sections comes.
            due = due.annotate(
                due_rank=Window(RowNumber(), partition_by=[section], order_by=[F("next_follow_up_at"), F("pk")])
            ).filter(due_rank__lte=limit)
        for row in due:
            section_rows = overdue if row.due_section == 0 else due_today
            if len(section_rows) < limit:  # a row added since the counts were read can make a section longer
                section_rows.append(row)
    return MyWork(
        overdue=overdue,
        due_today=due_today,
        awaiting_response=list(awaiting.select_related("victim", "agency").order_by("response_due_at", "pk")[:limit])
        if limit
        else [],
        counts=counts,
    )


def team_load(*, organization: Organization, now: datetime) -> list[dict]:
    """Per member of the team: open requests, overdue requests and open cases assigned to them.

    Lists every active caseworker (even with nothing assigned) and any other member who carries work.
    One query: the members, each with their three counts as subqueries (each an index range on the assignee).
    """
    requests = RescueRequest.objects.visible_to(organization).open().filter(assigned_to=OuterRef("user_id"))
    victims = (
        Victim.objects.visible_to(organization)
        .exclude(status__in=Victim.CLOSED_STATUSES)
        .filter(assigned_to=OuterRef("user_id"))
    )
    memberships = (
        Membership.objects.filter(organization=organization, is_active=True, user__is_active=True)
        .select_related("user")
        .annotate(
            open_requests=_count(requests),
            overdue=_count(requests.filter(overdue_condition(now))),
            victims=_count(victims),
        )
        .order_by("user__display_name", "user__email")
    )

    load = []
    for membership in memberships:
        row = {
            "user": membership.user,
            "open_requests": membership.open_requests,
            "overdue": membership.overdue,
            "victims": membership.victims,
        }
        carries_work = row["open_requests"] or row["victims"]
        if membership.role == Membership.Role.CASEWORKER or carries_work:
            load.append(row)
    return load


def unassigned_count_expressions(*, organization: Organization, now: datetime) -> dict:
    requests = RescueRequest.objects.visible_to(organization).open().filter(assigned_to__isnull=True)
    victims = (
        Victim.objects.visible_to(organization)
        .exclude(status__in=Victim.CLOSED_STATUSES)
        .filter(assigned_to__isnull=True)
    )
    return {
        "open_requests": _count(requests),
        "overdue": _count(requests.filter(overdue_condition(now))),
        "victims": _count(victims),
    }


def unassigned_counts(*, organization: Organization, now: datetime) -> dict[str, int]:
    """Work nobody is assigned to: open requests, of which overdue, and open cases. One query."""
    return (
        Organization.objects.filter(pk=organization.pk)
        .values(**unassigned_count_expressions(organization=organization, now=now))
        .get()
    )


def team_counts(*, user: User, organization: Organization, now: datetime) -> tuple[dict, dict, int]:
    """The Team page's numbers in one query: the unassigned counts, the supervisor's own navigation counts and
    the "missing in transit after" setting."""
    unassigned = unassigned_count_expressions(organization=organization, now=now)
    navigation = navigation_count_expressions(user=user, organization=organization, now=now)
    row = (
        Organization.objects.filter(pk=organization.pk)
        .values(
            **{f"unassigned_{name}": value for name, value in unassigned.items()},
            **{f"nav_{name}": value for name, value in navigation.items()},
            missing_after_days=missing_after_days_expression(organization),
        )
        .get()
    )
    return (
        {name: row[f"unassigned_{name}"] for name in unassigned},
        {name: row[f"nav_{name}"] for name in navigation},
        row["missing_after_days"],
    )


def _count(queryset) -> Coalesce:
    """`SELECT COUNT(*)` of `queryset` as a scalar subquery (no GROUP BY), to put several counts in one query.

    COUNT(*), not COUNT(id): with every column it filters on in one index, PostgreSQL counts from the index alone.
    """
    counted = queryset.order_by().annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
    return Coalesce(Subquery(counted.values("n")[:1]), 0)


def missing_in_transit_cases(
    *, victims, organization: Organization, now: datetime, limit: int = 50, days: int | None = None
) -> MissingInTransit:
    """The cases of `victims` released on a list but not arrived nor heard from since (lists.transit).

    One or two queries (the rows, oldest release first; the count only when the rows fill `limit`), and one more
    for the organisation's setting unless the caller passes `days` (read with its other numbers).
    """
    days = missing_after_days(organization) if days is None else days
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
