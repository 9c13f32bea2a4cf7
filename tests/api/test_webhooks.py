"""Webhooks delivered through the outbox to a real local HTTP server: signed, retried, then failed, never twice."""

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from api.models import WebhookAttempt, WebhookSubscription
from cases import services
from cases.signals import list_match_confirmed
from tests.factories import AgencyFactory, make_victim
from tracker import outbox
from tracker.models import OutboxMessage

pytestmark = pytest.mark.django_db


class Receiver:
    def __init__(self, statuses=(200,), delay=0.0):
        self.received: list[tuple[dict, bytes]] = []
        self.delay = delay
        self.statuses = list(statuses)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                if receiver.delay:
                    time.sleep(receiver.delay)  # a receiver slower than our timeout
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def subscribe(org, url, events, **kw):
    return WebhookSubscription.objects.create(organization=org.organization, url=url, events=events, **kw)


def deliver(after_seconds=1):
    return outbox.deliver_due(now=timezone.now() + timedelta(seconds=after_seconds))


def test_a_new_case_is_delivered_signed_with_ids_and_links_only(receiver, org_a):
    subscription = subscribe(org_a, receiver.url, ["case.created"])
    victim = make_victim(organization=org_a.organization, full_name="Synthetic Hooked Person")
    assert deliver()["sent"] == 1
    ((headers, body),) = receiver.received
    payload = json.loads(body)
    assert payload["event"] == "case.created" and payload["data"]["case_id"] == victim.pk
    assert "Synthetic Hooked Person" not in body.decode()
    expected = hmac.new(
        subscription.secret.encode(), headers["x-homeward-timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["x-homeward-signature"] == f"sha256={expected}"
    assert WebhookAttempt.objects.get().status_code == 200


def test_personal_data_only_when_the_subscription_is_marked_for_it(receiver, org_a):
    subscribe(org_a, receiver.url, ["case.created"], includes_personal_data=True)
    make_victim(organization=org_a.organization, full_name="Synthetic Named Person")
    deliver()
    assert json.loads(receiver.received[0][1])["data"]["full_name"] == "Synthetic Named Person"


def test_other_events_and_other_organisations_are_not_sent(receiver, org_a, org_b):
    subscribe(org_a, receiver.url, ["referral.answered"])
    subscribe(org_b, receiver.url, ["case.created"])
    make_victim(organization=org_a.organization)
    assert deliver()["sent"] == 0 and receiver.received == []


def test_a_referral_answer_and_a_confirmed_match_are_delivered(receiver, org_a):
    subscribe(org_a, receiver.url, ["referral.answered", "match.confirmed"])
    victim = make_victim(organization=org_a.organization)
    referral = services.referral_create(victim=victim, agency=AgencyFactory(email=""), created_by=None)
    services.referral_send(referral=referral, sent_by=None)
    services.referral_record_response(referral=referral, status="acting", recorded_by=None)
    list_match_confirmed.send(sender=None, victim=victim, entry=None, confirmed_by=None)
    deliver()
    assert sorted(json.loads(body)["event"] for _, body in receiver.received) == [
        "match.confirmed",
        "referral.answered",
    ]


def test_a_receiver_answering_500_is_retried_with_backoff_then_marked_failed_and_never_sent_twice(org_a, settings):
    settings.TRACKER_OUTBOX_MAX_ATTEMPTS = 3
    receiver = Receiver(statuses=(500,))
    try:
        subscribe(org_a, receiver.url, ["case.created"])
        make_victim(organization=org_a.organization)
        assert deliver()["retrying"] == 1
        assert deliver(after_seconds=5)["claimed"] == 0  # backoff: not yet due again
        deliver(after_seconds=120)
        result = deliver(after_seconds=600)
        assert result["failed"] == 1
        message = OutboxMessage.objects.get(kind="webhook")
        assert message.status == "failed" and "HTTP 500" in message.last_error
        assert len(receiver.received) == 3
        deliver(after_seconds=6000)  # only the failure notice to the admins is left to send
        assert len(receiver.received) == 3
        assert WebhookAttempt.objects.filter(status_code=500).count() == 3
    finally:
        receiver.close()


def test_a_receiver_that_recovers_gets_the_event_once(org_a):
    receiver = Receiver(statuses=(503, 200))
    try:
        subscribe(org_a, receiver.url, ["case.created"])
        make_victim(organization=org_a.organization)
        deliver()
        deliver(after_seconds=120)
        deliver(after_seconds=6000)
        deliveries = [h["x-homeward-delivery"] for h, _ in receiver.received]
        assert len(deliveries) == 2 and len(set(deliveries)) == 1  # the retry carries the same delivery id
        assert OutboxMessage.objects.get(kind="webhook").status == "sent"
    finally:
        receiver.close()


def test_a_receiver_that_times_out_is_retried(org_a, settings):
    settings.API_WEBHOOK_TIMEOUT_SECONDS = 1
    receiver = Receiver(delay=2)
    try:
        subscribe(org_a, receiver.url, ["case.created"])
        make_victim(organization=org_a.organization)
        assert deliver()["retrying"] == 1
        assert "timed out" in WebhookAttempt.objects.get().error
    finally:
        receiver.close()
