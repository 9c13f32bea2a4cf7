"""Webhooks: events become outbox rows (one per subscription and event), delivered signed over HTTP.

Each delivery is an `OutboxMessage` of kind "webhook" about its subscription: the outbox claims it, retries with
backoff, marks it failed after the last attempt and tells the organisation's admins. The dedupe key (subscription,
event, object) makes a second row for the same event impossible; receivers get it as `X-Homeward-Delivery` to
drop a retry they already processed. Payloads carry ids and links; personal data only when the subscription says so.
"""

import hashlib
import hmac
import http.client
import json
import socket
import ssl
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases import signals
from cases.models import AgencyReferral, Victim
from tracker import outbox
from tracker.links import case_link
from tracker.models import OutboxMessage

from . import webhook_urls
from .models import WebhookAttempt, WebhookEvent, WebhookSubscription


class WebhookRefused(Exception):
    """The receiver answered with a status other than 2xx."""


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex: what `X-Homeward-Signature` carries (after "sha256=")."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _case_data(victim: Victim, *, personal: bool) -> dict:
    data = {"case_id": victim.pk, "case_number": victim.case_number, "case_url": case_link(victim.pk)}
    data["api_url"] = f"{settings.SITE_URL}/api/cases/{victim.pk}/"
    if personal:
        data["full_name"] = victim.full_name
    return data


def _draft(subscription: WebhookSubscription, *, event: str, key: str, data: callable, now) -> outbox.Draft:
    dedupe_key = f"webhook:{subscription.pk}:{event}:{key}"
    payload = {
        "delivery": hashlib.sha256(dedupe_key.encode()).hexdigest()[:32],
        "event": event,
        "occurred_at": now.isoformat(),
        "data": data(subscription.includes_personal_data),
    }
    return outbox.Draft(
        organization_id=subscription.organization_id,
        kind=OutboxMessage.Kind.WEBHOOK,
        dedupe_key=dedupe_key,
        recipient_id=None,
        recipient_email="",
        subject=event,
        body_text=json.dumps(payload, sort_keys=True),
        about=subscription,
    )


def subscribers(event: str, organization_ids) -> dict[int, list[WebhookSubscription]]:
    """The active subscriptions to `event`, per organisation (one query)."""
    found: dict[int, list[WebhookSubscription]] = {}
    for subscription in WebhookSubscription.objects.filter(organization_id__in=set(organization_ids), is_active=True):
        if event in subscription.events:
            found.setdefault(subscription.organization_id, []).append(subscription)
    return found


def queue(drafts: list[outbox.Draft], *, now) -> int:
    added = outbox.enqueue(drafts, now=now)
    if added:
        transaction.on_commit(_wake_delivery)
    return added


def emit(*, event: str, organization_id: int, key: str, data: callable, now=None) -> int:
    """Queue `event` for every active subscription of the organisation to it; returns rows added.

    `key` identifies the occurrence (e.g. "case:42"); `data(personal)` builds the payload's data.
    """
    now = now or timezone.now()
    subscriptions = subscribers(event, [organization_id]).get(organization_id, [])
    return queue([_draft(s, event=event, key=key, data=data, now=now) for s in subscriptions], now=now)


