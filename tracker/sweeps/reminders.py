"""The reminder sweep: one email per recipient listing all of their due follow-ups, one ledger row per due item.

Set-based throughout (docs/architecture.md, "Reminders: one email per recipient"): the due rows are read as
values in one query, the keys reminded before in one more, and each group of recipients is one transaction of a
few bulk statements. Nothing here is per row except building strings.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Case, F, Value, When

from accounts.models import Membership, Organization
from cases.models import RescueRequest
from cases.signals import requests_overdue

from ..models import OutboxMessage, ReminderItem
from ..reminder_email import ReminderLine, ReminderWording, reminder_email
from .common import CHUNK, Planned, SweepResult, Team, key_time, logger, overdue_requests, rounds_overdue

DUE_FIELDS = ("pk", "priority", "next_follow_up_at", "assigned_to_id", "organization_id", "victim_id")


@dataclass(frozen=True, slots=True)
class DueRow:
    """The columns of one due rescue request the reminder needs."""

    pk: int
    priority: str
    due_at: datetime
    assigned_to_id: int | None
    organization_id: int
    victim_id: int
    case_number: str


@dataclass(slots=True)
class DueReminder:
    """One due follow-up for one recipient: a line of that recipient's reminder email."""

    request: DueRow
    round: int
    membership: Membership
    unassigned: bool
    key: str = ""

    def __post_init__(self):
        due = key_time(self.request.due_at)
        self.key = f"reminder:{self.request.pk}:{due}:{self.round}:{self.membership.user_id}"


def due_rows(*, now: datetime, organization: Organization | None) -> Iterator[DueRow]:
    """The due requests as values, oldest id first, in one query (streamed in chunks of 2,000 rows)."""
    rows = (
        overdue_requests(now=now, organization=organization)
        .order_by("pk")
        .values_list(*DUE_FIELDS, "victim__case_number")
    )
    for row in rows.iterator(chunk_size=2000):
        yield DueRow(*row)


def reminded_keys(*, now: datetime, organization: Organization | None) -> set[str]:
    """The ledger keys already in place for the due requests at their current due dates (one query): the lines a
    sweep can skip without rendering or inserting them."""
    due = overdue_requests(now=now, organization=organization).values("pk")
    ledger = ReminderItem.objects.filter(request_id__in=due, due_at=F("request__next_follow_up_at"))
    return set(ledger.values_list("dedupe_key", flat=True))


class OverdueRequests(Sequence):
    """One chunk of due requests for `requests_overdue` receivers, read as model instances (one query) only when a
    receiver looks at them: the api app's webhooks do only for organisations that subscribe."""

    def __init__(self, ids: list[int]):
        self.ids = ids
        self._requests: list[RescueRequest] | None = None

    def _loaded(self) -> list[RescueRequest]:
        if self._requests is None:
            self._requests = list(RescueRequest.objects.filter(pk__in=self.ids).select_related("victim").order_by("pk"))
        return self._requests

    def __getitem__(self, index):
        return self._loaded()[index]

    def __len__(self) -> int:
        return len(self._loaded())


def sweep_reminders(*, now: datetime, dry_run: bool = False, organization: Organization | None = None) -> SweepResult:
    """Remind the assigned caseworker (else the supervisors) of every open request whose follow-up is due.

    One email per recipient lists all of their due follow-ups; each line has its own ledger row (ReminderItem)
    whose unique key says that round of that request reached that person once.
    """
    result = SweepResult(planned=[] if dry_run else None, emails=0)
    rows = list(due_rows(now=now, organization=organization))
    team = Team({row.organization_id for row in rows})
    known = reminded_keys(now=now, organization=organization)
    cadences: dict[tuple[int, str], object] = {}
    per_recipient: dict[tuple[int, int], list[DueReminder]] = defaultdict(list)
    for row in rows:
        result.found += 1
        caseworker = team.member(row.organization_id, row.assigned_to_id)
        recipients = [caseworker] if caseworker else team.supervisors(row.organization_id)
        if not recipients:
            logger.error("rescue request %s: no caseworker or supervisor to remind", row.pk)
        cadence = cadences.get((row.organization_id, row.priority))
        if cadence is None:
            cadence = cadences[(row.organization_id, row.priority)] = team.organizations[
                row.organization_id
            ].cadence_for(row.priority)
        round_ = rounds_overdue(row.due_at, cadence, now=now)
        for membership in recipients:
            line = DueReminder(row, round_, membership, unassigned=not caseworker)
            if line.key not in known:  # reminded before: no ledger row, no line
                per_recipient[(row.organization_id, membership.user_id)].append(line)
    # A few recipients of one organisation per transaction, about CHUNK lines each: a crash loses only an
    # uncommitted group, and within a group the recipient alone says which email a line belongs to.
    wording = ReminderWording()
    group: list[list[DueReminder]] = []
    for (organization_id, _user), lines in sorted(per_recipient.items(), key=lambda item: item[0][0]):
        if group and group[0][0].request.organization_id != organization_id:
            _queue_reminders(group, result=result, now=now, dry_run=dry_run, wording=wording)
            group = []
        group.append(lines)
        if sum(len(g) for g in group) >= CHUNK:
            _queue_reminders(group, result=result, now=now, dry_run=dry_run, wording=wording)
            group = []
    _queue_reminders(group, result=result, now=now, dry_run=dry_run, wording=wording)
    if not dry_run:
        for start in range(0, len(rows), CHUNK):  # e.g. the api app's webhooks
            ids = [row.pk for row in rows[start : start + CHUNK]]
            organization_ids = {row.organization_id for row in rows[start : start + CHUNK]}
            requests_overdue.send(
                sender=RescueRequest, requests=OverdueRequests(ids), organization_ids=organization_ids, now=now
            )
    return result


