"""Numbers in addresses and hidden fields that `str.isdigit()` accepts but `int()` refuses ("²", "①", 5,000 digits),
and impossible dates of birth: a clear answer, never a server error. (Found by tests/security/fuzzing/.)"""

import pytest
from django.urls import reverse

from cases.models import Victim
from core.parsing import plain_number
from tests.factories import INTAKE_POST, make_victim

ODD_NUMBERS = ["²", "①", "٣", "9" * 5000, "-1", "1e3", " 7 ", ""]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("42", 42),
        (" 7 ", 7),
        ("007", 7),
        ("²", None),
        ("①", None),
        ("٣", None),
        ("9" * 19, None),
        ("-1", None),
        ("", None),
    ],
)
def test_plain_number_reads_ascii_digits_only(text, number):
    assert plain_number(text) == number


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_the_case_list_answers_any_case_number_filter(client_for, org_a, value):
    make_victim(organization=org_a.organization, created_by=org_a.caseworker, full_name="Synthetic Odd Number")
    response = client_for(org_a.caseworker, org_a.organization).get(
        reverse("cases:victim_list"), {"case_number": value}
    )
    assert response.status_code == 200


def test_a_plain_sequence_number_still_finds_the_case(client_for, org_a):
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker, full_name="Synthetic Seven")
    sequence = int(victim.case_number.rsplit("-", 1)[1])
    response = client_for(org_a.caseworker, org_a.organization).get(
        reverse("cases:victim_list"), {"case_number": f" {sequence} "}
    )
    assert victim.case_number in response.content.decode()


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_the_compound_list_answers_any_region_filter(client_for, org_a, value):
    response = client_for(org_a.caseworker, org_a.organization).get(reverse("cases:compounds"), {"region": value})
    assert response.status_code == 200


INTAKE = {**INTAKE_POST, "request-priority": "normal"}


@pytest.mark.parametrize("born", ["0001-01-01", "0003-06-30", "1850-02-28"])
def test_intake_refuses_a_date_of_birth_more_than_120_years_ago_with_a_message(client_for, org_a, born):
    make_victim(organization=org_a.organization, full_name="Synthetic Intake Person", citizenship="VN")
    response = client_for(org_a.caseworker, org_a.organization).post(
        reverse("cases:intake"), {**INTAKE, "date_of_birth": born}
    )
    assert response.status_code == 200
    assert "older than 120" in response.content.decode()
    assert Victim.objects.count() == 1


@pytest.mark.parametrize("garbled", ["²", "①", "9" * 5000, ",,x"])
def test_intake_save_anyway_reads_only_plain_ids_from_the_list_of_shown_duplicates(client_for, org_a, garbled):
    existing = make_victim(
        organization=org_a.organization, full_name="Synthetic Intake Person", citizenship="VN", estimated_age=30
    )
    client = client_for(org_a.caseworker, org_a.organization)
    url = reverse("cases:intake")
    data = {**INTAKE, "estimated_age": "30", "confirm_new": "on"}

    response = client.post(url, {**data, "shown_duplicates": garbled})
    assert response.status_code == 200  # the decision did not cover the possible duplicate: shown again
    assert 'data-testid="duplicates"' in response.content.decode()
    assert Victim.objects.count() == 1

    response = client.post(url, {**data, "shown_duplicates": f"{garbled},{existing.pk}"})
    assert response.status_code == 302  # it did now: saved as a new person
    assert Victim.objects.count() == 2
