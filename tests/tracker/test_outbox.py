"""The outbox against a real SMTP server: delivered once, retried with backoff, failed loudly, leases re-picked."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CompoundFactory, make_overdue_request, make_victim
from tracker import outbox
from tracker.models import OutboxMessage
from tracker.sweeps import sweep_escalations, sweep_reminders

from .conftest import assert_no_personal_data, bulk_caseload

pytestmark = pytest.mark.django_db

S = OutboxMessage.Status


def sensitive_victim(org_users, **fields):
    """A synthetic victim carrying every kind of secret the emails must never show."""
    return make_victim(
        organization=org_users.organization,
        assigned_to=org_users.caseworker,
        full_name="Synthetic Person Kham",
        passport_number="SYNPASS0000001",
        phone_numbers="+000 555 0101",
        messaging_handles="Telegram: @synthetic_handle",
        last_known_location="Near the Mae Sot market",
        compound=CompoundFactory(),
        **fields,
    )


def test_a_reminder_arrives_at_the_smtp_server_with_both_parts_and_no_personal_data(org_a, now, smtp_server):
    victim = sensitive_victim(org_a)
    make_overdue_request(victim=victim, days_overdue=3, now=now)
    sweep_reminders(now=now)

    counts = outbox.deliver_due(now=now)

    assert counts["sent"] == 1
    [received] = smtp_server.received
    assert received.rcpt_tos == [org_a.caseworker.email]
    assert received.subject == f"Follow-up due: {victim.case_number}"
    assert "Overdue by 3 days." in received.text
    assert f"http://localhost:8000/cases/{victim.pk}/" in received.text
    assert f'href="http://localhost:8000/cases/{victim.pk}/"' in received.html
    assert "style=" in received.html  # inline CSS, no stylesheet to fetch
    assert_no_personal_data(received)
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts, message.sent_at) == (S.SENT, 1, now)


def test_an_escalation_email_shows_the_case_number_and_no_personal_data(org_a, now, smtp_server):
    victim = sensitive_victim(org_a)
    make_overdue_request(victim=victim, days_overdue=9, now=now)
    sweep_escalations(now=now)

    outbox.deliver_due(now=now)

    [received] = smtp_server.received
    assert received.rcpt_tos == [org_a.supervisor.email]
    assert victim.case_number in received.subject and victim.case_number in received.html
    assert "Caseworker Alpha" in received.text  # staff names are fine; the person's are not
    assert_no_personal_data(received)


def test_delivering_twice_sends_each_message_once(org_a, now, smtp_server):
    make_overdue_request(victim=sensitive_victim(org_a), now=now)
    sweep_reminders(now=now)

    outbox.deliver_due(now=now)
    outbox.deliver_due(now=now + timedelta(minutes=1))

    assert len(smtp_server.received) == 1


def test_a_refused_email_is_retried_with_backoff_then_failed_and_reported_to_the_admins_once(
    org_a, now, smtp_server, settings
):
    settings.TRACKER_OUTBOX_MAX_ATTEMPTS = 3
    settings.TRACKER_OUTBOX_BACKOFF_SECONDS = 60
    make_overdue_request(victim=sensitive_victim(org_a), now=now)
    sweep_reminders(now=now)
    smtp_server.refuse_rcpt[org_a.caseworker.email] = "550 5.1.1 Mailbox unavailable"

    first = outbox.deliver_due(now=now)
    message = OutboxMessage.objects.get()
    assert first["retrying"] == 1
    assert (message.status, message.attempts, message.next_attempt_at) == (S.PENDING, 1, now + timedelta(seconds=60))
    assert "550" in message.last_error

    assert outbox.deliver_due(now=now + timedelta(seconds=59))["claimed"] == 0  # backing off
    assert outbox.deliver_due(now=now + timedelta(seconds=60))["retrying"] == 1  # 2nd try; next in 120 s
    third = outbox.deliver_due(now=now + timedelta(seconds=180))
    assert third["failed"] == 1

    message.refresh_from_db()
    assert message.status == S.FAILED and message.failed_at == now + timedelta(seconds=180)
    notices = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.DELIVERY_FAILURE)
    assert [n.recipient_email for n in notices] == [org_a.org_admin.email]

    outbox.deliver_due(now=now + timedelta(seconds=181))
    outbox.deliver_due(now=now + timedelta(hours=5))
    assert [r.rcpt_tos for r in smtp_server.received] == [[org_a.org_admin.email]]  # reported once, not lost
    assert "after 3 attempts" in smtp_server.received[0].text
    assert notices.get().status == S.SENT


def test_a_temporary_refusal_is_retried_until_the_server_accepts(org_a, now, smtp_server):
    make_overdue_request(victim=sensitive_victim(org_a), now=now)
    sweep_reminders(now=now)
    smtp_server.refuse_data = "451 4.3.0 Try again later"

    assert outbox.deliver_due(now=now)["retrying"] == 1
    smtp_server.refuse_data = None
    assert outbox.deliver_due(now=now + timedelta(minutes=1))["sent"] == 1

    assert len(smtp_server.received) == 1
    assert OutboxMessage.objects.get().attempts == 2


def test_retry_failed_gives_failed_messages_a_fresh_set_of_attempts(org_a, now, smtp_server, settings):
    settings.TRACKER_OUTBOX_MAX_ATTEMPTS = 1
    make_overdue_request(victim=sensitive_victim(org_a), now=now)
    sweep_reminders(now=now)
    smtp_server.refuse_data = "554 5.7.1 Rejected"
    outbox.deliver_due(now=now)
    smtp_server.refuse_data = None

    assert outbox.retry_failed(now=now) == 1
    outbox.deliver_due(now=now)

    assert smtp_server.to(org_a.caseworker.email)


def test_a_message_left_sending_by_a_dead_worker_is_sent_after_its_lease_expires(org_a, now, smtp_server, settings):
    settings.TRACKER_OUTBOX_LEASE_SECONDS = 300
    make_overdue_request(victim=sensitive_victim(org_a), now=now)
    sweep_reminders(now=now)
    _token, claimed = outbox.claim(now=now, limit=10)  # a worker claims the row, then dies before sending
    assert [m.status for m in claimed] == [S.SENDING]

    assert outbox.deliver_due(now=now + timedelta(seconds=299))["claimed"] == 0  # still leased
    assert outbox.deliver_due(now=now + timedelta(seconds=301))["sent"] == 1

    assert len(smtp_server.received) == 1
    assert OutboxMessage.objects.get().attempts == 2


def test_an_unreachable_mail_server_is_an_attempt_that_is_retried(org_a, now, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    make_overdue_request(victim=sensitive_victim(org_a), now=now)
    sweep_reminders(now=now)

    counts = outbox.deliver_due(now=now)

    message = OutboxMessage.objects.get()
    assert counts["retrying"] == 1
    assert message.status == S.PENDING and "ConnectionRefusedError" in message.last_error


def test_a_batch_that_outlasts_half_its_lease_hands_the_rest_back_instead_of_racing_another_worker(
    org_a, now, smtp_server, settings
):
    settings.TRACKER_OUTBOX_LEASE_SECONDS = 0  # every send is "too slow"
    for _ in range(3):
        make_overdue_request(victim=sensitive_victim(org_a), now=now)
    sweep_reminders(now=now)
    emails = OutboxMessage.objects.count()  # one per recipient, listing the three cases

    counts = outbox.deliver_due(now=now)

    assert (counts["sent"], counts["released"]) == (0, emails)
    assert list(OutboxMessage.objects.values_list("status", "attempts", "claim_token").distinct()) == [
        (S.PENDING, 0, "")
    ]
    assert smtp_server.received == []


def test_a_batch_of_emails_is_marked_sent_in_a_few_queries_not_one_per_email(org_a, now, smtp_server):
    bulk_caseload(organization=org_a.organization, assigned_to=None, count=45, due_at=now - timedelta(days=8))
    assert sweep_escalations(now=now).queued == 45  # one email each to the supervisor

    with CaptureQueriesContext(connection) as queries:
        counts = outbox.deliver_due(now=now, limit=100)

    assert counts["sent"] == 45 and len(smtp_server.received) == 45
    assert set(OutboxMessage.objects.values_list("status", "sent_at")) == {(S.SENT, now)}
    assert len(queries) <= 8, [q["sql"][:80] for q in queries]  # a claim, then one UPDATE per 20 sent


def test_a_refused_email_in_a_batch_leaves_the_ones_sent_before_it_marked_sent(org_a, now, smtp_server):
    bulk_caseload(organization=org_a.organization, assigned_to=None, count=5, due_at=now - timedelta(days=8), start=100)
    sweep_escalations(now=now)  # five emails to the supervisor, queued first
    make_overdue_request(victim=sensitive_victim(org_a), now=now)
    sweep_reminders(now=now)  # then one to the caseworker, whose mailbox refuses it
    smtp_server.refuse_rcpt[org_a.caseworker.email] = "550 5.1.1 Mailbox unavailable"

    counts = outbox.deliver_due(now=now, limit=100)
    outbox.deliver_due(now=now + timedelta(minutes=1))  # before the backoff: nothing is sent twice

    # The supervisor's five escalations and their reminder about the five unassigned cases went; the refusal waits.
    assert (counts["sent"], counts["retrying"]) == (6, 1)
    assert len(smtp_server.received) == 6
    assert OutboxMessage.objects.filter(recipient=org_a.supervisor, status=S.SENT).count() == 6
    assert OutboxMessage.objects.get(recipient=org_a.caseworker).status == S.PENDING


def test_a_line_starting_with_a_dot_arrives_whole_and_the_next_email_still_goes(org_a, now, smtp_server):
    drafts = [
        outbox.Draft(
            organization_id=org_a.organization.pk,
            kind=OutboxMessage.Kind.REMINDER,
            dedupe_key=f"dot-test:{index}",
            recipient_id=org_a.caseworker.pk,
            recipient_email=org_a.caseworker.email,
            subject="Follow-ups due",
            body_text=f"Email {index}.\n.\n.. two dots\n.end\n",
        )
        for index in range(3)
    ]
    outbox.enqueue(drafts, now=now)

    assert outbox.deliver_due(now=now)["sent"] == 3

    texts = [r.text.replace("\r\n", "\n") for r in smtp_server.received]
    assert texts == [f"Email {i}.\n.\n.. two dots\n.end\n" for i in range(3)]
