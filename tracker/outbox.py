"""The outbox: enqueue intended emails once (by dedupe key), then claim, send, retry and give up loudly.

Delivery claims rows before sending: `select_for_update(skip_locked=True)` on PostgreSQL so concurrent workers
take disjoint rows; SQLite serialises writers, so the claiming UPDATE is already exclusive there. A claim is a
lease: a row left in "sending" by a worker that died is picked up again once `claimed_until` has passed.
"""

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization

from .links import site_link
from .models import OutboxMessage

logger = logging.getLogger(__name__)


#: Deliveries that are not email, by outbox kind: a callable that sends one message or raises (the api app
#: registers webhooks). Claiming, retries, backoff, giving up and telling the admins stay the outbox's.
TRANSPORTS: dict[str, Callable[[OutboxMessage], None]] = {}


def register_transport(kind: str, send: Callable[[OutboxMessage], None]) -> None:
    TRANSPORTS[kind] = send


def max_attempts() -> int:
    return settings.TRACKER_OUTBOX_MAX_ATTEMPTS


def lease() -> timedelta:
    return timedelta(seconds=settings.TRACKER_OUTBOX_LEASE_SECONDS)


def backoff(*, attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failed tries: base × 2^(attempts-1), capped."""
    base = settings.TRACKER_OUTBOX_BACKOFF_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), settings.TRACKER_OUTBOX_BACKOFF_MAX_SECONDS))


# --- Enqueue ---------------------------------------------------------------------------------------


@dataclass
class Draft:
    """An email the engine intends to send; becomes an OutboxMessage row unless its key already exists."""

    organization_id: int | None
    kind: str
    dedupe_key: str
    recipient_id: int | None
    recipient_email: str
    subject: str = ""
    body_text: str = ""
    body_html: str = ""
    about: object | None = None
    due_at: datetime | None = None
    sequence: int = 0
    content: Callable[[], tuple[str, str, str]] | None = None  # renders (subject, text, html) when needed


def render_email(*, template: str, context: dict) -> tuple[str, str]:
    """Render `templates/emails/<template>.txt` and `.html` with the site link in the context."""
    context = {"site_url": settings.SITE_URL, "my_work_url": site_link("/"), **context}
    text = re.sub(r"\n{3,}", "\n\n", render_to_string(f"emails/{template}.txt", context)).strip() + "\n"
    return text, render_to_string(f"emails/{template}.html", context)


def existing_keys(keys: Iterable[str]) -> set[str]:
    """Which of these dedupe keys already have an outbox row (checked in chunks to stay under SQL limits)."""
    keys = list(keys)
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update(OutboxMessage.objects.filter(dedupe_key__in=chunk).values_list("dedupe_key", flat=True))
    return found


def enqueue(drafts: list[Draft], *, now: datetime) -> int:
    """Insert the drafts whose keys are new; return how many rows were added.

    The unique constraint on `dedupe_key` is the guarantee (a concurrent insert of the same key is ignored by
    the database); the look-up before only keeps the count honest and avoids rendering work for known keys.
    """
    if not drafts:
        return 0
    known = existing_keys(d.dedupe_key for d in drafts)
    fresh = {d.dedupe_key: d for d in drafts if d.dedupe_key not in known}
    for draft in fresh.values():
        if draft.content is not None and not draft.body_text:
            draft.subject, draft.body_text, draft.body_html = draft.content()
    content_types: dict[type, ContentType] = {}
    rows = []
    for draft in fresh.values():
        content_type = None
        if draft.about is not None:
            model = type(draft.about)
            content_type = content_types.setdefault(model, ContentType.objects.get_for_model(model))
        rows.append(
            OutboxMessage(
                organization_id=draft.organization_id,
                kind=draft.kind,
                dedupe_key=draft.dedupe_key,
                recipient_id=draft.recipient_id,
                recipient_email=draft.recipient_email,
                subject=draft.subject,
                body_text=draft.body_text,
                body_html=draft.body_html,
                content_type=content_type,
                object_id=getattr(draft.about, "pk", None),
                due_at=draft.due_at,
                sequence=draft.sequence,
                created_at=now,
                next_attempt_at=now,
            )
        )
    OutboxMessage.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


# --- Deliver ---------------------------------------------------------------------------------------


def claimable(*, now: datetime) -> Q:
    """Pending rows whose time has come, and rows stuck in sending whose lease expired (their worker died)."""
    return Q(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=OutboxMessage.Status.SENDING, claimed_until__lt=now
    )


def claim(*, now: datetime, limit: int, ids: list[int] | None = None) -> tuple[str, list[OutboxMessage]]:
    """Claim up to `limit` deliverable rows for this worker: mark them sending with a lease and a token."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        candidates = OutboxMessage.objects.filter(claimable(now=now))
        if ids is not None:
            candidates = candidates.filter(pk__in=ids)
        candidates = candidates.order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        picked = list(candidates.values_list("pk", flat=True)[:limit])
        if not picked:
            return token, []
        # Re-check the condition in the UPDATE itself: on SQLite this is the claim; on PostgreSQL the rows are
        # already locked by us, so it always matches.
        OutboxMessage.objects.filter(claimable(now=now), pk__in=picked).update(
            status=OutboxMessage.Status.SENDING,
            claimed_until=now + lease(),
            claim_token=token,
            attempts=F("attempts") + 1,
        )
    return token, list(
        OutboxMessage.objects.filter(claim_token=token, status=OutboxMessage.Status.SENDING).order_by("pk")
    )


#: Kinds whose content is made when the email is sent, never stored: kind -> callable(message) -> (subject, text).
#: A password link is made this way, so the outbox row (and its admin page) holds no usable link.
RENDERED_AT_SEND: dict[str, Callable[[OutboxMessage], tuple[str, str]]] = {}


def _as_email(message: OutboxMessage, *, email_connection) -> EmailMultiAlternatives:
    subject, body = message.subject, message.body_text
    if message.kind in RENDERED_AT_SEND:
        subject, body = RENDERED_AT_SEND[message.kind](message)
    email = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient_email],
        connection=email_connection,
        headers={"X-Homeward-Kind": message.kind, "Auto-Submitted": "auto-generated"},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


