"""Searching names through the real search page, across scripts, spellings and orders; the intake duplicate check
across scripts; names shown with their Latin reading; search terms never kept in the clear in the session."""

import time
from datetime import date
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from cases.duplicates import find_possible_duplicates
from cases.filters import SEARCH_SESSION_KEY, SEARCH_TERM_TTL
from tests.factories import make_victim

from .conftest import page_text

pytestmark = pytest.mark.django_db

LIST = reverse("cases:victim_list")
SEARCH = reverse("cases:victim_search")
PEOPLE = {
    "mai": ("Nguyễn Thị Mai", "VN"),
    "wei": ("李伟", "CN"),
    "wei_latin": ("Li Wei", "CN"),
    "qiang": ("劉強", "CN"),
    "sompong": ("สมพงษ์ รักดี", "TH"),
    "khoa": ("Phạm Xuân Khoa", "VN"),
    "gopal": ("Gopal Tak", "IN"),
    "other": ("Tran Van Binh", "VN"),
}


@pytest.fixture
def people(org_a):
    return {
        key: make_victim(organization=org_a.organization, full_name=name, citizenship=country)
        for key, (name, country) in PEOPLE.items()
    }


def case_numbers_found(client, text: str, people) -> set[str]:
    """Search as a user does (the box posts, the list opens) and say whose case numbers the page lists."""
    response = client.post(SEARCH, {"search": text})
    assert response.status_code == 302 and text not in response["Location"]
    page = client.get(response["Location"]).content.decode()
    return {key for key, victim in people.items() if f">{victim.case_number}<" in page}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Nguyen Thi Mai", {"mai"}),  # without the tone marks
        ("Mai Nguyen", {"mai"}),  # another order, a part left out
        ("nguyễn thị mai", {"mai"}),
        ("Li Wei", {"wei", "wei_latin"}),  # Latin finds the characters, and the Latin spelling
        ("李伟", {"wei", "wei_latin"}),  # and back
        ("刘强", {"qiang"}),  # simplified finds traditional
        ("Liu Qiang", {"qiang"}),
        ("Sompong Rakdee", {"sompong"}),  # a common spelling finds the Thai name read in RTGS (Somphong Rakdi)
        ("Pham Xuan Khoa", {"khoa"}),
        ("Tak Gopal", {"gopal"}),
        ("Nguy Mai", {"mai"}),  # the start of a part
        ("Nobody Synthetic", set()),
    ],
)
def test_the_search_page_finds_a_name_across_scripts_spellings_and_orders(typed, expected, org_a, people, client_for):
    client = client_for(org_a.caseworker, org_a.organization)
    assert case_numbers_found(client, typed, people) == expected


def test_another_organisations_people_are_not_found(org_a, org_b, people, client_for):
    client = client_for(org_b.caseworker, org_b.organization)
    assert case_numbers_found(client, "Nguyen Thi Mai", people) == set()


def test_a_name_in_its_own_script_is_shown_with_its_latin_reading(org_a, people, client_for):
    client = client_for(org_a.caseworker, org_a.organization)
    listed = client.get(LIST).content.decode()
    assert "<bdi>李伟</bdi>" in listed and "(<bdi>Li Wei</bdi>)" in listed
    assert "(<bdi>Somphong Rakdi</bdi>)" in listed
    assert "(<bdi>Nguyễn Thị Mai</bdi>)" not in listed  # a Latin name is shown once, as written
    case_page = client.get(reverse("cases:victim_detail", args=[people["qiang"].pk])).content.decode()
    assert "劉強" in case_page and "(<bdi>Liu Qiang</bdi>)" in case_page


def test_the_session_keeps_search_terms_encrypted_never_in_the_clear(org_a, people, client_for):
    client = client_for(org_a.caseworker, org_a.organization)
    client.post(SEARCH, {"search": "Nguyen Thi Mai"})
    client.post(SEARCH, {"search": "李伟"})
    stored = client.session[SEARCH_SESSION_KEY]
    assert len(stored) == 2 and all(ciphertext.startswith("hwenc1:") for ciphertext, _at in stored.values())
    raw = " ".join(session.get_decoded().__repr__() for session in Session.objects.all())
    assert "Nguyen" not in raw and "李伟" not in raw and "Mai" not in raw


def test_a_search_term_expires_after_its_time_and_the_list_says_so(org_a, people, client_for):
    client = client_for(org_a.caseworker, org_a.organization)
    location = client.post(SEARCH, {"search": "Nguyen Thi Mai"})["Location"]
    assert people["mai"].case_number in client.get(location).content.decode()
    later = time.time() + SEARCH_TERM_TTL.total_seconds() + 60
    with mock.patch("cases.filters.time.time", return_value=later):
        page = client.get(location).content.decode()
    assert "This search has expired" in page and people["mai"].case_number not in page


def test_the_intake_duplicate_check_finds_the_same_person_written_in_another_script(org_a):
    wei = make_victim(
        organization=org_a.organization,
        full_name="李伟",
        citizenship="CN",
        date_of_birth=date(1996, 4, 2),
        sex="Masculine",
    )
    make_victim(  # the same name, twenty years older: another person
        organization=org_a.organization, full_name="Li Wei", citizenship="CN", date_of_birth=date(1975, 1, 9)
    )
    make_victim(  # the same name, another sex: another person
        organization=org_a.organization, full_name="Wei Li", citizenship="CN", estimated_age=30, sex="Feminine"
    )
    found = find_possible_duplicates(
        organization=org_a.organization,
        today=date(2026, 3, 11),
        full_name="Wei Li",
        citizenship="CN",
        estimated_age=29,
        sex="Masculine",
    )
    assert [match.victim.pk for match in found.matches] == [wei.pk]
    assert found.matches[0].reasons[0].startswith("similar name")


def test_the_intake_page_shows_a_cross_script_duplicate(org_a, client_for):
    existing = make_victim(organization=org_a.organization, full_name="สมพงษ์ รักดี", citizenship="TH")
    client = client_for(org_a.caseworker, org_a.organization)
    data = {
        "full_name": "Sompong Rakdee",
        "citizenship": "TH",
        "sex": "Masculine",
        "estimated_age": "31",
        "risk_level": "high",
        "consent": "none",
        "passport_held_by_traffickers": "unknown",
        "reporter-safe_to_contact": "unknown",
        "request-priority": "high",
    }
    response = client.post(reverse("cases:intake"), data)
    assert response.status_code == 200
    assert existing.case_number in page_text(response) and "similar name" in page_text(response)
