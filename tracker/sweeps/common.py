"""What the due-item sweeps share: results, dedupe-key times, the team a sweep reminds, reading due rows in chunks
and turning drafts into outbox rows once by key."""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, partial

from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation

from accounts.models import Membership, Organization
from cases.models import RescueRequest

from ..email_shapes import ShapeRenderer
from ..links import case_link
from ..outbox import Draft, enqueue, existing_keys, render_email

CHUNK = 500
logger = logging.getLogger("tracker.sweeps")


@dataclass(frozen=True)
class Planned:
    """One email a sweep intends to send, for --dry-run output: case numbers only."""

    kind: str
    case_number: str
    recipient_id: int


@dataclass
class SweepResult:
    found: int = 0  # due items looked at
    queued: int = 0  # newly reminded items (an outbox row each, except reminders: see emails)
    planned: list[Planned] | None = None  # filled in dry runs
    emails: int | None = None  # new outbox rows, where one email lists several queued items (reminders)

    def as_dict(self) -> dict[str, int]:
        counts = {"found": self.found, "queued": self.queued}
        return counts if self.emails is None else {**counts, "emails": self.emails}


def key_time(moment: datetime) -> str:
    """A due date as it appears in dedupe keys: UTC, to the second."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def chunks(queryset: QuerySet) -> Iterator[list]:
    """Walk a queryset CHUNK rows per query: one scan for the ids, then look-ups by primary key.

    Each chunk re-applies the queryset's conditions, so a row that stopped being due meanwhile is skipped.
    """
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        yield list(queryset.filter(pk__in=ids[start : start + CHUNK]).order_by("pk"))


class Team:
    """The active members of the organisations a sweep touches, loaded in one query."""

    def __init__(self, organization_ids: set[int]):
        self.organizations = Organization.objects.in_bulk(organization_ids)
        self.members: dict[int, dict[int, Membership]] = defaultdict(dict)
        for membership in Membership.objects.filter(
            organization_id__in=organization_ids, is_active=True, user__is_active=True
        ).select_related("user", "organization"):
            self.members[membership.organization_id][membership.user_id] = membership

    def member(self, organization_id: int, user_id: int | None) -> Membership | None:
        return self.members[organization_id].get(user_id) if user_id else None

    def supervisors(self, organization_id: int) -> list[Membership]:
        """Supervisors of an organisation; its admins only when it has no supervisor."""
        members = self.members[organization_id].values()
        supervisors = [m for m in members if m.role == Membership.Role.SUPERVISOR]
        return supervisors or [m for m in members if m.role == Membership.Role.ORG_ADMIN]


def reminder_round(*, request: RescueRequest, now: datetime) -> int:
    """0 on the due date, 1 once it is overdue by one more cadence, 2 after two, ...

    A request left overdue falls due again every cadence: each round is a new reminder (and counts towards
    the organisation's "escalate after N unanswered reminders").
    """
    return rounds_overdue(request.next_follow_up_at, request.organization.cadence_for(request.priority), now=now)


def rounds_overdue(due_at: datetime, cadence, *, now: datetime) -> int:
    """`reminder_round` from the values alone (the reminder sweep reads rows, not model instances)."""
    return int((now - due_at) // cadence)


def overdue_requests(*, now: datetime, organization: Organization | None) -> QuerySet:
    """The open requests whose follow-up is due, of one organisation or all."""
    due = RescueRequest.objects.overdue(now=now)
    return due if organization is None else due.filter(organization=organization)


def _due_requests(*, now: datetime, organization: Organization | None) -> QuerySet:
    return (
        overdue_requests(now=now, organization=organization)
        .select_related("victim", "assigned_to")
        .only(
            "pk",
            "priority",
            "status",
            "next_follow_up_at",
            "assigned_to_id",
            "assigned_to__display_name",
            "organization_id",
            "victim_id",
            "victim__case_number",
        )
    )


def _due_chunks(due: QuerySet, team: "Team") -> Iterator[list[RescueRequest]]:
    """`chunks(due)`, each request given its organisation from the team's (one instance per organisation)."""
    for chunk in chunks(due):
        for request in chunk:
            request.organization = team.organizations[request.organization_id]
        yield chunk


def _request_context(*, request: RescueRequest, now: datetime) -> dict:
    return {
        "case_number": request.victim.case_number,
        "priority": RescueRequest.Priority(request.priority).label,  # lazy: rendered in each recipient's language
        "due_at": request.next_follow_up_at,
        "days_overdue": request.days_overdue(now=now),
        "case_url": case_link(request.victim_id),
        "organization": request.organization,
        "timezone": request.organization.timezone,
        "assigned_to": request.assigned_to.display_name if request.assigned_to_id else None,
    }


def rendered(
    template: str,
    context: dict,
    subject: Callable[[dict], str],
    *,
    shapes: ShapeRenderer | None = None,
    times: tuple[str, ...] = ("due_at",),
) -> Callable[[Membership], Callable[[], tuple[str, str, str]]]:
    """The email for one due item, per recipient in their own language (User.language), rendered on first use
    only and once per language: items whose keys all exist cost no rendering.

    With `shapes` (one per sweep run), items of the same shape share one template render (tracker/email_shapes.py).
    """

    @cache
    def content(language: str) -> tuple[str, str, str]:
        with translation.override(language):
            if shapes is not None:
                text, html = shapes.render(template=template, context=context, times=times)
            else:
                text, html = render_email(template=template, context=context)
            return str(subject(context)), text, html

    def for_recipient(membership: Membership) -> Callable[[], tuple[str, str, str]]:
        return partial(content, membership.user.preferred_language)

    return for_recipient


def _finish(result: SweepResult, drafts: list[Draft], plans: list[Planned], *, now: datetime, dry_run: bool) -> None:
    known = existing_keys(d.dedupe_key for d in drafts)
    fresh = [(d, p) for d, p in zip(drafts, plans, strict=True) if d.dedupe_key not in known]
    if dry_run:
        result.planned.extend(p for _d, p in fresh)
        result.queued += len(fresh)
        return
    for draft, _plan in fresh:
        draft.subject, draft.body_text, draft.body_html = draft.content()
    with transaction.atomic():
        result.queued += enqueue([d for d, _p in fresh], now=now)
