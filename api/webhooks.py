"""Webhooks: events become outbox rows (one per subscription and event), delivered signed over HTTP.

Each delivery is an `OutboxMessage` of kind "webhook" about its subscription: the outbox claims it, retries with
backoff, marks it failed after the last attempt and tells the organisation's admins. The dedupe key (subscription,
event, object) makes a second row for the same event impossible; receivers get it as `X-Homeward-Delivery` to
drop a retry they already processed. Payloads carry ids and links; personal data only when the subscription says so.
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cases import signals
from cases.models import AgencyReferral, RescueRequest, Victim
from tracker import outbox
from tracker.links import case_link
from tracker.models import OutboxMessage

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


def emit(*, event: str, organization_id: int, key: str, data: callable, now=None) -> int:
    """Queue `event` for every active subscription of the organisation to it; returns rows added.

    `key` identifies the occurrence (e.g. "case:42"); `data(personal)` builds the payload's data.
    """
    now = now or timezone.now()
    subscriptions = [
        s
        for s in WebhookSubscription.objects.filter(organization_id=organization_id, is_active=True)
        if event in s.events
    ]
    drafts = []
    for subscription in subscriptions:
        dedupe_key = f"webhook:{subscription.pk}:{event}:{key}"
        payload = {
            "delivery": hashlib.sha256(dedupe_key.encode()).hexdigest()[:32],
            "event": event,
            "occurred_at": now.isoformat(),
            "data": data(subscription.includes_personal_data),
        }
        drafts.append(
            outbox.Draft(
                organization_id=organization_id,
                kind=OutboxMessage.Kind.WEBHOOK,
                dedupe_key=dedupe_key,
                recipient_id=None,
                recipient_email="",
                subject=event,
                body_text=json.dumps(payload, sort_keys=True),
                about=subscription,
            )
        )
    added = outbox.enqueue(drafts, now=now)
    if added:
        transaction.on_commit(_wake_delivery)
    return added


def _wake_delivery() -> None:
    from tracker.tasks import deliver_outbox

    try:
        deliver_outbox.delay()
    except Exception:  # noqa: S110 - the periodic delivery run sends it; the row is committed
        pass


def send(message: OutboxMessage) -> None:
    """Deliver one webhook row (the outbox's transport for kind "webhook"); raise to have the outbox retry."""
    subscription = WebhookSubscription.objects.get(pk=message.object_id)
    if not subscription.is_active:
        raise WebhookRefused("the subscription was switched off")
    body = message.body_text.encode()
    timestamp = int(time.time())
    payload = json.loads(message.body_text)
    request = urllib.request.Request(  # noqa: S310 - an https/http URL an organisation admin entered
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Homeward-Webhooks/1",
            "X-Homeward-Event": payload["event"],
            "X-Homeward-Delivery": payload["delivery"],
            "X-Homeward-Timestamp": str(timestamp),
            "X-Homeward-Signature": "sha256=" + signature(secret=subscription.secret, timestamp=timestamp, body=body),
        },
    )
    started = time.monotonic()
    attempt = WebhookAttempt(subscription=subscription, outbox_message=message, event=payload["event"])
    try:
        with urllib.request.urlopen(request, timeout=settings.API_WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            attempt.status_code = response.status
    except urllib.error.HTTPError as error:
        attempt.status_code = error.code
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


def emit_overdue_requests(*, now=None) -> int:
    """Queue "request.overdue" once per request and due time (the periodic task `api.tasks.overdue_webhooks`)."""
    now = now or timezone.now()
    organization_ids = set(
        WebhookSubscription.objects.filter(is_active=True).values_list("organization_id", flat=True).distinct()
    )
    added = 0
    overdue = (
        RescueRequest.objects.open()
        .filter(organization_id__in=organization_ids, next_follow_up_at__lte=now)
        .select_related("victim")
    )
    for request in overdue.iterator(chunk_size=500):

        def data(personal: bool, request=request) -> dict:
            return {
                **_case_data(request.victim, personal=personal),
                "request_id": request.pk,
                "priority": request.priority,
                "next_follow_up_at": request.next_follow_up_at.isoformat(),
                "api_url": f"{settings.SITE_URL}/api/requests/{request.pk}/",
            }

        with transaction.atomic():
            added += emit(
                event=WebhookEvent.REQUEST_OVERDUE,
                organization_id=request.organization_id,
                key=f"request:{request.pk}:{int(request.next_follow_up_at.timestamp())}",
                data=data,
                now=now,
            )
    return added


def connect() -> None:
    signals.case_created.connect(on_case_created, dispatch_uid="api.webhooks.case_created")
    signals.referral_answered.connect(on_referral_answered, dispatch_uid="api.webhooks.referral_answered")
    signals.list_match_confirmed.connect(on_match_confirmed, dispatch_uid="api.webhooks.match_confirmed")
    outbox.register_transport(OutboxMessage.Kind.WEBHOOK, send)
