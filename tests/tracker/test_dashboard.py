"""The caseworker's working view: overdue, due today, awaiting response, team load, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from tests.factories import AgencyFactory, make_overdue_request, make_referral, make_request, make_victim
from tracker.dashboard import my_work, team_load, unassigned_counts

from .conftest import bulk_caseload

pytestmark = pytest.mark.django_db


def test_my_work_lists_overdue_and_due_today_oldest_first_and_counts_them(org_a, org_b, now):
    org = org_a.organization  # Asia/Bangkok: "today" ends at 17:00 UTC on 2026-03-11
    older = make_overdue_request(
        victim=make_victim(organization=org, assigned_to=org_a.caseworker), days_overdue=5, now=now
    )
    newer = make_overdue_request(
        victim=make_victim(organization=org, assigned_to=org_a.caseworker), days_overdue=1, now=now
    )
    later_today = make_request(victim=make_victim(organization=org, assigned_to=org_a.caseworker), now=now)
    later_today.next_follow_up_at = now + timedelta(hours=6)
    later_today.save()
    tomorrow_local = make_request(victim=make_victim(organization=org, assigned_to=org_a.caseworker), now=now)
    tomorrow_local.next_follow_up_at = now + timedelta(hours=8)  # 01:00 tomorrow in Bangkok
    tomorrow_local.save()
    make_overdue_request(victim=make_victim(organization=org, assigned_to=org_a.caseworker2), now=now)
    make_overdue_request(victim=make_victim(organization=org_b.organization, assigned_to=org_b.caseworker), now=now)

    work = my_work(user=org_a.caseworker, organization=org, now=now)

    assert [r.pk for r in work.overdue] == [older.pk, newer.pk]
    assert [r.pk for r in work.due_today] == [later_today.pk]
    assert work.counts == {"overdue": 2, "due_today": 1, "awaiting_response": 0, "open_requests": 4}


@pytest.mark.parametrize("limit", [1, 2, 3, 50])
def test_my_work_caps_each_section_at_the_limit_oldest_first_whether_or_not_a_section_is_longer(org_a, now, limit):
    """Below the limits every due row comes in the plain query; above, the database numbers each section's rows:
    the sections shown are the same either way."""
    org = org_a.organization

    def due(hours: float):
        request = make_request(victim=make_victim(organization=org, assigned_to=org_a.caseworker), now=now)
        request.next_follow_up_at = now + timedelta(hours=hours)
        request.save()
        return request.pk

    overdue = [due(-72), due(-48), due(-1)]
    today = [due(2), due(5)]  # "today" in Bangkok ends at 17:00 UTC; `now` is 10:00 UTC

    work = my_work(user=org_a.caseworker, organization=org, now=now, limit=limit)

    assert [r.pk for r in work.overdue] == overdue[:limit]
    assert [r.pk for r in work.due_today] == today[:limit]
    assert work.counts["overdue"] == 3 and work.counts["due_today"] == 2


def test_my_work_of_another_organisation_is_empty(org_a, org_b, now):
    make_overdue_request(victim=make_victim(organization=org_a.organization, assigned_to=org_a.caseworker), now=now)

    work = my_work(user=org_b.caseworker, organization=org_a.organization, now=now)

    assert work.overdue == [] and work.counts["open_requests"] == 0


def test_my_work_lists_referrals_the_user_sent_that_await_a_response(org_a, now):
    org = org_a.organization
    agency = AgencyFactory()
    victim = make_victim(organization=org, assigned_to=org_a.caseworker)
    late = services.referral_send(
        referral=make_referral(victim=victim, agency=agency), sent_by=org_a.caseworker, now=now - timedelta(days=5)
    )
    recent = services.referral_send(
        referral=make_referral(victim=victim, agency=agency), sent_by=org_a.caseworker, now=now - timedelta(days=1)
    )
    answered = services.referral_send(
        referral=make_referral(victim=victim, agency=agency), sent_by=org_a.caseworker, now=now - timedelta(days=6)
    )
    services.referral_record_response(referral=answered, status="acknowledged", recorded_by=org_a.caseworker, now=now)
    services.referral_send(referral=make_referral(victim=victim, agency=agency), sent_by=org_a.caseworker2, now=now)

    work = my_work(user=org_a.caseworker, organization=org, now=now)

    assert [r.pk for r in work.awaiting_response] == [late.pk, recent.pk]
    assert work.counts["awaiting_response"] == 2


@pytest.mark.parametrize("caseload", [5, 500])
def test_my_work_runs_the_same_number_of_queries_for_any_caseload(org_a, now, caseload):
    org = org_a.organization
    bulk_caseload(organization=org, assigned_to=org_a.caseworker, count=caseload, due_at=now - timedelta(days=2))
    user = type(org_a.caseworker).objects.get(pk=org_a.caseworker.pk)  # no cached memberships

    with CaptureQueriesContext(connection) as queries:
        work = my_work(user=user, organization=org, now=now, limit=50)
        for request in work.overdue:
            _ = (request.victim.case_number, request.victim.compound, request.victim.border_region)

    assert len(work.overdue) == min(caseload, 50)
    assert work.counts["overdue"] == caseload
    assert len(queries) <= 6


@pytest.mark.parametrize("caseload", [5, 500])
def test_team_load_counts_per_caseworker_and_unassigned_in_a_fixed_number_of_queries(org_a, now, caseload):
    org = org_a.organization
    bulk_caseload(organization=org, assigned_to=org_a.caseworker, count=caseload, due_at=now - timedelta(days=2))
    bulk_caseload(organization=org, assigned_to=None, count=3, due_at=now + timedelta(days=2), start=caseload + 1)

    with CaptureQueriesContext(connection) as queries:
        load = team_load(organization=org, now=now)
        unassigned = unassigned_counts(organization=org, now=now)

    rows = {row["user"].email: row for row in load}
    assert rows[org_a.caseworker.email] == {
        "user": org_a.caseworker,
        "open_requests": caseload,
        "overdue": caseload,
        "victims": caseload,
    }
    assert rows[org_a.caseworker2.email]["open_requests"] == 0
    assert org_a.supervisor.email not in rows  # supervisors appear only when they carry cases
    assert unassigned == {"open_requests": 3, "overdue": 0, "victims": 3}
    assert len(queries) <= 5
