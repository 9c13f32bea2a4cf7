"""The facts a weekly digest reports, read for all the members of one run in a fixed number of queries.

Language-free: plain records and counts. tracker/digests.py words and renders them in each member's language.
"""

from collections import Counter
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.db.models import Count, F, IntegerField, Q, Value, Window
from django.db.models.functions import RowNumber

from accounts.models import Organization
from cases.models import AgencyReferral, RescueRequest, Victim, VictimStatusChange
from cases.models.requests import overdue_condition
from homecoming.selectors import digest_counts as homecoming_counts
from lists.transit import missing_in_transit

from .dashboard import team_load, unassigned_counts
from .models import OutboxMessage

LIST_LIMIT = 50  # rows per section; the counts always give the full number
SILENT_AFTER = timedelta(days=14)  # a case with no contact for this long is listed as silent

REQUEST_FIELDS = ("pk", "priority", "status", "next_follow_up_at", "victim_id")


# Who a section's rows belong to, for a member without the team view (their own work); a supervisor sees the
# whole organisation's.
OWNER = {"requests": "assigned_to", "victims": "assigned_to", "referrals": "sent_by", "changes": "victim__assigned_to"}
NO_COUNTS = {"open": 0, "overdue": 0, "urgent": 0, "high": 0, "normal": 0}


def first_rows(queryset, *, owner: str | None, order: tuple[str, ...], fields: tuple[str, ...], **named) -> dict:
    """The first LIST_LIMIT rows of `queryset` per `owner` (user id; None: the whole queryset), as
    {owner: (count, rows)}; the count is the group's full number. One query (a window over each group).

    Rows are plain records of `fields` and `named` expressions, not model instances: a run reads thousands, and
    making model instances (with their signals) was most of the time spent reading."""
    partition = [F(owner)] if owner else None
    rows = (
        queryset.annotate(
            digest_owner=F(owner) if owner else Value(None, output_field=IntegerField()),
            digest_rank=Window(RowNumber(), partition_by=partition, order_by=list(order)),
            digest_total=Window(Count("pk"), partition_by=partition),
        )
        .filter(digest_rank__lte=LIST_LIMIT)
        .order_by("digest_owner", *order)
        .values(*fields, "digest_owner", "digest_total", **named)
    )
    grouped: dict = {}
    for row in rows:
        grouped.setdefault(row["digest_owner"], (row["digest_total"], []))[1].append(SimpleNamespace(**row))
    return grouped


def facts(*, organization: Organization, now: datetime, owners: list[int] | None) -> dict:
    """Language-free facts of the digest per owner: each member's own work (`owners`: their user ids), or with
    `owners=None` the whole organisation's (key None). A fixed number of queries, whatever the number of owners."""
    week_start = now - timedelta(days=7)
    requests = RescueRequest.objects.visible_to(organization).open()
    victims = Victim.objects.visible_to(organization)
    referrals = AgencyReferral.objects.visible_to(organization)
    changes = VictimStatusChange.objects.visible_to(organization)
    owner = dict.fromkeys(OWNER) if owners is None else OWNER
    if owners is not None:
        requests = requests.filter(assigned_to__in=owners)
        victims = victims.filter(assigned_to__in=owners)
        referrals = referrals.filter(sent_by__in=owners)
        changes = changes.filter(victim__assigned_to__in=owners)
    counting = {
        "open": Count("pk"),
        "overdue": Count("pk", filter=overdue_condition(now)),
        "urgent": Count("pk", filter=Q(priority=RescueRequest.Priority.URGENT)),
        "high": Count("pk", filter=Q(priority=RescueRequest.Priority.HIGH)),
        "normal": Count("pk", filter=Q(priority=RescueRequest.Priority.NORMAL)),
    }
    if owners is None:
        request_counts = {None: requests.aggregate(**counting)}
    else:
        request_counts = {
            row.pop("assigned_to"): row for row in requests.order_by().values("assigned_to").annotate(**counting)
        }
    sections = {
        "overdue": first_rows(
            requests.filter(overdue_condition(now)),
            owner=owner["requests"],
            order=("next_follow_up_at", "pk"),
            fields=REQUEST_FIELDS,
            case_number=F("victim__case_number"),
        ),
        "awaiting": first_rows(
            referrals.filter(status__in=AgencyReferral.AWAITING_RESPONSE_STATUSES),
            owner=owner["referrals"],
            order=("response_due_at", "pk"),
            fields=("pk", "response_due_at", "victim_id"),
            case_number=F("victim__case_number"),
        ),
        "new_cases": first_rows(
            victims.filter(created_at__gt=week_start, created_at__lte=now),
            owner=owner["victims"],
            order=("created_at", "pk"),
            fields=("pk", "case_number", "created_at"),
        ),
        "status_changes": first_rows(
            changes.filter(changed_at__gt=week_start, changed_at__lte=now),
            owner=owner["changes"],
            order=("changed_at", "pk"),
            fields=("pk", "from_status", "to_status", "changed_at", "victim_id"),
            case_number=F("victim__case_number"),
        ),
        "silent": first_rows(
            victims.exclude(status__in=Victim.CLOSED_STATUSES).filter(
                Q(last_contact_at__lt=now - SILENT_AFTER)
                | Q(last_contact_at__isnull=True, created_at__lt=now - SILENT_AFTER)
            ),
            owner=owner["victims"],
            order=("last_contact_at", "pk"),
            fields=("pk", "case_number", "last_contact_at"),
        ),
    }
    # Counts only: who is missing in transit is for the signed-in pages, not for an email.
    missing = missing_in_transit(victims, organization=organization, now=now)
    if owners is None:
        missing_counts = {None: missing.count()}
    else:
        missing_counts = Counter(missing.values_list("assigned_to", flat=True))
    keys = [None] if owners is None else owners
    return {
        key: {
            "request_counts": {**NO_COUNTS, **request_counts.get(key, {})},
            **{name: rows.get(key, (0, [])) for name, rows in sections.items()},
            "missing_in_transit": missing_counts.get(key, 0),
        }
        for key in keys
    }


def escalated(*, organization: Organization, now: datetime) -> tuple[int, list[RescueRequest]]:
    """The organisation's requests escalated this week (for supervisors): their number and the first rows."""
    escalated_ids = (
        OutboxMessage.objects.filter(
            organization=organization,
            kind=OutboxMessage.Kind.ESCALATION,
            created_at__gt=now - timedelta(days=7),
            created_at__lte=now,
        )
        .values_list("object_id", flat=True)
        .distinct()
    )
    rows = first_rows(
        RescueRequest.objects.visible_to(organization).filter(pk__in=escalated_ids),
        owner=None,
        order=("next_follow_up_at", "pk"),
        fields=REQUEST_FIELDS,
        case_number=F("victim__case_number"),
    )
    return rows.get(None, (0, []))


def team_facts(*, organization: Organization, now: datetime) -> dict:
    """What only supervisors' digests add, the same for all of them. Four queries (homecoming's counts, two)."""
    team = [
        {"name": row["user"].display_name, **{k: v for k, v in row.items() if k != "user"}}
        for row in team_load(organization=organization, now=now)
    ]
    return {
        "escalations": escalated(organization=organization, now=now),
        "team": team,
        "unassigned": unassigned_counts(organization=organization, now=now),
        "homecoming": homecoming_counts(organization=organization, now=now),
    }
