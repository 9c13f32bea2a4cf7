"""Intake: one page logs a reported person (and reporter, and a rescue request); bad input is explained in place;
possible duplicates are shown before anything is saved and the caseworker decides."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Reporter, RescueRequest, Victim
from core.names.zawgyi import is_zawgyi, unicode_to_zawgyi
from tests.factories import BorderRegionFactory, CompoundFactory, make_victim, victim_named

from .conftest import page_text

pytestmark = pytest.mark.django_db

URL = reverse("cases:intake")


def form_data(**overrides) -> dict:
    data = {
        "full_name": "Synthetic Intake Person",
        "citizenship": "VN",
        "sex": "Masculine",
        "estimated_age": "27",
        "risk_level": "high",
        "consent": "none",
        "passport_held_by_traffickers": "unknown",
        "reporter-safe_to_contact": "unknown",
        "request-priority": "high",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


class FieldsAndLabels(HTMLParser):
    """Collects the ids of form controls and of the labels pointing at them."""

    def __init__(self):
        super().__init__()
        self.controls: list[tuple[str, str]] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.controls.append((attrs.get("name") or "", attrs.get("id") or ""))
        if tag == "label" and attrs.get("for"):
            self.labelled.add(attrs["for"])


def test_every_control_on_the_intake_page_has_a_label(client_for, org_a):
    CompoundFactory(name="Synthetic Park", aliases="Synthetic City")
    parser = FieldsAndLabels()
    parser.feed(page_text(client_for(org_a.caseworker, org_a.organization).get(URL)))
    assert len(parser.controls) > 40
    unlabelled = [name for name, control_id in parser.controls if control_id not in parser.labelled]
    assert unlabelled == []


def test_the_compound_picker_is_grouped_by_region_and_shows_aliases(client_for, org_a):
    region = BorderRegionFactory(name="Synthetic Border")
    CompoundFactory(name="Synthetic Park", aliases="Synthetic City", region=region)
    CompoundFactory(name="Inland Synthetic", region=None)
    text = page_text(client_for(org_a.caseworker, org_a.organization).get(URL))
    assert '<optgroup label="Synthetic Border">' in text
    assert "Synthetic Park (Synthetic City)" in text
    assert text.index('<optgroup label="Synthetic Border">') < text.index(
        '<optgroup label="Inland / no border region">'
    )
    assert 'src="/static/js/intake.js"' in text


def test_a_minimal_intake_creates_the_case_assigned_to_the_caseworker_and_opens_it(client_for, org_a):
    client = client_for(org_a.caseworker, org_a.organization)
    form = page_text(client.get(URL))
    assert 'name="assigned_to"' not in form  # a caseworker does not assign: the case is theirs
    response = client.post(URL, form_data())
    victim = Victim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:victim_detail", args=[victim.pk])
    assert victim.organization == org_a.organization
    assert victim.case_number.startswith("HWA-")
    assert victim.assigned_to == org_a.caseworker
    assert victim.rescue_requests.count() == 0
    assert Reporter.objects.count() == 0
    assert victim.case_number in page_text(client.get(response["Location"]))


def test_a_burmese_name_typed_in_zawgyi_is_saved_and_shown_in_unicode_with_its_latin_reading(client_for, org_a):
    kyaw = "ကျော်ဇေယျာထွန်း"  # synthetic: Kyaw Ze Ya Htun
    typed = unicode_to_zawgyi(kyaw)  # as a phone with a Zawgyi keyboard types it
    assert typed != kyaw and is_zawgyi(typed)
    client = client_for(org_a.caseworker, org_a.organization)
    response = client.post(
        URL,
        form_data(
            full_name=typed,
            citizenship="MM",
            **{"reporter-name": unicode_to_zawgyi("ဒေါ်ခင်မြင့်"), "reporter-relationship": "parent"},
        ),
    )
    victim = Victim.objects.get()
    assert response.status_code == 302
    assert victim.full_name == kyaw and Reporter.objects.get().name == "ဒေါ်ခင်မြင့်"
    page = page_text(client.get(reverse("cases:victim_detail", args=[victim.pk])))
    assert kyaw in page and typed not in page and "Kyaw Ze Ya Htun" in page


def test_a_full_intake_saves_the_reporter_the_details_and_an_urgent_rescue_request(client_for, org_a):
    region = BorderRegionFactory(name="Synthetic Border")
    compound = CompoundFactory(name="Synthetic Park", region=region)
    client = client_for(org_a.caseworker, org_a.organization)
    response = client.post(
        URL,
        form_data(
            names_in_compound="Ah Synth",
            languages=["vi", "en"],
            passport_number="C1234567",
            passport_held_by_traffickers="true",
            phone_numbers="+84 90 000 0000",
            compound=str(compound.pk),
            recruitment_method="ThroughOnlineSocialNetworks",
            recruitment_platform="facebook",
            recruited_on="2025-01-10",
            arrived_on="2025-01-20",
            means_of_control=["DebtBondage"],
            exploitation_types=["ForcedCriminalityScamWork"],
            risk_level="critical",
            injured="on",
            consent="full",
            consent_given_by="family",
            assigned_to=str(org_a.caseworker.pk),
            **{
                "reporter-name": "Synthetic Mother",
                "reporter-relationship": "parent",
                "reporter-contact_channels": "Zalo: synthetic",
                "reporter-language": "vi",
                "reporter-safe_to_contact": "true",
                "reporter-safe_contact_times": "evenings",
                "request-open_request": "on",
                "request-priority": "urgent",
            },
        ),
    )
    assert response.status_code == 302
    victim = Victim.objects.get()
    assert victim.compound == compound
    assert victim.border_region == region  # taken from the compound
    assert victim.passport_held_by_traffickers is True
    assert list(victim.languages) == ["vi", "en"]
    assert victim.injured and victim.risk_level == "critical"
    assert victim.consent == "full" and victim.consent_recorded_by == org_a.caseworker
    reporter = victim.reporters.get()
    assert (reporter.name, reporter.relationship, reporter.safe_to_contact) == ("Synthetic Mother", "parent", True)
    request = victim.rescue_requests.get()
    assert request.priority == RescueRequest.Priority.URGENT
    assert request.assigned_to == org_a.caseworker
    assert request.next_follow_up_at > timezone.now() + timedelta(hours=23)
    follow = client.get(response["Location"])
    assert "rescue request opened (priority: urgent)" in page_text(follow)


def assert_refused_with(response, field_id: str, message: str):
    text = page_text(response)
    assert response.status_code == 200
    assert Victim.objects.count() == 0
    assert "Nothing was saved" in text
    error = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', text, re.S)
    assert error is not None, f"no error shown next to {field_id}"
    assert message in error.group(1)
    return text


def test_a_birth_date_in_the_future_is_refused_next_to_the_field_and_everything_typed_is_kept(client_for, org_a):
    tomorrow = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = client_for(org_a.caseworker, org_a.organization).post(
        URL,
        form_data(
            date_of_birth=tomorrow,
            estimated_age="",
            phone_numbers="+84 90 111 2222",
            **{"reporter-name": "Synthetic Aunt", "reporter-relationship": "relative"},
        ),
    )
    text = assert_refused_with(response, "id_date_of_birth", "cannot be in the future")
    assert 'value="Synthetic Intake Person"' in text
    assert f'value="{tomorrow}"' in text
    assert "+84 90 111 2222</textarea>" in text
    assert 'value="Synthetic Aunt"' in text
    assert '<option value="relative" selected>' in text


def test_an_empty_or_blank_name_is_refused_in_the_users_terms(client_for, org_a):
    client = client_for(org_a.caseworker, org_a.organization)
    for name in ("", "   "):
        response = client.post(URL, form_data(full_name=name, passport_number="C7654321"))
        text = assert_refused_with(response, "id_full_name", "Give the person&#x27;s name")
        assert 'value="C7654321"' in text


def test_arrival_before_recruitment_and_release_before_recruitment_are_refused(client_for, org_a):
    response = client_for(org_a.caseworker, org_a.organization).post(
        URL, form_data(recruited_on="2025-05-01", arrived_on="2025-04-01", released_on="2025-03-01")
    )
    assert_refused_with(response, "id_arrived_on", "Arrival cannot be before recruitment.")
    assert "Release cannot be before recruitment." in page_text(response)


def test_an_unknown_compound_id_is_refused_in_the_users_terms(client_for, org_a):
    response = client_for(org_a.caseworker, org_a.organization).post(URL, form_data(compound="999999"))
    assert_refused_with(response, "id_compound", "Choose a compound from the list")


def test_a_compound_in_another_region_than_the_one_chosen_is_refused(client_for, org_a):
    compound = CompoundFactory(region=BorderRegionFactory(name="Synthetic North"))
    other = BorderRegionFactory(name="Synthetic South")
    response = client_for(org_a.caseworker, org_a.organization).post(
        URL, form_data(compound=str(compound.pk), border_region=str(other.pk))
    )
    assert_refused_with(response, "id_border_region", "The compound is in Synthetic North")


def test_consent_without_who_gave_it_is_refused(client_for, org_a):
    response = client_for(org_a.caseworker, org_a.organization).post(URL, form_data(consent="limited"))
    assert_refused_with(response, "id_consent_given_by", "Say who gave consent.")


def test_a_reporter_without_a_name_is_refused(client_for, org_a):
    response = client_for(org_a.caseworker, org_a.organization).post(
        URL, form_data(**{"reporter-contact_channels": "LINE: synthetic"})
    )
    text = assert_refused_with(response, "id_reporter-name", "Give the reporter")
    assert "LINE: synthetic</textarea>" in text
    assert Reporter.objects.count() == 0


def test_an_estimated_age_far_from_the_birth_date_is_refused(client_for, org_a):
    born = timezone.localdate().replace(year=timezone.localdate().year - 30, month=1, day=1)
    response = client_for(org_a.caseworker, org_a.organization).post(
        URL, form_data(date_of_birth=born.isoformat(), estimated_age="18")
    )
    assert_refused_with(response, "id_estimated_age", "The date of birth makes the person")


def test_a_ransom_amount_without_a_currency_is_refused(client_for, org_a):
    response = client_for(org_a.caseworker, org_a.organization).post(
        URL, form_data(ransom_demanded="on", ransom_amount="5000")
    )
    assert_refused_with(response, "id_ransom_currency", "Give the currency")


def test_a_member_of_another_organisation_cannot_be_assigned(client_for, org_a, org_b):
    response = client_for(org_a.supervisor, org_a.organization).post(
        URL, form_data(assigned_to=str(org_b.caseworker.pk))
    )
    assert_refused_with(response, "id_assigned_to", "Choose a member of your organisation.")


def test_a_supervisor_can_log_a_case_for_a_caseworker_or_for_nobody(client_for, org_a):
    client = client_for(org_a.supervisor, org_a.organization)
    client.post(URL, form_data(full_name="Synthetic One", assigned_to=str(org_a.caseworker2.pk)))
    client.post(URL, form_data(full_name="Synthetic Two", assigned_to=""))
    assert victim_named("Synthetic One").assigned_to == org_a.caseworker2
    assert victim_named("Synthetic Two").assigned_to is None


def test_the_other_organisation_logs_into_its_own_case_file(client_for, org_b):
    client_for(org_b.caseworker, org_b.organization).post(URL, form_data())
    victim = Victim.objects.get()
    assert victim.organization == org_b.organization
    assert victim.case_number.startswith("HWB-")


# --- Duplicates ---------------------------------------------------------------------------------------------


def test_a_possible_duplicate_is_shown_before_saving_with_a_link_to_the_existing_case(client_for, org_a):
    existing = make_victim(organization=org_a.organization, full_name="Other Synthetic", passport_number="C1234567")
    client = client_for(org_a.caseworker, org_a.organization)
    response = client.post(URL, form_data(passport_number="c 123 4567"))
    text = page_text(response)
    assert response.status_code == 200
    assert Victim.objects.count() == 1  # nothing saved yet
    assert 'data-testid="duplicates"' in text
    assert f'href="{reverse("cases:victim_detail", args=[existing.pk])}"' in text
    assert existing.case_number in text
    assert "same passport number" in text
    assert f'name="shown_duplicates" value="{existing.pk}"' in text
    assert 'value="Synthetic Intake Person"' in text  # what was typed is kept


def test_saving_anyway_after_seeing_the_duplicates_creates_a_new_case(client_for, org_a):
    existing = make_victim(
        organization=org_a.organization, full_name="Synthetic Intake Person", citizenship="VN", estimated_age=28
    )
    client = client_for(org_a.caseworker, org_a.organization)
    first = client.post(URL, form_data())
    assert "similar name" in page_text(first)
    response = client.post(URL, form_data(confirm_new="on", shown_duplicates=str(existing.pk)))
    assert response.status_code == 302
    assert Victim.objects.count() == 2


def test_saving_anyway_does_not_skip_a_duplicate_that_was_not_shown(client_for, org_a):
    shown = make_victim(
        organization=org_a.organization, full_name="Synthetic Intake Person", citizenship="VN", estimated_age=27
    )
    unseen = make_victim(organization=org_a.organization, full_name="Someone Synthetic", phone_numbers="0900000001")
    client = client_for(org_a.caseworker, org_a.organization)
    response = client.post(
        URL, form_data(phone_numbers="+84 900 000 001", confirm_new="on", shown_duplicates=str(shown.pk))
    )
    assert response.status_code == 200
    assert unseen.case_number in page_text(response)
    assert Victim.objects.count() == 2


def test_another_organisations_possible_duplicate_is_never_shown(client_for, org_a, org_b):
    theirs = make_victim(
        organization=org_b.organization, full_name="Synthetic Intake Person", passport_number="C1234567"
    )
    response = client_for(org_a.caseworker, org_a.organization).post(URL, form_data(passport_number="C1234567"))
    assert response.status_code == 302
    assert theirs.case_number not in page_text(response)
    assert Victim.objects.filter(organization=org_a.organization).count() == 1


def test_invalid_input_is_explained_before_duplicates_are_looked_for(client_for, org_a):
    make_victim(organization=org_a.organization, full_name="Other Synthetic", passport_number="C1234567")
    response = client_for(org_a.caseworker, org_a.organization).post(
        URL, form_data(passport_number="C1234567", consent="full")
    )
    text = page_text(response)
    assert "Say who gave consent." in text
    assert 'data-testid="duplicates"' not in text
