"""The due-item sweeps: follow-up reminders, escalations to supervisors and referral chases.

Each sweep reads what is due from the database, turns it into outbox drafts with a dedupe key, and inserts the
new ones. Running a sweep twice, or two at once, adds nothing the first did not: the key decides.
Queries are batched per chunk of due rows, never per row.
"""

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, partial

from django.db import transaction
from django.db.models import Case, Count, QuerySet, Value, When
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization
from cases.models import AgencyReferral, RescueRequest
from cases.signals import requests_overdue

from .email_shapes import ShapeRenderer
from .links import case_link
from .models import OutboxMessage, ReminderItem
from .outbox import Draft, enqueue, existing_keys, render_email
from .reminder_email import ReminderLine, reminder_email

CHUNK = 500
logger = logging.getLogger(__name__)


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
    cadence = request.organization.cadence_for(request.priority)
    return int((now - request.next_follow_up_at) // cadence)


def should_escalate(*, request: RescueRequest, now: datetime, reminders_sent: int) -> bool:
    """Overdue by more than its cadence again, or, if the organisation says so, after N unanswered reminders."""
    organization = request.organization
    if organization.escalate_after_reminders:
        return reminders_sent >= organization.escalate_after_reminders
    return now - request.next_follow_up_at > organization.cadence_for(request.priority)


def _due_requests(*, now: datetime, organization: Organization | None) -> QuerySet:
    due = RescueRequest.objects.overdue(now=now)
    if organization is not None:
        due = due.filter(organization=organization)
    return due.select_related("victim", "assigned_to").only(
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


@dataclass
class DueReminder:
    """One due follow-up for one recipient: a line of that recipient's reminder email."""

    request: RescueRequest
    round: int
    membership: Membership
    unassigned: bool

    @property
    def key(self) -> str:
        due = key_time(self.request.next_follow_up_at)
        return f"reminder:{self.request.pk}:{due}:{self.round}:{self.membership.user_id}"


def sweep_reminders(*, now: datetime, dry_run: bool = False, organization: Organization | None = None) -> SweepResult:
    """Remind the assigned caseworker (else the supervisors) of every open request whose follow-up is due.

    One email per recipient lists all of their due follow-ups; each line has its own ledger row (ReminderItem)
    whose unique key says that round of that request reached that person once.
    """
    result = SweepResult(planned=[] if dry_run else None, emails=0)
    due = _due_requests(now=now, organization=organization)
    team = Team(set(due.values_list("organization_id", flat=True).distinct()))
    per_recipient: dict[tuple[int, int], list[DueReminder]] = defaultdict(list)
    read_chunks = []
    for chunk in _due_chunks(due, team):
        read_chunks.append(chunk)
        for request in chunk:
            result.found += 1
            caseworker = team.member(request.organization_id, request.assigned_to_id)
            recipients = [caseworker] if caseworker else team.supervisors(request.organization_id)
            if not recipients:
                logger.error("rescue request %s: no caseworker or supervisor to remind", request.pk)
            round_ = reminder_round(request=request, now=now)
            for membership in recipients:
                per_recipient[(request.organization_id, membership.user_id)].append(
                    DueReminder(request, round_, membership, unassigned=not caseworker)
                )
    # A few recipients per transaction, about CHUNK lines each time: a crash loses only an uncommitted group.
    group: list[list[DueReminder]] = []
    for lines in per_recipient.values():
        group.append(lines)
        if sum(len(g) for g in group) >= CHUNK:
            _queue_reminders(group, result=result, now=now, dry_run=dry_run)
            group = []
    _queue_reminders(group, result=result, now=now, dry_run=dry_run)
    if not dry_run:
        for chunk in read_chunks:
            requests_overdue.send(sender=RescueRequest, requests=chunk, now=now)  # e.g. the api app's webhooks
    return result


def _queue_reminders(group: list[list[DueReminder]], *, result: SweepResult, now: datetime, dry_run: bool) -> None:
    """Insert the group's ledger rows; the ones new to this transaction become one outbox row per recipient.

    Set-based: the ledger insert skips keys that exist (ON CONFLICT DO NOTHING; a concurrent sweep inserting the
    same key waits for the other's commit, then skips it), and the rows tagged with this batch are the new ones.
    """
    lines = sorted((line for lines in group for line in lines), key=lambda line: line.key)  # one lock order
    if not lines:
        return
    if dry_run:
        keys = [line.key for line in lines]
        known = set(ReminderItem.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
        fresh = [line for line in lines if line.key not in known]
        result.planned.extend(Planned("reminder", li.request.victim.case_number, li.membership.user_id) for li in fresh)
        result.queued += len(fresh)
        return
    batch = uuid.uuid4().hex
    with transaction.atomic():
        ReminderItem.objects.bulk_create(
            [
                ReminderItem(
                    dedupe_key=line.key,
                    request_id=line.request.pk,
                    due_at=line.request.next_follow_up_at,
                    sequence=line.round,
                    recipient_id=line.membership.user_id,
                    batch=batch,
                    created_at=now,
                )
                for line in lines
            ],
            batch_size=500,
            ignore_conflicts=True,
        )
        new = set(ReminderItem.objects.filter(batch=batch).values_list("dedupe_key", flat=True))
        if not new:
            return
        messages, keys_of = [], {}
        for recipient_lines in group:
            fresh = [line for line in recipient_lines if line.key in new]
            if fresh:
                message = _reminder_email(fresh, batch=batch, now=now)
                messages.append(message)
                keys_of[message.dedupe_key] = [line.key for line in fresh]
        OutboxMessage.objects.bulk_create(messages, batch_size=200)
        ids = dict(
            OutboxMessage.objects.filter(dedupe_key__startswith=f"reminders:{batch}:").values_list("dedupe_key", "pk")
        )
        # By the lines' own keys: one person can be a member of two organisations, each its own email.
        ReminderItem.objects.filter(batch=batch).update(
            message_id=Case(*(When(dedupe_key__in=keys_of[key], then=Value(pk)) for key, pk in ids.items()))
        )
    result.queued += len(new)
    result.emails += len(messages)


def _reminder_email(lines: list[DueReminder], *, batch: str, now: datetime) -> OutboxMessage:
    """One recipient's reminder: every due follow-up in one email, rendered once, in their language."""
    membership = lines[0].membership
    organization = lines[0].request.organization
    subject, text, html = reminder_email(
        [
            ReminderLine(
                case_number=line.request.victim.case_number,
                victim_id=line.request.victim_id,
                priority=line.request.priority,
                due_at=line.request.next_follow_up_at,
                days_overdue=line.request.days_overdue(now=now),
                round=line.round,
                unassigned=line.unassigned,
            )
            for line in lines
        ],
        language=membership.user.preferred_language,
        organization=organization,
        timezone=str(organization.timezone),
    )
    return OutboxMessage(
        organization_id=organization.pk,
        kind=OutboxMessage.Kind.REMINDER,
        dedupe_key=f"reminders:{batch}:{organization.pk}:{membership.user_id}",
        recipient_id=membership.user_id,
        recipient_email=membership.user.email,
        subject=subject,
        body_text=text,
        body_html=html,
        due_at=min(line.request.next_follow_up_at for line in lines),
        created_at=now,
        next_attempt_at=now,
    )


def _reminder_rounds(requests: list[RescueRequest]) -> dict[tuple[int, datetime], int]:
    """How many reminder rounds went out for each request at its current due date (one query)."""
    if not requests:
        return {}
    rows = (
        ReminderItem.objects.filter(request_id__in=[r.pk for r in requests])
        .values("request_id", "due_at")
        .annotate(rounds=Count("sequence", distinct=True))
    )
    return {(row["request_id"], row["due_at"]): row["rounds"] for row in rows}


def sweep_escalations(
    *, now: datetime, dry_run: bool = False, organization: Organization | None = None, render_by_shape: bool = True
) -> SweepResult:
    """Tell the supervisors about requests overdue past the organisation's threshold, once per due date."""
    result = SweepResult(planned=[] if dry_run else None)
    shapes = ShapeRenderer() if render_by_shape else None
    due = _due_requests(now=now, organization=organization)
    team = Team(set(due.values_list("organization_id", flat=True).distinct()))
    for chunk in _due_chunks(due, team):
        rounds = _reminder_rounds(chunk)
        drafts, plans = [], []
        for request in chunk:
            reminders_sent = rounds.get((request.pk, request.next_follow_up_at), 0)
            if not should_escalate(request=request, now=now, reminders_sent=reminders_sent):
                continue
            result.found += 1
            context = {**_request_context(request=request, now=now), "reminders_sent": reminders_sent}
            content = rendered(
                "escalation",
                context,
                lambda c: (
                    _("Escalation: %(case)s is %(days)s days overdue")
                    % {"case": c["case_number"], "days": c["days_overdue"]}
                ),
                shapes=shapes,
            )
            for membership in team.supervisors(request.organization_id):
                drafts.append(
                    Draft(
                        organization_id=request.organization_id,
                        kind=OutboxMessage.Kind.ESCALATION,
                        dedupe_key=f"escalation:{request.pk}:{key_time(request.next_follow_up_at)}:{membership.user_id}",
                        recipient_id=membership.user_id,
                        recipient_email=membership.user.email,
                        content=content(membership),
                        about=request,
                        due_at=request.next_follow_up_at,
                    )
                )
                plans.append(Planned("escalation", request.victim.case_number, membership.user_id))
        _finish(result, drafts, plans, now=now, dry_run=dry_run)
    return result


def sweep_referral_chases(
    *, now: datetime, dry_run: bool = False, organization: Organization | None = None, render_by_shape: bool = True
) -> SweepResult:
    """Remind whoever sent a referral (else the supervisors) to chase an agency past its response date."""
    result = SweepResult(planned=[] if dry_run else None)
    shapes = ShapeRenderer() if render_by_shape else None
    due = AgencyReferral.objects.filter(
        status__in=AgencyReferral.AWAITING_RESPONSE_STATUSES, response_due_at__lte=now, acknowledged_at__isnull=True
    )
    if organization is not None:
        due = due.filter(organization=organization)
    due = due.select_related("victim", "agency", "organization").only(
        "pk",
        "status",
        "sent_at",
        "response_due_at",
        "sent_by_id",
        "organization_id",
        "victim_id",
        "victim__case_number",
        "agency__name",
        "organization__name",
        "organization__timezone",
    )
    team = Team(set(due.values_list("organization_id", flat=True).distinct()))
    for chunk in chunks(due):
        drafts, plans = [], []
        for referral in chunk:
            result.found += 1
            sender = team.member(referral.organization_id, referral.sent_by_id)
            recipients = [sender] if sender else team.supervisors(referral.organization_id)
            context = {
                "case_number": referral.victim.case_number,
                "agency": referral.agency.name,
                "sent_at": referral.sent_at,
                "response_due_at": referral.response_due_at,
                "days_late": max((now - referral.response_due_at).days, 0),
                "case_url": case_link(referral.victim_id),
                "organization": referral.organization,
                "timezone": referral.organization.timezone,
            }
            content = rendered(
                "referral_chase",
                context,
                lambda c: _("Chase the agency: referral for %(case)s has no response") % {"case": c["case_number"]},
                shapes=shapes,
                times=("sent_at", "response_due_at"),
            )
            for membership in recipients:
                drafts.append(
                    Draft(
                        organization_id=referral.organization_id,
                        kind=OutboxMessage.Kind.REFERRAL_CHASE,
                        dedupe_key=f"chase:{referral.pk}:{key_time(referral.response_due_at)}:{membership.user_id}",
                        recipient_id=membership.user_id,
                        recipient_email=membership.user.email,
                        content=content(membership),
                        about=referral,
                        due_at=referral.response_due_at,
                    )
                )
                plans.append(Planned("referral_chase", referral.victim.case_number, membership.user_id))
        _finish(result, drafts, plans, now=now, dry_run=dry_run)
    return result
