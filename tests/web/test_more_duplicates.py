"""Possible-duplicate detection at intake: identifiers, names in any script with age, sex and nationality, scoping."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import name_index
from cases.duplicates import find_possible_duplicates
from cases.models import Victim
from tests.factories import make_victim

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 11)


def search(org, **fields):
    return find_possible_duplicates(organization=org.organization, today=TODAY, **fields)


def test_same_passport_in_another_format_is_reported(org_a):
    existing = make_victim(organization=org_a.organization, full_name="Alpha Synthetic", passport_number="C 1234 5678")
    result = search(org_a, full_name="Completely Different", passport_number="c12345678")
    assert [m.victim.pk for m in result.matches] == [existing.pk]
    assert result.matches[0].reasons == ["same passport number"]


def test_same_phone_number_written_differently_is_reported(org_a):
    existing = make_victim(
        organization=org_a.organization, full_name="Bravo Synthetic", phone_numbers="+66 81 234 5678\n@telegram"
    )
    result = search(org_a, full_name="Someone Else", phone_numbers="0812345678")
    assert [m.victim.pk for m in result.matches] == [existing.pk]
    assert "same phone number" in result.matches[0].reasons


def test_similar_name_with_same_nationality_and_age_within_two_years_is_reported(org_a):
    existing = make_victim(
        organization=org_a.organization, full_name="Nguyen Van Anh", citizenship="VN", estimated_age=27
    )
    result = search(org_a, full_name="Van Anh Nguyen", citizenship="VN", estimated_age=29)
    assert [m.victim.pk for m in result.matches] == [existing.pk]
    assert result.matches[0].reasons[0].startswith("similar name")


def test_similar_name_matches_a_date_of_birth_against_an_estimated_age(org_a):
    existing = make_victim(
        organization=org_a.organization, full_name="Tran Thi Mai", citizenship="VN", date_of_birth=date(2000, 6, 1)
    )
    result = search(org_a, full_name="Tran Thi May", citizenship="VN", estimated_age=26)
    assert [m.victim.pk for m in result.matches] == [existing.pk]


def test_similar_name_with_another_nationality_or_a_distant_age_is_not_reported(org_a):
    make_victim(organization=org_a.organization, full_name="Nguyen Van Anh", citizenship="KH", estimated_age=27)
    make_victim(organization=org_a.organization, full_name="Nguyen Van Anh", citizenship="VN", estimated_age=40)
    assert search(org_a, full_name="Nguyen Van Anh", citizenship="VN", estimated_age=27).matches == []


def test_a_clearly_different_name_is_not_reported(org_a):
    make_victim(organization=org_a.organization, full_name="Nguyen Van Anh", citizenship="VN", estimated_age=27)
    assert search(org_a, full_name="Le Thi Hoa", citizenship="VN", estimated_age=27).matches == []


def test_a_name_used_in_the_compound_matches_the_full_name(org_a):
    existing = make_victim(
        organization=org_a.organization,
        full_name="Somchai Synthetic",
        citizenship="TH",
        names_in_compound="Tiger\nAh Chai",
    )
    result = search(org_a, full_name="Ah Chai", citizenship="TH")
    assert [m.victim.pk for m in result.matches] == [existing.pk]


def test_another_organisations_cases_are_never_reported(org_a, org_b):
    make_victim(
        organization=org_b.organization,
        full_name="Nguyen Van Anh",
        citizenship="VN",
        estimated_age=27,
        passport_number="C1234",
        phone_numbers="0812345678",
    )
    result = search(
        org_a,
        full_name="Nguyen Van Anh",
        citizenship="VN",
        estimated_age=27,
        passport_number="C1234",
        phone_numbers="0812345678",
    )
    assert result.matches == []


def test_identifier_matches_come_before_name_matches(org_a):
    by_name = make_victim(
        organization=org_a.organization, full_name="Nguyen Van Anh", citizenship="VN", estimated_age=27
    )
    by_passport = make_victim(organization=org_a.organization, full_name="Other Person", passport_number="X99")
    result = search(org_a, full_name="Nguyen Van Anh", citizenship="VN", estimated_age=27, passport_number="x 99")
    assert [m.victim.pk for m in result.matches] == [by_passport.pk, by_name.pk]


@pytest.mark.parametrize("count", [50, 500])
def test_the_search_runs_in_at_most_three_queries_whatever_the_caseload(org_a, count):
    created = Victim.objects.bulk_create(
        [
            Victim(
                organization=org_a.organization,
                case_number=f"HWA-2026-{i:05d}",
                full_name=f"Synthetic Person {i}",
                citizenship="VN" if i % 2 else "KH",
                estimated_age=20 + i % 30,
                passport_number=f"SYN{i:07d}",
                phone_numbers=f"+66 81 {i:07d}",
            )
            for i in range(count)
        ]
    )
    name_index.index_victims(created, replace=False)  # bulk_create sends no post_save
    with CaptureQueriesContext(connection) as queries:
        result = search(
            org_a,
            full_name="Synthetic Person 7",
            citizenship="VN",
            estimated_age=27,
            passport_number="syn 0000003",
            phone_numbers="081 0000006",
        )
    assert len(queries) == 3
    reasons = {m.victim.case_number: m.reasons for m in result.matches}
    assert reasons["HWA-2026-00003"] == ["same passport number"]
    assert reasons["HWA-2026-00006"] == ["same phone number"]
    assert any(r.startswith("similar name") for r in reasons["HWA-2026-00007"])
