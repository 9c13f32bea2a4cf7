""" "Overdue", "open request" and "active member" are each defined once; the boundary is tested here.

Overdue means the follow-up time has come: a request due at 09:00 is overdue at 09:00 (not only at 09:00:00.000001),
on My work, in the case list's filter, in the Django admin's filter and for the reminder sweep alike.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership, User
from cases import services
from cases.models import RescueRequest
from cases.models.requests import overdue_condition
from tests.factories import make_request, make_victim
from tracker.dashboard import my_work
from tracker.sweeps import _due_requests

pytestmark = pytest.mark.django_db


def request_due_at(org, moment):
    victim = make_victim(organization=org.organization, created_by=org.caseworker, assigned_to=org.caseworker)
    request = make_request(victim=victim, opened_by=org.caseworker, now=moment - timedelta(days=30))
    RescueRequest.objects.filter(pk=request.pk).update(next_follow_up_at=moment, assigned_to=org.caseworker)
    return RescueRequest.objects.get(pk=request.pk)


@pytest.mark.parametrize(
    ("offset", "overdue"), [(timedelta(seconds=-1), True), (timedelta(0), True), (timedelta(seconds=1), False)]
)
def test_a_request_is_overdue_from_the_moment_its_follow_up_is_due(org_a, offset, overdue):
    now = timezone.now().replace(microsecond=0)
    request = request_due_at(org_a, now + offset)
    assert RescueRequest.objects.filter(overdue_condition(now), pk=request.pk).exists() is overdue
    assert (RescueRequest.objects.overdue(now=now).filter(pk=request.pk).exists()) is overdue
    work = my_work(user=org_a.caseworker, organization=org_a.organization, now=now)
    assert (request in work.overdue) is overdue
    assert work.counts["overdue"] == (1 if overdue else 0)
    assert _due_requests(now=now, organization=org_a.organization).filter(pk=request.pk).exists() is overdue


def test_a_closed_request_is_never_overdue(org_a):
    now = timezone.now()
    request = request_due_at(org_a, now - timedelta(days=3))
    services.rescue_request_close(request=request, closed_by=org_a.caseworker, status="rescued", outcome="Synthetic")
    assert not RescueRequest.objects.overdue(now=now).filter(pk=request.pk).exists()
    assert not RescueRequest.objects.open().filter(pk=request.pk).exists()


def test_an_active_member_needs_both_an_active_membership_and_an_active_user(org_a):
    caseworker = org_a.caseworker
    members = set(User.objects.members_of([org_a.organization.pk]))
    assert caseworker in members
    Membership.objects.filter(user=caseworker).update(is_active=False)
    assert caseworker not in set(User.objects.members_of([org_a.organization.pk]))
    Membership.objects.filter(user=caseworker).update(is_active=True)
    User.objects.filter(pk=caseworker.pk).update(is_active=False)
    assert not Membership.objects.filter(user=caseworker).active().exists()
    assert caseworker not in set(User.objects.members_of([org_a.organization.pk]))
