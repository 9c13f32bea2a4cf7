"""The export tests' case files: one case with a request and a referral in each organisation."""

import pytest

from tests.factories import AgencyFactory, make_referral, make_request, make_victim


@pytest.fixture
def case_files(org_a, org_b):
    """A case with a request and a referral in each organisation; secrets filled in with synthetic values."""
    agency = AgencyFactory(name="Synthetic Shelter")
    made = {}
    for org, name in ((org_a, "Alpha Person"), (org_b, "Bravo Person")):
        victim = make_victim(
            organization=org.organization,
            created_by=org.caseworker,
            full_name=name,
            passport_number="SYN0000042",
            phone_numbers="+66 800 000 042",
            messaging_handles="Telegram: @synthetic_handle",
            names_in_compound="Compound Alias",
            last_known_location="Building 7, synthetic street",
        )
        request = make_request(victim=victim, opened_by=org.caseworker)
        referral = make_referral(
            victim=victim, agency=agency, created_by=org.caseworker, shared_information="Shared synthetic secret"
        )
        made[org.organization.slug] = (victim, request, referral)
    return made