def _wake_delivery() -> None:
    from tracker.tasks import deliver_outbox

    try:
        deliver_outbox.delay()
    except Exception:  # noqa: S110 - the periodic delivery run sends it; the row is committed
        pass


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the address the URL check resolved (no second DNS look-up), TLS verified for the host name."""

    def __init__(self, target: webhook_urls.Target, **kwargs):
        super().__init__(target.host, target.port, context=ssl.create_default_context(), **kwargs)
        self.address = target.address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: webhook_urls.Target, **kwargs):
        super().__init__(target.host, target.port, **kwargs)
        self.address = target.address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


def post(target: webhook_urls.Target, *, body: bytes, headers: dict[str, str]) -> int:
    """POST once to the checked address; the status code (a redirect is an answer like any other, never followed)."""
    connection_class = _CheckedHTTPSConnection if target.scheme == "https" else _CheckedHTTPConnection
    connection = connection_class(target, timeout=settings.API_WEBHOOK_TIMEOUT_SECONDS)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
        return response.status
    finally:
        connection.close()


def send(message: OutboxMessage) -> None:
    """Deliver one webhook row (the outbox's transport for kind "webhook"); raise to have the outbox retry.

    The URL is checked again first (DNS may have changed since it was saved): an address that is not public is
    refused without connecting, logged as the attempt's error.
    """
    subscription = WebhookSubscription.objects.get(pk=message.object_id)
    if not subscription.is_active:
        raise WebhookRefused("the subscription was switched off")
    body = message.body_text.encode()
    timestamp = int(time.time())
    payload = json.loads(message.body_text)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Homeward-Webhooks/1",
        "X-Homeward-Event": payload["event"],
        "X-Homeward-Delivery": payload["delivery"],
        "X-Homeward-Timestamp": str(timestamp),
        "X-Homeward-Signature": "sha256=" + signature(secret=subscription.secret, timestamp=timestamp, body=body),
    }
    started = time.monotonic()
    attempt = WebhookAttempt(subscription=subscription, outbox_message=message, event=payload["event"])
    try:
        target = webhook_urls.check(subscription.url)
        attempt.status_code = post(target, body=body, headers=headers)
    except ValidationError as error:
        attempt.error = ("refused: " + " ".join(error.messages))[:300]
    except Exception as error:
        attempt.error = f"{type(error).__name__}: {error}"[:300]
    attempt.duration_ms = int((time.monotonic() - started) * 1000)
    attempt.save()
    if attempt.error:
        raise WebhookRefused(attempt.error)
    if not 200 <= attempt.status_code < 300:
        raise WebhookRefused(f"the receiver answered HTTP {attempt.status_code}")


# --- Events --------------------------------------------------------------------------------------------------


def on_case_created(sender, victim: Victim, **kwargs) -> None:
    emit(
        event=WebhookEvent.CASE_CREATED,
        organization_id=victim.organization_id,
        key=f"case:{victim.pk}",
        data=lambda personal: _case_data(victim, personal=personal),
    )


def on_referral_answered(sender, referral: AgencyReferral, **kwargs) -> None:
    def data(personal: bool) -> dict:
        return {
            **_case_data(referral.victim, personal=personal),
            "referral_id": referral.pk,
            "status": referral.status,
            "api_url": f"{settings.SITE_URL}/api/referrals/{referral.pk}/",
        }

    emit(
        event=WebhookEvent.REFERRAL_ANSWERED,
        organization_id=referral.organization_id,
        key=f"referral:{referral.pk}:{referral.status}",
        data=data,
    )


def on_match_confirmed(sender, victim: Victim, entry=None, **kwargs) -> None:
    emit(
        event=WebhookEvent.MATCH_CONFIRMED,
        organization_id=victim.organization_id,
        key=f"match:{victim.pk}:{getattr(entry, 'pk', '')}",
        data=lambda personal: {**_case_data(victim, personal=personal), "entry_id": getattr(entry, "pk", None)},
    )


def on_requests_overdue(sender, requests, now, **kwargs) -> int:
    """ "request.overdue", once per request and overdue episode (its due time): sent by the reminder sweep per chunk.

    The key holds the due time, so every later sweep over the same episode adds nothing; logging contact moves
    the due time, and the next time it is overdue is a new episode. Three queries per chunk, not per request.
    """
    organization_ids = kwargs.get("organization_ids") or {r.organization_id for r in requests}
    subscriptions = subscribers(WebhookEvent.REQUEST_OVERDUE, organization_ids)
    if not subscriptions:  # the requests are read only for organisations that subscribe
        return 0
    due = [r for r in requests if r.organization_id in subscriptions]
    if not due:
        return 0
    personal = any(s.includes_personal_data for subs in subscriptions.values() for s in subs)
    victims = Victim.objects.in_bulk([r.victim_id for r in due]) if personal else {}
    drafts = []
    for request in due:

        def data(personal: bool, request=request) -> dict:
            victim = victims.get(request.victim_id, request.victim) if personal else request.victim
            return {
                **_case_data(victim, personal=personal),
                "request_id": request.pk,
                "priority": request.priority,
                "next_follow_up_at": request.next_follow_up_at.isoformat(),
                "api_url": f"{settings.SITE_URL}/api/requests/{request.pk}/",
            }

        key = f"request:{request.pk}:{int(request.next_follow_up_at.timestamp())}"
        for subscription in subscriptions[request.organization_id]:
            drafts.append(_draft(subscription, event=WebhookEvent.REQUEST_OVERDUE, key=key, data=data, now=now))
    with transaction.atomic():
        return queue(drafts, now=now)


def on_batch_member_departed(sender, member, **kwargs) -> None:
    """ "batch.departed": a member of a batch was recorded as departed (one delivery per person and batch)."""
    batch = member.batch

    def data(personal: bool) -> dict:
        return {
            **_case_data(member.victim, personal=personal),
            "batch_id": batch.pk,
            "member_id": member.pk,
            "departs_on": batch.departs_on.isoformat(),
            "departed_at": member.departed_at.isoformat(),
            "api_url": f"{settings.SITE_URL}/api/batches/{batch.pk}/",
        }

    emit(
        event=WebhookEvent.BATCH_DEPARTED,
        organization_id=member.organization_id,
        key=f"batch:{batch.pk}:member:{member.pk}",
        data=data,
    )


def connect() -> None:
    signals.case_created.connect(on_case_created, dispatch_uid="api.webhooks.case_created")
    signals.referral_answered.connect(on_referral_answered, dispatch_uid="api.webhooks.referral_answered")
    signals.list_match_confirmed.connect(on_match_confirmed, dispatch_uid="api.webhooks.match_confirmed")
    signals.requests_overdue.connect(on_requests_overdue, dispatch_uid="api.webhooks.requests_overdue")
    signals.batch_member_departed.connect(on_batch_member_departed, dispatch_uid="api.webhooks.batch_departed")
    outbox.register_transport(OutboxMessage.Kind.WEBHOOK, send)
