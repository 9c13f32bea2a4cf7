"""Fixtures for homecoming tests: a batch of three people with three consent levels."""

import pytest

from cases import services as case_services
from homecoming import services

from .builders import batch, released_victim


def consent(victim, level, by):
    case_services.victim_update(
        victim=victim, editor=by, expected_version=victim.version, consent=level, consent_given_by="self"
    )
    victim.refresh_from_db()


@pytest.fixture
def manifest_batch(org_a):
    the_batch = batch(org_a)
    full = released_victim(org_a, full_name="Synthetic Full Consent", passport_number="P1234567")
    consent(full, "full", org_a.caseworker)
    none = released_victim(org_a, full_name="Synthetic No Consent", passport_number="P7654321")
    limited = released_victim(org_a, full_name="Synthetic Limited", passport_number="P5555555")
    consent(limited, "limited", org_a.caseworker)
    for victim in (full, none, limited):
        services.member_add(batch=the_batch, victim=victim, added_by=org_a.caseworker)
    return the_batch