#: Sent emails are marked in one UPDATE per this many: a worker killed between a send and its mark makes that
#: email go again after the lease, so this is also how many a crash can send twice (it was 1 before: 1 query each).
MARK_SENT_EVERY = 20


def _mark_sent(ids: list[int], *, token: str, now: datetime) -> None:
    if ids:
        OutboxMessage.objects.filter(pk__in=ids, claim_token=token).update(
            status=OutboxMessage.Status.SENT, sent_at=now, claimed_until=None, last_error=""
        )
        ids.clear()


def deliver_due(
    *, now: datetime, limit: int = 100, ids: list[int] | None = None, mark_every: int | None = None
) -> dict[str, int]:
    """Claim and send up to `limit` due messages over one SMTP connection; return counts of sent, retrying, failed.

    Sent rows are marked `mark_every` at a time (default MARK_SENT_EVERY), and always before a failure is recorded
    or the batch ends.
    """
    mark_every = mark_every or MARK_SENT_EVERY
    token, messages = claim(now=now, limit=limit, ids=ids)
    counts = {"claimed": len(messages), "sent": 0, "retrying": 0, "failed": 0}
    for message in [m for m in messages if m.kind in TRANSPORTS]:
        try:
            TRANSPORTS[message.kind](message)
        except Exception as error:
            counts[_record_failure(message=message, token=token, error=error, now=now)] += 1
            continue
        _mark_sent([message.pk], token=token, now=now)
        counts["sent"] += 1
    messages = [m for m in messages if m.kind not in TRANSPORTS]
    if not messages:
        return counts
    email_connection = get_connection(fail_silently=False)
    try:
        email_connection.open()
    except Exception as error:  # the mail server is unreachable: every claimed row gets the same error
        logger.warning("outbox: cannot connect to the mail server: %s", type(error).__name__)
        for message in messages:
            counts[_record_failure(message=message, token=token, error=error, now=now)] += 1
        return counts
    started = time.monotonic()
    sent: list[int] = []
    try:
        for index, message in enumerate(messages):
            if time.monotonic() - started > lease().total_seconds() / 2:
                # A slow server: hand the rest back before our lease runs out and another worker takes them.
                _mark_sent(sent, token=token, now=now)
                rest = [m.pk for m in messages[index:]]
                OutboxMessage.objects.filter(pk__in=rest, claim_token=token).update(
                    status=OutboxMessage.Status.PENDING, claimed_until=None, claim_token="", attempts=F("attempts") - 1
                )
                counts["released"] = len(rest)
                break
            try:
                _as_email(message, email_connection=email_connection).send()
            except Exception as error:
                _mark_sent(sent, token=token, now=now)
                counts[_record_failure(message=message, token=token, error=error, now=now)] += 1
                continue
            sent.append(message.pk)
            counts["sent"] += 1
            if len(sent) >= mark_every:
                _mark_sent(sent, token=token, now=now)
    finally:
        _mark_sent(sent, token=token, now=now)
        try:
            email_connection.close()
        except Exception:  # noqa: S110 - closing a broken SMTP session must not hide what was sent
            pass
    if counts["failed"] or counts["retrying"]:
        logger.warning("outbox: %s", counts)
    return counts


