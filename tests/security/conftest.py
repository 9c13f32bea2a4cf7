"""Fixtures for the attack suite: two organisations with a case each, and a log capture over every security test.

The log capture (`_no_personal_data_in_logs`, autouse) adds a handler to the root logger at DEBUG for the duration
of every test in tests/security/ and fails the test if any record (message, arguments or traceback) contains one of
the synthetic victim identifiers below. Its scope is this folder: the whole attack suite, including the flows in
test_emails_and_logs.py (intake, case actions, sweeps, digests, outbox delivery), not the rest of the test suite.
"""

import copy
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.models import Membership
from accounts.sessions import start_session
from cases import services
from cases.models import AgencyReferral, CaseNote, RescueRequest, Victim
from tests.conftest import OrgUsers, org_with_users
from tests.factories import (
    AgencyFactory,
    BorderRegionFactory,
    CompoundFactory,
    make_note,
    make_referral,
    make_request,
    signed_in_client,
)

NOW = datetime(2026, 3, 11, 3, 0, tzinfo=UTC)

# Synthetic identifiers of the people in the fixtures. None of them may ever reach a log line or an email.
VICTIM_A = {
    "full_name": "Synthetic Lanh Quorvath",
    "names_in_compound": "Synthetic Kiko Zephyrine",
    "passport_number": "C7716549Q",
    "phone_numbers": "+855 97 731 4482",
    "messaging_handles": "@synthetic_lanh_quorvath",
    "last_known_location": "Synthetic building Q7, fourth floor",
}
VICTIM_B = {
    "full_name": "Synthetic Bopha Yendrall",
    "names_in_compound": "Synthetic Mimi Xathorn",
    "passport_number": "N5531872Z",
    "phone_numbers": "+84 912 660 3719",
    "messaging_handles": "@synthetic_bopha_yendrall",
    "last_known_location": "Synthetic block Y2, ground floor",
}
REPORTER_CONTACT = "synthetic.sister.quorvath@example.org +855 88 102 5573"
NOTE_BODY = "Synthetic note: the family of Lanh Quorvath was called on +855 97 731 4482."


def sensitive_values() -> list[str]:
    """Every synthetic personal value the fixtures and flows use (names, passports, phones, handles, places)."""
    values = [*VICTIM_A.values(), *VICTIM_B.values(), REPORTER_CONTACT, "Quorvath", "Yendrall", "C7716549Q"]
    values += [phone.replace(" ", "") for phone in (VICTIM_A["phone_numbers"], VICTIM_B["phone_numbers"])]
    return values


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        parts = [record.name, str(record.msg)]
        try:
            parts.append(record.getMessage())
        except Exception:  # a broken format string is still captured raw above
            pass
        if record.args:
            parts.append(repr(record.args))
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        self.lines.append(" | ".join(parts))


@pytest.fixture
def log_capture():
    """The log records of this test as text (the root logger at DEBUG, every logger propagating to it)."""
    handler = _Collect()
    root = logging.getLogger()
    old_level = root.level
    # The existing handlers (the console) keep showing what they showed before; only ours sees DEBUG.
    others = [(other, other.level) for other in root.handlers]
    for other, level in others:
        other.setLevel(max(level, old_level))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        for other, level in others:
            other.setLevel(level)


@pytest.fixture(autouse=True)
def _no_personal_data_in_logs(log_capture):
    yield
    leaks = [(value, line) for line in log_capture for value in sensitive_values() if value.lower() in line.lower()]
    assert not leaks, f"personal data reached the logs: {leaks[:3]}"


@pytest.fixture
def client_for(db):
    """`client_for(user, organization=None)`: a signed-in client working in `organization` (`signed_in_client`)."""
    return signed_in_client


@dataclass
class World:
    """Organisation A's case with every kind of row, and organisation B's own case and private agency."""

    a: OrgUsers
    b: OrgUsers
    region: object
    compound: object
    agency_shared: object
    agency_a: object  # private to A
    agency_b: object  # private to B
    victim_a: Victim
    request_a: RescueRequest
    referral_a: AgencyReferral
    note_a: CaseNote
    restricted_note_a: CaseNote
    victim_b: Victim
    request_b: RescueRequest

    def user(self, who: str):
        """`who` is anonymous, caseworker, supervisor, org_admin or other_org (B's supervisor: B's widest view)."""
        if who == "anonymous":
            return None
        if who == "other_org":
            return self.b.supervisor
        return self.a.by_role(who)


