"""Webhooks delivered through the outbox to a real local HTTP server: signed, retried, then failed, never twice.

The receiver listens on 127.0.0.1, which a real subscription may not reach (api/webhook_urls.py): these tests turn
on `API_WEBHOOK_ALLOW_PRIVATE_ADDRESSES` (test settings only; test_webhook_urls.py checks the guard itself).
"""

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from api.models import WebhookAttempt, WebhookSubscription
from cases import services
from cases.signals import list_match_confirmed
from homecoming import services as homecoming_services
from tests.factories import AgencyFactory, make_overdue_request, make_request, make_victim
from tests.homecoming.builders import batch, ready_member, released_victim
from tracker import outbox
from tracker.models import OutboxMessage
from tracker.tasks import run_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def local_receivers_allowed(settings):
    settings.API_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True


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


def test_an_overdue_request_is_delivered_once_per_overdue_episode(receiver, org_a):
    subscribe(org_a, receiver.url, ["request.overdue"])
    victim = make_victim(organization=org_a.organization)
    request = make_overdue_request(victim=victim, days_overdue=2)
    make_request(victim=make_victim(organization=org_a.organization))  # not due: nothing
    now = timezone.now()
    run_sweep("reminders", now=now, queue_delivery=False)
    deliver()  # the reminder email and the webhook
    ((_headers, body),) = receiver.received
    payload = json.loads(body)
    assert payload["event"] == "request.overdue" and payload["data"]["request_id"] == request.pk
    # The next sweeps (later rounds of the same episode) add nothing.
    run_sweep("reminders", now=now, queue_delivery=False)
    run_sweep("reminders", now=now + timedelta(days=5), queue_delivery=False)
    deliver(after_seconds=6 * 86400)
    assert len(receiver.received) == 1
    assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.WEBHOOK).count() == 1
    # Contact logged: a new due time; once that is overdue too, it is a new episode and one more delivery.
    services.rescue_request_log_update(request=request, author=None, note="Synthetic contact", now=now)
    request.refresh_from_db()
    later = request.next_follow_up_at + timedelta(hours=1)
    run_sweep("reminders", now=later, queue_delivery=False)
    run_sweep("reminders", now=later, queue_delivery=False)
    deliver(after_seconds=(later - timezone.now()).total_seconds() + 1)
    delivered = [json.loads(b)["data"]["request_id"] for _h, b in receiver.received]
    assert delivered.count(request.pk) == 2  # (the other request fell due by then too: its first episode)


def test_a_dry_run_sweep_emits_no_overdue_event(receiver, org_a):
    subscribe(org_a, receiver.url, ["request.overdue"])
    make_overdue_request(victim=make_victim(organization=org_a.organization))
    run_sweep("reminders", dry_run=True)
    assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.WEBHOOK).exists()


def test_a_batch_member_recorded_as_departed_is_delivered_once(receiver, org_a):
    subscribe(org_a, receiver.url, ["batch.departed"])
    the_batch = batch(org_a)
    member = ready_member(org_a, released_victim(org_a), the_batch)
    assert deliver()["sent"] == 0  # steps before departure are not the event
    departed = timezone.now()
    homecoming_services.member_record_steps(member=member, recorded_by=org_a.caseworker, departed_at=departed)
    homecoming_services.member_record_steps(member=member, recorded_by=org_a.caseworker, departed_at=departed)
    homecoming_services.member_record_steps(
        member=member, recorded_by=org_a.caseworker, arrived_at=departed + timedelta(minutes=1)
    )
    assert deliver(after_seconds=120)["sent"] == 1
    ((_headers, body),) = receiver.received
    data = json.loads(body)["data"]
    assert json.loads(body)["event"] == "batch.departed"
    assert (data["batch_id"], data["member_id"], data["case_id"]) == (the_batch.pk, member.pk, member.victim_id)


def test_a_refused_departure_emits_nothing(receiver, org_a):
    subscribe(org_a, receiver.url, ["batch.departed"])
    the_batch = batch(org_a)
    member = homecoming_services.member_add(batch=the_batch, victim=released_victim(org_a), added_by=org_a.caseworker)
    with pytest.raises(ValidationError):
        homecoming_services.member_record_steps(member=member, recorded_by=org_a.caseworker, departed_at=timezone.now())
    assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.WEBHOOK).exists()


def test_delivery_checks_the_address_again_and_never_connects_to_a_private_one(receiver, org_a, settings):
    subscribe(org_a, receiver.url, ["case.created"])
    make_victim(organization=org_a.organization)
    settings.API_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False  # e.g. its DNS now points at our network
    assert deliver()["sent"] == 0
    assert receiver.received == []
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and "127.0.0.1" in attempt.error and "loopback" in attempt.error


def test_a_redirect_is_not_followed(org_a):
    receiver = Receiver(statuses=(302,))
    try:
        subscribe(org_a, receiver.url, ["case.created"])
        make_victim(organization=org_a.organization)
        assert deliver()["sent"] == 0
        assert len(receiver.received) == 1  # only the first POST; the Location (none here) is never requested
        assert WebhookAttempt.objects.get().status_code == 302
    finally:
        receiver.close()
