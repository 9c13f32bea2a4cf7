"""Reminders, escalations and referral chases: who gets what, once per due date, with time passed in."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from cases import services
from cases.models import RescueRequest
from tests.factories import AgencyFactory, make_overdue_request, make_referral, make_request, make_victim
from tracker.models import OutboxMessage, ReminderItem
from tracker.sweeps import (
    key_time,
    reminder_round,
    should_escalate,
    sweep_escalations,
    sweep_referral_chases,
    sweep_reminders,
)

from .conftest import bulk_caseload

pytestmark = pytest.mark.django_db

K = OutboxMessage.Kind


def recipients(kind: str) -> list[str]:
    return sorted(OutboxMessage.objects.filter(kind=kind).values_list("recipient_email", flat=True))


def test_a_due_request_reminds_its_caseworker_once_however_often_the_sweep_runs(org_a, now):
    request = make_overdue_request(
        victim=make_victim(organization=org_a.organization, assigned_to=org_a.caseworker), days_overdue=1, now=now
    )

    first = sweep_reminders(now=now)
    second = sweep_reminders(now=now + timedelta(minutes=5))

    assert (first.queued, second.queued) == (1, 0)
    message = OutboxMessage.objects.get(kind=K.REMINDER)
    assert message.recipient_email == org_a.caseworker.email
    assert [item.request for item in message.reminder_items.all()] == [request]
    assert request.victim.case_number in message.subject


def test_a_request_not_yet_due_or_closed_is_not_reminded(org_a, now):
    victim = make_victim(organization=org_a.organization, assigned_to=org_a.caseworker)
    make_request(victim=victim, now=now - timedelta(days=2))  # due in 5 days
    closed = make_overdue_request(victim=make_victim(organization=org_a.organization), now=now)
    services.rescue_request_close(request=closed, status="rescued", outcome="Out", closed_by=None, now=now)

    assert sweep_reminders(now=now).queued == 0


def test_an_unassigned_request_reminds_the_supervisors(org_a, now):
    make_overdue_request(victim=make_victim(organization=org_a.organization, assigned_to=None), now=now)

    sweep_reminders(now=now)

    assert recipients(K.REMINDER) == [org_a.supervisor.email]


def test_a_caseworker_who_left_the_organisation_is_replaced_by_the_supervisors(org_a, now):
    make_overdue_request(victim=make_victim(organization=org_a.organization, assigned_to=org_a.caseworker), now=now)
    Membership.objects.filter(user=org_a.caseworker).update(is_active=False)

    sweep_reminders(now=now)

    assert recipients(K.REMINDER) == [org_a.supervisor.email]


def test_each_organisations_reminders_go_to_its_own_people(org_a, org_b, now):
    make_overdue_request(victim=make_victim(organization=org_a.organization, assigned_to=None), now=now)
    make_overdue_request(victim=make_victim(organization=org_b.organization, assigned_to=None), now=now)

    sweep_reminders(now=now)

    assert recipients(K.REMINDER) == sorted([org_a.supervisor.email, org_b.supervisor.email])
    assert OutboxMessage.objects.get(recipient_email=org_b.supervisor.email).organization == org_b.organization


def test_logging_an_update_moves_the_due_date_so_the_next_reminder_comes_one_cadence_later(org_a, now):
    request = make_overdue_request(
        victim=make_victim(organization=org_a.organization, assigned_to=org_a.caseworker), days_overdue=1, now=now
    )
    sweep_reminders(now=now)
    services.rescue_request_log_update(request=request, author=org_a.caseworker, note="Called family", now=now)
    request.refresh_from_db()
    assert request.next_follow_up_at == now + timedelta(days=7)

    assert sweep_reminders(now=now + timedelta(days=6, hours=23)).queued == 0
    assert sweep_reminders(now=now + timedelta(days=7)).queued == 1


def test_a_request_left_overdue_is_reminded_again_each_cadence(org_a, now):
    victim = make_victim(organization=org_a.organization, assigned_to=org_a.caseworker)
    request = make_overdue_request(victim=victim, days_overdue=0, priority="urgent", now=now)  # cadence 1 day

    queued = [sweep_reminders(now=now + timedelta(hours=h)).queued for h in (0, 12, 24, 30, 48)]

    assert queued == [1, 0, 1, 0, 1]
    assert reminder_round(request=request, now=now + timedelta(hours=49)) == 2


@pytest.mark.parametrize(
    ("priority", "overdue_by", "escalates"),
    [
        ("normal", timedelta(days=7), False),  # overdue by exactly its cadence: not yet
        ("normal", timedelta(days=7, minutes=1), True),
        ("high", timedelta(days=3, minutes=1), True),
        ("urgent", timedelta(hours=23), False),
        ("urgent", timedelta(days=1, minutes=1), True),
    ],
)
def test_a_request_escalates_when_overdue_by_more_than_its_cadence_again(org_a, now, priority, overdue_by, escalates):
    request = RescueRequest(
        organization=org_a.organization, priority=priority, next_follow_up_at=now - overdue_by, status="open"
    )

    assert should_escalate(request=request, now=now, reminders_sent=0) is escalates


def test_an_organisation_can_escalate_after_n_unanswered_reminders_instead(org_a, now):
    org = org_a.organization
    org.escalate_after_reminders = 2
    org.save()
    make_overdue_request(
        victim=make_victim(organization=org, assigned_to=org_a.caseworker), days_overdue=0, priority="urgent", now=now
    )

    sweep_reminders(now=now)
    assert sweep_escalations(now=now).queued == 0  # one reminder so far
    sweep_reminders(now=now + timedelta(days=1))
    assert sweep_escalations(now=now + timedelta(days=1)).queued == 1  # the second went unanswered


def test_an_escalation_goes_to_the_supervisors_once_per_due_date(org_a, now):
    victim = make_victim(organization=org_a.organization, assigned_to=org_a.caseworker)
    request = make_overdue_request(victim=victim, days_overdue=8, now=now)

    assert sweep_escalations(now=now).queued == 1
    assert sweep_escalations(now=now + timedelta(days=8)).queued == 0
    assert recipients(K.ESCALATION) == [org_a.supervisor.email]
    message = OutboxMessage.objects.get(kind=K.ESCALATION)
    assert "8 days overdue" in message.subject and victim.case_number in message.subject

    # Logged and then left to slip again past the threshold: a new due date, a new escalation.
    services.rescue_request_log_update(request=request, author=org_a.caseworker, note="Update", now=now)
    assert sweep_escalations(now=now + timedelta(days=14)).queued == 0
    assert sweep_escalations(now=now + timedelta(days=14, minutes=1)).queued == 1


def test_a_referral_past_its_response_date_reminds_its_sender_to_chase(org_a, now):
    victim = make_victim(organization=org_a.organization, assigned_to=org_a.caseworker)
    referral = make_referral(victim=victim, agency=AgencyFactory())
    services.referral_send(referral=referral, sent_by=org_a.caseworker2, now=now - timedelta(days=4))
    answered = make_referral(victim=victim, agency=AgencyFactory())
    services.referral_send(referral=answered, sent_by=org_a.caseworker2, now=now - timedelta(days=4))
    services.referral_record_response(referral=answered, status="acknowledged", recorded_by=None, now=now)
    not_yet = make_referral(victim=victim, agency=AgencyFactory())
    services.referral_send(referral=not_yet, sent_by=org_a.caseworker2, now=now - timedelta(days=2))

    result = sweep_referral_chases(now=now)
    again = sweep_referral_chases(now=now + timedelta(hours=1))

    assert (result.found, result.queued, again.queued) == (1, 1, 0)
    message = OutboxMessage.objects.get(kind=K.REFERRAL_CHASE)
    assert message.recipient_email == org_a.caseworker2.email
    assert message.about == referral


def test_a_dry_run_lists_case_numbers_and_writes_nothing(org_a, now):
    victim = make_victim(organization=org_a.organization, assigned_to=org_a.caseworker)
    make_overdue_request(victim=victim, now=now)

    result = sweep_reminders(now=now, dry_run=True)

    assert [p.case_number for p in result.planned] == [victim.case_number]
    assert not OutboxMessage.objects.exists()


def test_a_sweep_over_a_thousand_due_requests_runs_a_bounded_number_of_queries(org_a, now):
    bulk_caseload(
        organization=org_a.organization, assigned_to=org_a.caseworker, count=1000, due_at=now - timedelta(days=2)
    )

    with CaptureQueriesContext(connection) as queries:
        result = sweep_reminders(now=now)

    assert (result.queued, result.emails) == (1000, 1)  # one email lists all of the caseworker's due cases
    assert ReminderItem.objects.filter(message__recipient=org_a.caseworker).count() == 1000
    # Reads are one per 500 rows; inserts are batched by the database's parameter limit on SQLite.
    assert len(queries) <= 50, [q["sql"][:80] for q in queries]


def test_a_sweep_with_nothing_new_reads_what_is_due_and_the_ledger_and_writes_nothing(org_a, now):
    bulk_caseload(
        organization=org_a.organization, assigned_to=org_a.caseworker, count=600, due_at=now - timedelta(days=2)
    )
    assert sweep_reminders(now=now).queued == 600

    with CaptureQueriesContext(connection) as queries:
        again = sweep_reminders(now=now + timedelta(minutes=5))

    assert (again.found, again.queued, again.emails) == (600, 0, 0)
    sql = [q["sql"] for q in queries]
    assert not [s for s in sql if s.lstrip().upper().startswith(("INSERT", "UPDATE"))], sql
    # The due rows, the team (2), the ledger's keys, the webhook subscriptions per chunk of 500: not per row.
    assert len(sql) <= 7, sql


def test_each_recipient_gets_one_reminder_listing_all_their_due_cases(org_a, now):
    mine = [
        make_overdue_request(
            victim=make_victim(organization=org_a.organization, assigned_to=org_a.caseworker), days_overdue=d, now=now
        )
        for d in (1, 3, 2)
    ]
    theirs = make_overdue_request(
        victim=make_victim(organization=org_a.organization, assigned_to=org_a.caseworker2), now=now
    )
    unassigned = make_overdue_request(victim=make_victim(organization=org_a.organization, assigned_to=None), now=now)

    result = sweep_reminders(now=now)

    assert (result.found, result.queued, result.emails) == (5, 5, 3)
    assert recipients(K.REMINDER) == sorted([org_a.caseworker.email, org_a.caseworker2.email, org_a.supervisor.email])
    email = OutboxMessage.objects.get(recipient=org_a.caseworker)
    oldest_first = [mine[1], mine[2], mine[0]]
    numbers = [r.victim.case_number for r in oldest_first]
    assert email.subject == f"Follow-up due: {', '.join(numbers)}"
    positions = [email.body_text.index(f"A follow-up is due on case {n}.") for n in numbers]
    assert positions == sorted(positions)
    assert all(n in email.body_html for n in numbers)
    assert theirs.victim.case_number not in email.body_text
    supervisors = OutboxMessage.objects.get(recipient=org_a.supervisor).body_text
    assert unassigned.victim.case_number in supervisors and "Nobody is assigned" in supervisors
    # Swept again: nothing new for anyone; a new due case makes a new email listing only that one.
    assert sweep_reminders(now=now + timedelta(minutes=5)).queued == 0
    later = make_overdue_request(
        victim=make_victim(organization=org_a.organization, assigned_to=org_a.caseworker), now=now
    )
    assert (sweep_reminders(now=now).emails, OutboxMessage.objects.filter(recipient=org_a.caseworker).count()) == (1, 2)
    newest = OutboxMessage.objects.filter(recipient=org_a.caseworker).order_by("pk").last()
    assert newest.subject == f"Follow-up due: {later.victim.case_number}"


def test_a_sweeps_query_count_does_not_grow_with_the_number_of_due_requests(org_a, now):
    def queries_for(count: int, due_at, start: int) -> int:
        bulk_caseload(
            organization=org_a.organization, assigned_to=org_a.caseworker, count=count, due_at=due_at, start=start
        )
        with CaptureQueriesContext(connection) as queries:
            assert sweep_reminders(now=now).queued == count
        return len(queries)

    few = queries_for(5, now - timedelta(days=2), 1)
    OutboxMessage.objects.update(status=OutboxMessage.Status.SENT, sent_at=now)
    RescueRequest.objects.update(next_follow_up_at=now + timedelta(days=3))  # answered: no longer due
    many = queries_for(100, now - timedelta(days=1), 100)

    assert many == few


def test_a_round_reminded_before_the_upgrade_is_not_reminded_again(org_a, now):
    """The migration copies per-item reminder rows into the ledger; the sweep then finds the key taken."""
    import importlib

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    request = make_overdue_request(
        victim=make_victim(organization=org_a.organization, assigned_to=org_a.caseworker), days_overdue=1, now=now
    )
    key = f"reminder:{request.pk}:{key_time(request.next_follow_up_at)}:0:{org_a.caseworker.pk}"
    OutboxMessage.objects.create(
        organization=org_a.organization,
        kind=K.REMINDER,
        dedupe_key=key,
        recipient=org_a.caseworker,
        recipient_email=org_a.caseworker.email,
        subject="Follow-up due",
        body_text="Old",
        content_type=ContentType.objects.get_for_model(RescueRequest),
        object_id=request.pk,
        due_at=request.next_follow_up_at,
    )
    importlib.import_module("tracker.migrations.0004_reminder_items").ledger_from_outbox(apps, None)

    assert sweep_reminders(now=now).queued == 0
    assert ReminderItem.objects.get().dedupe_key == key


def test_a_caseworker_in_two_organisations_gets_each_organisations_reminder(org_a, org_b, now):
    # One person, a caseworker of both organisations (e.g. seconded): each organisation's email lists its own case.
    Membership.objects.create(user=org_a.caseworker, organization=org_b.organization, role=Membership.Role.CASEWORKER)
    here = make_overdue_request(
        victim=make_victim(organization=org_a.organization, assigned_to=org_a.caseworker), now=now
    )
    there = make_overdue_request(
        victim=make_victim(organization=org_b.organization, assigned_to=org_a.caseworker), now=now
    )

    result = sweep_reminders(now=now)

    assert (result.queued, result.emails) == (2, 2)
    emails = {m.organization_id: m for m in OutboxMessage.objects.filter(recipient=org_a.caseworker)}
    assert emails[org_a.organization.pk].subject == f"Follow-up due: {here.victim.case_number}"
    assert emails[org_b.organization.pk].subject == f"Follow-up due: {there.victim.case_number}"
    assert [i.request for i in emails[org_b.organization.pk].reminder_items.all()] == [there]