@pytest.fixture
def world(org_a, org_b) -> World:
    return build_world(org_a, org_b)


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker) -> World:
    """The world built once for a module, as Django's setUpTestData does: in a transaction rolled back at the module's
    end, each test running in a savepoint inside it (pytest-django's `db` nests). A module opts in by overriding
    `world` with `world_copy`. Only for modules without transactional tests (those would flush the database)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world(org_with_users("alpha", "HWA"), org_with_users("bravo", "HWB"))
        transaction.set_rollback(True)


def world_copy(module_world: World) -> World:
    """This test's own copy of the module's world: what a test changes on its objects stays in the test."""
    return copy.deepcopy(module_world)


def build_world(org_a: OrgUsers, org_b: OrgUsers) -> World:
    """The rows of `World` for the two organisations (the `world` fixture; the access matrix builds it once)."""
    region = BorderRegionFactory(name="Synthetic Border Region")
    compound = CompoundFactory(name="Synthetic Compound Seven", region=region)
    agency_shared = AgencyFactory(name="Synthetic Shared Shelter", organization=None)
    agency_a = AgencyFactory(name="Synthetic Alpha Private Lawyer", organization=org_a.organization)
    agency_b = AgencyFactory(name="Synthetic Bravo Private Lawyer", organization=org_b.organization)
    victim_a = services.victim_create(
        organization=org_a.organization,
        created_by=org_a.caseworker,
        now=NOW - timedelta(days=20),
        citizenship="VN",
        compound=compound,
        border_region=region,
        assigned_to=org_a.caseworker,
        reporter={"name": "Synthetic Sister", "relationship": "sibling", "contact_channels": REPORTER_CONTACT},
        **VICTIM_A,
    )
    request_a = make_request(victim=victim_a, opened_by=org_a.caseworker, now=NOW - timedelta(days=20))
    referral_a = make_referral(victim=victim_a, agency=agency_shared, created_by=org_a.caseworker)
    note_a = make_note(victim=victim_a, author=org_a.caseworker, body=NOTE_BODY)
    restricted_note_a = make_note(
        victim=victim_a, author=org_a.supervisor, body="Synthetic restricted note", is_restricted=True
    )
    victim_b = services.victim_create(
        organization=org_b.organization,
        created_by=org_b.caseworker,
        now=NOW - timedelta(days=20),
        citizenship="KH",
        **VICTIM_B,
    )
    request_b = make_request(victim=victim_b, opened_by=org_b.caseworker, now=NOW - timedelta(days=20))
    assert Membership.objects.filter(user=org_b.supervisor, organization=org_a.organization).count() == 0
    return World(
        a=org_a,
        b=org_b,
        region=region,
        compound=compound,
        agency_shared=agency_shared,
        agency_a=agency_a,
        agency_b=agency_b,
        victim_a=victim_a,
        request_a=request_a,
        referral_a=referral_a,
        note_a=note_a,
        restricted_note_a=restricted_note_a,
        victim_b=victim_b,
        request_b=request_b,
    )


# --- One sign-in per visitor and module ----------------------------------------------------------------------------
# Signing five visitors in for each of ~100 URLs was most of the access matrix's time. Each visitor signs in once per
# module; every client then gets a fresh session holding that sign-in's data, stamped as signed in now, so a request
# that changes or ends its session (sign-out, organisation picker) never affects another client.


@pytest.fixture(scope="module")
def _signed_in(module_world) -> dict[str, dict]:
    signed_in = {}
    for who in ("caseworker", "supervisor", "org_admin", "other_org"):
        organization = module_world.b.organization if who == "other_org" else module_world.a.organization
        signed_in[who] = dict(signed_in_client(module_world.user(who), organization).session.items())
    return signed_in


@pytest.fixture
def signed_in_sessions(_signed_in, db) -> dict[str, dict]:
    """Each signed-in visitor's session data right after signing in (two-factor passed, organisation chosen)."""
    return _signed_in


def session_client(who: str, signed_in_sessions: dict[str, dict]) -> Client:
    """A new client for `who` (a `World.user` name), in a new session with the data of that visitor's sign-in."""
    client = Client()
    if who != "anonymous":
        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session.update(signed_in_sessions[who])
        start_session(session=session, now=timezone.now())
        session.save()
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        client.cookies[settings.SESSION_COOKIE_NAME].update(
            {"path": "/", "domain": settings.SESSION_COOKIE_DOMAIN, "secure": settings.SESSION_COOKIE_SECURE or None}
        )
    client.raise_request_exception = False  # a crash is a 500 in the matrix, not an exception in the test
    return client
