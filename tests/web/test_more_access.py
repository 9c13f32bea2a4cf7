"""Every page webmore adds × every role: who may open it, what the other organisation sees, no caching."""

import re

import pytest
from django.urls import reverse

from cases import services
from tests.factories import (
    AgencyFactory,
    BorderRegionFactory,
    CompoundFactory,
    MembershipFactory,
    OrganizationFactory,
    make_referral,
    make_request,
    make_victim,
)

from .conftest import page_text

pytestmark = pytest.mark.django_db

ROLES = ["caseworker", "supervisor", "org_admin"]


@pytest.fixture
def places(db):
    region = BorderRegionFactory(name="Synthetic Border", latitude=16.7, longitude=98.5)
    compound = CompoundFactory(name="Synthetic Park", region=region, latitude=16.65, longitude=98.52)
    return region, compound


def page_urls(region, compound) -> list[str]:
    return [
        reverse("cases:intake"),
        reverse("cases:requests"),
        reverse("cases:referrals"),
        reverse("cases:compounds"),
        reverse("cases:compound_detail", args=[compound.pk]),
        reverse("cases:regions"),
        reverse("cases:region_detail", args=[region.pk]),
    ]


def test_every_page_sends_an_anonymous_visitor_to_sign_in(client, places):
    for url in page_urls(*places):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


@pytest.mark.parametrize("role", ROLES)
def test_every_page_opens_for_every_role_and_is_never_cached(client_for, org_a, places, role):
    client = client_for(org_a.by_role(role), org_a.organization)
    for url in page_urls(*places):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert org_a.organization.name in page_text(response)


def test_a_user_without_an_organisation_chosen_is_sent_to_the_picker(client_for, org_a, places):
    MembershipFactory(user=org_a.caseworker, organization=OrganizationFactory())
    client = client_for(org_a.caseworker)  # two organisations, none chosen yet
    response = client.get(reverse("cases:requests"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:choose_organization"))


def test_lists_never_show_another_organisations_requests_or_referrals(client_for, org_a, org_b):
    agency = AgencyFactory(name="Shared Agency")
    ours = make_victim(organization=org_a.organization, created_by=org_a.caseworker, full_name="Ours Synthetic")
    theirs = make_victim(organization=org_b.organization, created_by=org_b.caseworker, full_name="Theirs Synthetic")
    for victim in (ours, theirs):
        make_request(victim=victim)
        make_referral(victim=victim, agency=agency)
    client = client_for(org_a.supervisor, org_a.organization)
    for name in ("cases:requests", "cases:referrals"):
        text = page_text(client.get(reverse(name)))
        assert ours.case_number in text
        assert "Ours Synthetic" in text
        assert theirs.case_number not in text
        assert "Theirs Synthetic" not in text


def test_places_count_only_the_users_own_organisations_open_cases(client_for, org_a, org_b, places):
    region, compound = places
    for _ in range(2):
        make_victim(organization=org_a.organization, compound=compound)
    closed = make_victim(organization=org_a.organization, compound=compound)
    services.victim_change_status(victim=closed, to_status="closed", changed_by=None, reason="Synthetic reason")
    for _ in range(5):
        make_victim(organization=org_b.organization, compound=compound)
    client = client_for(org_a.caseworker, org_a.organization)
    for url in (
        reverse("cases:compounds"),
        reverse("cases:compound_detail", args=[compound.pk]),
        reverse("cases:regions"),
        reverse("cases:region_detail", args=[region.pk]),
    ):
        text = page_text(client.get(url))
        assert 'data-testid="open-cases">2<' in text or 'data-testid="open-cases"><strong>2</strong>' in text, url
        assert ">5<" not in text and ">7<" not in text, url
    other = client_for(org_b.caseworker, org_b.organization)
    assert 'data-testid="open-cases"><strong>5</strong>' in page_text(
        other.get(reverse("cases:compound_detail", args=[compound.pk]))
    )


def test_an_unknown_compound_or_region_is_a_friendly_404(client_for, org_a):
    client = client_for(org_a.caseworker, org_a.organization)
    assert client.get(reverse("cases:compound_detail", args=[999999])).status_code == 404
    assert client.get(reverse("cases:region_detail", args=[999999])).status_code == 404


def test_region_page_lists_only_shared_agencies_and_the_users_own_private_ones(client_for, org_a, org_b, places):
    region, _compound = places
    shared = AgencyFactory(name="Shared Border Police")
    ours = AgencyFactory(name="Our Private Shelter", organization=org_a.organization)
    theirs = AgencyFactory(name="Their Private Shelter", organization=org_b.organization)
    for agency in (shared, ours, theirs):
        agency.regions.add(region)
    text = page_text(
        client_for(org_a.caseworker, org_a.organization).get(reverse("cases:region_detail", args=[region.pk]))
    )
    assert "Shared Border Police" in text
    assert "Our Private Shelter" in text
    assert "Their Private Shelter" not in text


def test_list_pages_refuse_other_methods(client_for, org_a):
    client = client_for(org_a.caseworker, org_a.organization)
    for name in ("cases:requests", "cases:referrals", "cases:compounds", "cases:regions"):
        assert client.post(reverse(name)).status_code == 405


@pytest.mark.parametrize(
    "name", ["cases:intake", "cases:requests", "cases:referrals", "cases:compounds", "cases:regions"]
)
def test_every_page_weighs_under_200_kb_with_its_styles_and_script(client_for, org_a, name):
    from django.contrib.staticfiles import finders

    text = page_text(client_for(org_a.caseworker, org_a.organization).get(reverse(name)))
    assets = re.findall(r'(?:href|src)="/static/([^"]+\.(?:css|js))"', text)
    weight = len(text.encode()) + sum(len(open(finders.find(asset), "rb").read()) for asset in assets)
    assert "css/homeward.css" in assets
    assert weight < 200_000, f"{name} weighs {weight} bytes"


@pytest.mark.parametrize("count", [50, 500])
def test_the_intake_page_runs_a_fixed_number_of_queries_however_many_compounds(client_for, org_a, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from places.models import Compound

    region = BorderRegionFactory(name="Bulk Region")
    Compound.objects.bulk_create(
        [Compound(name=f"Bulk Compound {i}", region=region, country="MM") for i in range(count)]
    )
    client = client_for(org_a.caseworker, org_a.organization)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:intake"))
    assert response.status_code == 200
    assert f"Bulk Compound {count - 1}" in page_text(response)
    assert len(queries) <= 12
