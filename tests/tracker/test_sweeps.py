"""Reminders, escalations and referral chases: who gets what, once per due date, with time passed in."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from cases import services
from cases.models import RescueRequest
from tests.factories import AgencyFactory, make_overdue_request, make_referral, make_request, make_victim
from tracker.models import OutboxMessage
from tracker.sweeps import reminder_round, should_escalate, sweep_escalations, sweep_referral_chases, sweep_reminders

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
    assert message.about == request
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

    assert result.queued == 1000
    assert OutboxMessage.objects.filter(kind=K.REMINDER).count() == 1000
    # Reads are one per 500 rows; inserts are batched by the database's parameter limit (about 45 rows on SQLite).
    assert len(queries) <= 50, [q["sql"][:80] for q in queries]
