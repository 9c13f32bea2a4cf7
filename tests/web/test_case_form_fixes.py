"""Log contact never silently moves no follow-up; the referral has one consent control; intake's help is true."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import AgencyReferral, CaseNote
from tests.factories import AgencyFactory, make_overdue_request, make_request, make_victim

pytestmark = pytest.mark.django_db


@pytest.fixture
def victim(org_a):
    return make_victim(organization=org_a.organization, assigned_to=org_a.caseworker, full_name="Synthetic Lan")


def case_page(client, victim) -> str:
    return client.get(reverse("cases:victim_detail", args=[victim.pk])).content.decode()


def test_with_several_open_requests_log_contact_makes_the_caseworker_choose_the_most_overdue_listed_first(
    org_a, victim, client_for
):
    later = make_overdue_request(victim=victim, days_overdue=1)
    most_overdue = make_overdue_request(victim=victim, days_overdue=5)
    client = client_for(org_a.caseworker, org_a.organization)
    page = case_page(client, victim)
    picker = page[page.index('name="rescue_request"') : page.index("</select>", page.index('name="rescue_request"'))]
    assert picker.index(f"Request #{most_overdue.pk}") < picker.index(f"Request #{later.pk}")
    assert 'value="" selected' in picker or "selected" not in picker  # nothing chosen for the caseworker
    assert "2 requests are open, the most overdue first" in page

    url = reverse("cases:victim_log_contact", args=[victim.pk])
    refused = client.post(url, {"kind": "contact_person", "note": "Synthetic: called"})
    assert refused.status_code == 200 and not CaseNote.objects.exists()  # the note typed is shown again, not lost
    assert "Synthetic: called" in refused.content.decode()

    done = client.post(
        url, {"rescue_request": most_overdue.pk, "kind": "contact_person", "note": "Synthetic"}, follow=True
    )
    most_overdue.refresh_from_db()
    assert f"Contact logged on request #{most_overdue.pk}. Its next follow-up is due" in done.content.decode()
    assert most_overdue.next_follow_up_at > timezone.now()


def test_logging_contact_on_no_request_is_a_deliberate_choice_and_says_nothing_moved(org_a, victim, client_for):
    request = make_overdue_request(victim=victim)
    client = client_for(org_a.caseworker, org_a.organization)
    assert f'<option value="{request.pk}" selected>' in case_page(client, victim)  # the only request is chosen
    response = client.post(
        reverse("cases:victim_log_contact", args=[victim.pk]),
        {"rescue_request": "none", "kind": "contact_person", "note": "Synthetic"},
        follow=True,
    )
    assert "Contact logged on no request: no follow-up moved." in response.content.decode()
    request.refresh_from_db()
    assert request.next_follow_up_at < timezone.now()


def test_the_referral_form_has_one_consent_control_defaulting_to_the_recorded_consent(org_a, victim, client_for):
    make_request(victim=victim)
    client = client_for(org_a.caseworker, org_a.organization)
    page = case_page(client, victim)
    assert 'name="shares_identity"' not in page
    assert 'value="no_identity" id="id_consent_basis_0" checked' in page.replace("required ", "")  # no consent yet

    victim.consent, victim.consent_given_by, victim.consent_recorded_at = "full", "self", timezone.now()
    victim.save()
    page = case_page(client, victim)
    assert "with their recorded consent (Full)" in page
    assert 'value="consent" id="id_consent_basis_1" checked' in page.replace("required ", "")

    agency = AgencyFactory(name="Synthetic Shelter")
    client.post(reverse("cases:referral_new", args=[victim.pk]), {"agency": agency.pk, "consent_basis": "consent"})
    referral = AgencyReferral.objects.get()
    assert referral.shares_identity and referral.consent_basis == "consent"


def test_intake_says_truthfully_that_a_reporter_needs_a_name_and_a_relationship(org_a, client_for):
    page = client_for(org_a.caseworker, org_a.organization).get(reverse("cases:intake")).content.decode()
    assert "Only the name is required." not in page
    assert "A reporter needs a name and a relationship" in page