def _record_failure(*, message: OutboxMessage, token: str, error: BaseException, now: datetime) -> str:
    """Retry later with backoff, or give up after the last attempt and tell the organisation's admins once."""
    error_text = _error_text(error)
    message.last_error = error_text
    if message.attempts >= max_attempts():
        OutboxMessage.objects.filter(pk=message.pk, claim_token=token).update(
            status=OutboxMessage.Status.FAILED, failed_at=now, claimed_until=None, last_error=error_text
        )
        logger.error("outbox: message %s (%s) failed after %s attempts", message.pk, message.kind, message.attempts)
        report_failure(message=message, now=now)
        return "failed"
    OutboxMessage.objects.filter(pk=message.pk, claim_token=token).update(
        status=OutboxMessage.Status.PENDING,
        claimed_until=None,
        last_error=error_text,
        next_attempt_at=now + backoff(attempts=message.attempts),
    )
    return "retrying"


def organization_admins(organization_id: int) -> list[Membership]:
    """Who hears about undeliverable email: the organisation's admins, else its supervisors."""
    members = list(
        Membership.objects.filter(
            organization_id=organization_id,
            is_active=True,
            user__is_active=True,
            role__in=[Membership.Role.ORG_ADMIN, Membership.Role.SUPERVISOR],
        ).select_related("user")
    )
    admins = [m for m in members if m.role == Membership.Role.ORG_ADMIN]
    return admins or members


def report_failure(*, message: OutboxMessage, now: datetime) -> int:
    """Tell the organisation's admins that an email could not be delivered, once per failed message."""
    if message.kind == OutboxMessage.Kind.DELIVERY_FAILURE or message.organization_id is None:
        return 0  # a notice about a notice would loop; the ERROR log above is the last resort
    organization = Organization.objects.get(pk=message.organization_id)
    drafts = []
    for membership in organization_admins(message.organization_id):
        if membership.user.email == message.recipient_email:
            continue  # that address is the one failing
        with translation.override(membership.user.preferred_language):
            context = {
                "organization": organization,
                "message": message,
                "kind_label": message.get_kind_display(),
                "outbox_admin_url": site_link(f"/{settings.ADMIN_URL}tracker/outboxmessage/{message.pk}/change/"),
            }
            text, html = render_email(template="delivery_failure", context=context)
            subject = _("Homeward could not deliver an email (%(kind)s)") % {"kind": message.get_kind_display()}
        drafts.append(
            Draft(
                organization_id=message.organization_id,
                kind=OutboxMessage.Kind.DELIVERY_FAILURE,
                dedupe_key=f"failure:{message.pk}:{membership.user_id}",
                recipient_id=membership.user_id,
                recipient_email=membership.user.email,
                subject=subject,
                body_text=text,
                body_html=html,
                about=message,
            )
        )
    added = enqueue(drafts, now=now)
    OutboxMessage.objects.filter(pk=message.pk, failure_reported_at__isnull=True).update(failure_reported_at=now)
    return added


def retry(messages, *, now: datetime) -> int:
    """Give these messages (not the sent ones) a fresh set of attempts now, releasing any worker's claim on them.

    The one way to retry: the `outbox --retry-failed` command and the admin's "retry" action both come here.
    """
    return messages.exclude(status=OutboxMessage.Status.SENT).update(
        status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=now, failed_at=None, claim_token=""
    )


def retry_failed(*, now: datetime, organization: Organization | None = None) -> int:
    """Give failed messages a fresh set of attempts (an operator fixed the mail server or the address)."""
    failed = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED)
    if organization is not None:
        failed = failed.filter(organization=organization)
    return retry(failed, now=now)


def summary() -> dict[str, int]:
    """How many messages are in each status (for the `outbox` command and the admin)."""
    counts = {status: 0 for status in OutboxMessage.Status.values}
    for row in OutboxMessage.objects.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts
