"""Missing in transit: released on a list, then on no arrival list and not heard from for N days."""

import json
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from cases import services as case_services
from cases.models import CaseNote, Victim
from lists.models import ListEntry, ListSettings, Match, ReleasedList
from lists.transit import missing_in_transit
from tracker.digests import render_digest

from .conftest import client_for  # noqa: F401

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 10, 5, 0, tzinfo=UTC)  # 12:00 in Bangkok
_serial = iter(range(1, 10_000))


def on_list(victim, *, kind="released", published=date(2025, 2, 20), status="confirmed", organization=None):
    """Put the victim on a new list of this kind through a match (confirmed unless told otherwise)."""
    n = next(_serial)
    organization = organization or victim.organization
    released = ReleasedList.objects.create(
        organization=organization, kind=kind, source="Synthetic embassy", published=published,
        file_name=f"{n}.csv", sha256=f"{n:064d}",
    )  # fmt: skip
    entry = ListEntry.objects.create(released_list=released, line=2, name=victim.full_name)
    return Match.objects.create(
        organization=victim.organization, entry=entry, victim=victim, score=0.95, status=status,
        reasons=json.dumps(["same name"]),
    )  # fmt: skip


@pytest.fixture
def person(org_a):
    return case_services.victim_create(
        organization=org_a.organization, created_by=org_a.caseworker, full_name="Synthetic Transit Person",
        assigned_to=org_a.caseworker,
    )  # fmt: skip


def missing(org):
    return set(missing_in_transit(Victim.objects.visible_to(org), organization=org, now=NOW))


def test_released_eighteen_days_ago_and_not_seen_since_is_missing(org_a, person):
    on_list(person)
    assert missing(org_a.organization) == {person}
    assert list(missing_in_transit(Victim.objects.all(), organization=org_a.organization, now=NOW))[
        0
    ].listed_released_on == (date(2025, 2, 20))


def test_released_less_than_the_setting_ago_is_not_missing_yet(org_a, person):
    on_list(person, published=date(2025, 3, 4))  # six days before NOW
    assert missing(org_a.organization) == set()
    on_list(person, published=date(2025, 3, 3))  # seven: the default
    # The latest release counts: 4 March is still within the seven days.
    assert missing(org_a.organization) == set()


def test_the_organisation_setting_changes_the_number_of_days(org_a, person):
    on_list(person, published=date(2025, 3, 4))
    ListSettings.objects.create(organization=org_a.organization, missing_after_days=3)
    assert missing(org_a.organization) == {person}


def test_an_arrival_or_repatriation_list_since_the_release_clears_the_flag(org_a, person):
    on_list(person)
    on_list(person, kind="arrived", published=date(2025, 2, 10))  # before the release: does not count
    assert missing(org_a.organization) == {person}
    on_list(person, kind="repatriated", published=date(2025, 2, 25))
    assert missing(org_a.organization) == set()


def test_a_suggestion_is_not_a_confirmation(org_a, person):
    on_list(person, status="suggested")
    assert missing(org_a.organization) == set()
    on_list(person)
    on_list(person, kind="arrived", published=date(2025, 2, 25), status="rejected")
    assert missing(org_a.organization) == {person}


def test_logged_contact_since_the_release_clears_the_flag_but_older_contact_does_not(org_a, person):
    on_list(person)
    case_services.case_note_add(
        victim=person, author=org_a.caseworker, body="Called.", kind=CaseNote.Kind.CONTACT_PERSON,
        occurred_at=datetime(2025, 2, 1, tzinfo=UTC),
    )  # fmt: skip
    case_services.case_note_add(
        victim=person, author=org_a.caseworker, body="Internal.", kind=CaseNote.Kind.INTERNAL, occurred_at=NOW
    )
    assert missing(org_a.organization) == {person}
    case_services.case_note_add(
        victim=person, author=org_a.caseworker, body="Family heard from him.", kind=CaseNote.Kind.CONTACT_FAMILY,
        occurred_at=datetime(2025, 2, 27, tzinfo=UTC),
    )  # fmt: skip
    assert missing(org_a.organization) == set()


def test_a_closed_case_and_another_organisations_case_are_not_flagged(org_a, org_b, person):
    on_list(person)
    other = case_services.victim_create(
        organization=org_b.organization, created_by=org_b.caseworker, full_name="Synthetic Other Person"
    )
    on_list(other)
    Victim.objects.filter(pk=person.pk).update(status=Victim.Status.DECEASED)
    assert missing(org_a.organization) == set()
    assert missing(org_b.organization) == {other}


def test_my_work_and_the_team_page_show_the_flag(org_a, client_for, person, time_machine):  # noqa: F811
    time_machine.move_to(NOW, tick=False)
    theirs = case_services.victim_create(
        organization=org_a.organization, created_by=org_a.supervisor, full_name="Synthetic Supervisor Transit"
    )
    on_list(person)
    on_list(theirs)

    mine = client_for(org_a.caseworker).get(reverse("tracker:my_work")).content.decode()
    section = mine[mine.index('id="missing-heading"') : mine.index("</section>", mine.index('id="missing-heading"'))]
    assert person.case_number in section and "Synthetic Transit Person" in section
    assert theirs.case_number not in section  # My work is my own cases
    assert ">18<" in section  # days since the release

    team = client_for(org_a.supervisor).get(reverse("tracker:team")).content.decode()
    section = team[team.index('id="missing-heading"') : team.index("</section>", team.index('id="missing-heading"'))]
    assert person.case_number in section and theirs.case_number in section
    assert "Caseworker Alpha" in section and "Supervisor Alpha" in section  # who follows each


def test_my_work_says_when_nobody_is_missing(org_a, client_for, person):  # noqa: F811
    body = client_for(org_a.caseworker).get(reverse("tracker:my_work")).content.decode()
    assert "Nobody released on a list is unaccounted for." in body


def test_the_weekly_digest_counts_them_without_naming_anyone(org_a, person):
    on_list(person)
    other = case_services.victim_create(
        organization=org_a.organization, created_by=org_a.supervisor, full_name="Synthetic Second Transit"
    )
    on_list(other)
    from accounts.models import Membership

    def digest(user):
        member = Membership.objects.select_related("user", "organization").get(
            user=user, organization=org_a.organization
        )
        return render_digest(membership=member, now=NOW, week="2025-W11")

    _s, text, html = digest(org_a.caseworker)
    assert "Missing in transit (released on a list, not arrived nor heard from since): 1" in text
    _s, text, html = digest(org_a.supervisor)
    assert "Missing in transit (released on a list, not arrived nor heard from since): 2" in text
    assert "Missing in transit" in html
    for body in (text, html):
        assert "Synthetic Transit Person" not in body and "Synthetic Second Transit" not in body
