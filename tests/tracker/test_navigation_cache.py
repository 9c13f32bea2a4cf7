"""The navigation's counts kept in the cache (tracker/navigation.py): one query fewer a page, never out of date."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from cases import services
from tests.factories import make_overdue_request, make_request, make_victim, signed_in_client
from tests.web.conftest import count_queries

pytestmark = pytest.mark.django_db

OVERDUE_BADGE = re.compile(r'title="Overdue follow-ups">(\d+)<')


@pytest.fixture
def cached_counts(now):
    """Counts cached for up to an hour, in a clean cache, at a frozen time; writes' on-commit callbacks run."""
    cache.clear()
    with override_settings(NAVIGATION_COUNTS_CACHE_SECONDS=3600), time_machine.travel(now, tick=False) as clock:
        yield clock
    cache.clear()


def overdue_badge(client) -> int:
    """The overdue count the navigation shows on the referrals list (0 when the badge is not shown)."""
    found = OVERDUE_BADGE.search(client.get(reverse("cases:referral_list")).content.decode())
    return int(found[1]) if found else 0


def test_a_second_page_reuses_the_navigation_counts_and_runs_one_query_fewer(org_a, now, cached_counts):
    victim = make_victim(organization=org_a.organization, assigned_to=org_a.caseworker)
    make_overdue_request(victim=victim, now=now)
    client = signed_in_client(org_a.caseworker, org_a.organization)
    url = reverse("cases:referral_list")

    first, second = count_queries(client, url), count_queries(client, url)

    assert second == first - 1
    assert overdue_badge(client) == 1


def test_closing_a_request_updates_the_cached_overdue_count_at_once(
    org_a, now, cached_counts, django_capture_on_commit_callbacks
):
    victim = make_victim(organization=org_a.organization, assigned_to=org_a.caseworker)
    first = make_overdue_request(victim=victim, now=now)
    make_overdue_request(victim=victim, now=now)
    client = signed_in_client(org_a.caseworker, org_a.organization)
    assert overdue_badge(client) == 2

    with django_capture_on_commit_callbacks(execute=True):
        services.rescue_request_close(
            request=first, status="withdrawn", outcome="Synthetic outcome", closed_by=org_a.caseworker
        )

    assert overdue_badge(client) == 1


def test_a_colleague_assigning_a_request_shows_in_the_assignees_count(
    org_a, now, cached_counts, django_capture_on_commit_callbacks
):
    victim = make_victim(organization=org_a.organization, assigned_to=org_a.caseworker2)
    request = make_overdue_request(victim=victim, now=now)
    client = signed_in_client(org_a.caseworker, org_a.organization)
    assert overdue_badge(client) == 0

    with django_capture_on_commit_callbacks(execute=True):
        services.rescue_request_assign(request=request, assignee=org_a.caseworker, assigned_by=org_a.supervisor)

    assert overdue_badge(client) == 1


def test_a_request_falling_due_shows_as_overdue_without_any_write(org_a, now, cached_counts):
    victim = make_victim(organization=org_a.organization, assigned_to=org_a.caseworker)
    request = make_request(victim=victim, now=now - timedelta(days=1))
    request.next_follow_up_at = now + timedelta(minutes=5)
    request.save()
    client = signed_in_client(org_a.caseworker, org_a.organization)
    assert overdue_badge(client) == 0

    cached_counts.shift(timedelta(minutes=5))

    assert overdue_badge(client) == 1


def test_a_request_assigned_away_leaves_the_former_assignees_count(
    org_a, now, cached_counts, django_capture_on_commit_callbacks
):
    victim = make_victim(organization=org_a.organization, assigned_to=org_a.caseworker)
    request = make_overdue_request(victim=victim, now=now)
    client = signed_in_client(org_a.caseworker, org_a.organization)
    assert overdue_badge(client) == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.rescue_request_assign(request=request, assignee=org_a.caseworker2, assigned_by=org_a.supervisor)

    assert overdue_badge(client) == 0


def test_a_colleagues_own_follow_up_keeps_my_counts_cached(
    org_a, now, cached_counts, django_capture_on_commit_callbacks
):
    mine = make_victim(organization=org_a.organization, assigned_to=org_a.caseworker)
    make_overdue_request(victim=mine, now=now)
    theirs = make_overdue_request(
        victim=make_victim(organization=org_a.organization, assigned_to=org_a.caseworker2), now=now
    )
    client = signed_in_client(org_a.caseworker, org_a.organization)
    url = reverse("cases:referral_list")
    counted = count_queries(client, url)

    with django_capture_on_commit_callbacks(execute=True):
        services.rescue_request_close(
            request=theirs, status="withdrawn", outcome="Synthetic outcome", closed_by=org_a.caseworker2
        )

    assert count_queries(client, url) == counted - 1
    assert overdue_badge(client) == 1


def test_a_case_given_to_me_brings_its_open_requests_into_my_count_at_once(
    org_a, now, cached_counts, django_capture_on_commit_callbacks
):
    victim = make_victim(organization=org_a.organization, assigned_to=org_a.caseworker2)
    make_overdue_request(victim=victim, now=now)
    client = signed_in_client(org_a.caseworker, org_a.organization)
    assert overdue_badge(client) == 0

    with django_capture_on_commit_callbacks(execute=True):
        services.victim_assign(victim=victim, assignee=org_a.caseworker, assigned_by=org_a.supervisor)

    assert overdue_badge(client) == 1