def _queue_reminders(
    group: list[list[DueReminder]], *, result: SweepResult, now: datetime, dry_run: bool, wording: ReminderWording
) -> None:
    """Insert the group's ledger rows; the ones new to this transaction become one outbox row per recipient.

    The sweep left out the keys it found in the ledger; the insert still skips keys that exist (ON CONFLICT DO
    NOTHING: a concurrent sweep inserting the same key waits for the other's commit, then skips it), and the rows
    tagged with this batch are the new ones.
    """
    lines = sorted((line for lines in group for line in lines), key=lambda line: line.key)  # one lock order
    if not lines:
        return
    if dry_run:
        result.planned.extend(Planned("reminder", li.request.case_number, li.membership.user_id) for li in lines)
        result.queued += len(lines)
        return
    batch = uuid.uuid4().hex
    with transaction.atomic():
        new = _insert_ledger(lines, batch=batch, now=now)
        if not new:
            return
        messages = []
        for recipient_lines in group:
            fresh = [line for line in recipient_lines if line.key in new]
            if fresh:
                messages.append(_reminder_email(fresh, batch=batch, now=now, wording=wording))
        OutboxMessage.objects.bulk_create(messages, batch_size=200)
        ids = OutboxMessage.objects.filter(dedupe_key__startswith=f"reminders:{batch}:").values_list(
            "recipient_id", "pk"
        )
        # The group is one organisation's: the recipient says which of the batch's emails lists a line.
        ReminderItem.objects.filter(batch=batch).update(
            message_id=Case(*(When(recipient_id=user_id, then=Value(pk)) for user_id, pk in ids))
        )
    result.queued += len(new)
    result.emails += len(messages)


LEDGER_COLUMNS = ("dedupe_key", "request_id", "due_at", "sequence", "recipient_id", "batch", "created_at")


def _insert_ledger(lines: list[DueReminder], *, batch: str, now: datetime) -> set[str]:
    """Insert the lines' ledger rows, skipping keys that exist; return the keys this statement inserted.

    Plain multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING (PostgreSQL, SQLite 3.35+): no model instance per
    row, and the new keys come back with the insert instead of a query for the batch.
    """
    table = connection.ops.quote_name(ReminderItem._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in LEDGER_COLUMNS)
    adapt = connection.ops.adapt_datetimefield_value
    created_at = adapt(now)
    per_statement = min(500, (connection.features.max_query_params or 3500) // len(LEDGER_COLUMNS))  # SQLite: 999
    new: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(lines), per_statement):
            part = lines[start : start + per_statement]
            params = []
            for line in part:
                request = line.request
                params += [
                    line.key,
                    request.pk,
                    adapt(request.due_at),
                    line.round,
                    line.membership.user_id,
                    batch,
                    created_at,
                ]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(part))
            # Names from the model, every value a parameter:
            sql = f"INSERT INTO {table} ({columns}) VALUES {placeholders} ON CONFLICT DO NOTHING RETURNING dedupe_key"  # noqa: S608
            cursor.execute(sql, params)
            new.update(key for (key,) in cursor.fetchall())
    return new


def _reminder_email(lines: list[DueReminder], *, batch: str, now: datetime, wording: ReminderWording) -> OutboxMessage:
    """One recipient's reminder: every due follow-up in one email, rendered once, in their language."""
    membership = lines[0].membership
    organization = membership.organization
    subject, text, html = reminder_email(
        [
            ReminderLine(
                case_number=line.request.case_number,
                victim_id=line.request.victim_id,
                priority=line.request.priority,
                due_at=line.request.due_at,
                days_overdue=(now - line.request.due_at).days if line.request.due_at < now else 0,
                round=line.round,
                unassigned=line.unassigned,
            )
            for line in lines
        ],
        language=membership.user.preferred_language,
        organization=organization,
        timezone=str(organization.timezone),
        wording=wording,
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
        due_at=min(line.request.due_at for line in lines),
        created_at=now,
        next_attempt_at=now,
    )
