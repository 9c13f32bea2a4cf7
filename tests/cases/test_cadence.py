"""Follow-up cadence: each logged update moves the next follow-up by the priority's cadence, in local days."""

from datetime import UTC, datetime, timedelta

import pytest

from cases import services
from cases.models import RescueRequest
from tests.factories import make_request, make_victim

pytestmark = pytest.mark.django_db


def test_default_cadences_are_one_three_and_seven_days(org_a):
    org = org_a.organization
    start = datetime(2025, 6, 2, 3, 0, tzinfo=UTC)
    due = {p: services.next_follow_up(organization=org, priority=p, after=start) for p in ("urgent", "high", "normal")}
    assert due == {
        "urgent": start + timedelta(days=1),
        "high": start + timedelta(days=3),
        "normal": start + timedelta(days=7),
    }


def test_an_organisation_can_change_its_cadences(org_a):
    org = org_a.organization
    org.cadence_normal_days = 14
    org.save()
    start = datetime(2025, 6, 2, tzinfo=UTC)
    assert services.next_follow_up(organization=org, priority="normal", after=start) == start + timedelta(days=14)


def test_cadence_crosses_month_and_year_ends(org_a):
    org = org_a.organization
    # 2025-01-31 09:00 Bangkok + 7 days = 2025-02-07 09:00 Bangkok; 2025-12-30 + 3 days = 2026-01-02.
    assert services.next_follow_up(
        organization=org, priority="normal", after=datetime(2025, 1, 31, 2, tzinfo=UTC)
    ) == datetime(2025, 2, 7, 2, tzinfo=UTC)
    assert services.next_follow_up(
        organization=org, priority="high", after=datetime(2025, 12, 30, 2, tzinfo=UTC)
    ) == datetime(2026, 1, 2, 2, tzinfo=UTC)
    # leap day
    assert services.next_follow_up(
        organization=org, priority="urgent", after=datetime(2028, 2, 28, 2, tzinfo=UTC)
    ) == datetime(2028, 2, 29, 2, tzinfo=UTC)


def test_cadence_keeps_the_local_wall_clock_time_across_daylight_saving(org_a):
    org = org_a.organization
    org.timezone = "Europe/Berlin"
    org.save()
    # Saturday 2025-03-29 09:00 CET (08:00 UTC); clocks go forward on Sunday 30 March.
    after = datetime(2025, 3, 29, 8, 0, tzinfo=UTC)
    due = services.next_follow_up(organization=org, priority="urgent", after=after)
    assert due == datetime(2025, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 CEST, only 23 hours later


def test_logging_an_update_moves_the_follow_up_by_the_cadence_from_now(org_a):
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker)
    opened = datetime(2025, 6, 1, 2, tzinfo=UTC)
    request = make_request(victim=victim, priority="high", now=opened)
    assert request.next_follow_up_at == opened + timedelta(days=3)

    logged = datetime(2025, 6, 5, 4, tzinfo=UTC)  # a day late
    note = services.rescue_request_log_update(
        request=request, author=org_a.caseworker, note="Spoke by phone", now=logged
    )

    request.refresh_from_db()
    assert request.next_follow_up_at == logged + timedelta(days=3)
    assert request.last_update_at == logged
    assert note.rescue_request == request and note.kind == "contact_person"
    victim.refresh_from_db()
    assert victim.last_contact_at == logged


def test_a_closed_request_is_no_longer_chased(org_a):
    victim = make_victim(organization=org_a.organization)
    request = make_request(victim=victim)
    services.rescue_request_close(request=request, status="withdrawn", outcome="Family withdrew", closed_by=None)
    request.refresh_from_db()
    assert request.next_follow_up_at is None
    assert not RescueRequest.objects.open().filter(pk=request.pk).exists()
