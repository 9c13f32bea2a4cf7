"""The released lists and the way home, end to end: a caseworker confirms a real list match (lists.services) and
the person's batch step completes, through cases.signals.list_match_confirmed (homecoming never imports lists)."""

import json

import pytest
from django.utils import timezone

from homecoming.models import ListSighting
from lists import services as list_services
from lists.models import ListEntry, Match, ReleasedList
from tests.homecoming.builders import batch, ready_member, released_victim

pytestmark = pytest.mark.django_db


def confirm_on_a_list(org, victim, *, kind: str, line: int = 12):
    released = ReleasedList.objects.create(
        organization=org.organization, kind=kind, source="Synthetic embassy", published=timezone.localdate(),
        file_name=f"{kind}.csv", sha256=f"{line:064d}",
    )  # fmt: skip
    entry = ListEntry.objects.create(released_list=released, line=line, name="Synthetic Returnee", sex="M")
    match = Match.objects.create(
        organization=org.organization, entry=entry, victim=victim, score=0.95, reasons=json.dumps(["same name"])
    )
    list_services.match_confirm(match=match, confirmed_by=org.caseworker)
    return entry


def test_confirming_a_match_on_an_arrived_list_records_departure_and_arrival(org_a):
    victim = released_victim(org_a)
    member = ready_member(org_a, victim, batch(org_a))
    entry = confirm_on_a_list(org_a, victim, kind="arrived")
    member.refresh_from_db()
    assert member.departed_at is not None and member.arrived_at is not None
    assert ListSighting.objects.get(victim=victim).entry_id == entry.pk


def test_confirming_a_match_on_a_repatriated_list_records_the_departure_only(org_a):
    victim = released_victim(org_a)
    member = ready_member(org_a, victim, batch(org_a))
    confirm_on_a_list(org_a, victim, kind="repatriated")
    member.refresh_from_db()
    assert member.departed_at is not None and member.arrived_at is None


def test_a_match_on_a_released_list_changes_no_step(org_a):
    victim = released_victim(org_a)
    member = ready_member(org_a, victim, batch(org_a))
    confirm_on_a_list(org_a, victim, kind="released")
    member.refresh_from_db()
    assert member.departed_at is None and member.arrived_at is None
    assert ListSighting.objects.filter(victim=victim, list_kind="released").exists()
