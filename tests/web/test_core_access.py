"""Every core page and action × every role: members in, the other organisation 404, anonymous to sign-in."""

import pytest
from django.urls import reverse

from cases.models import CaseNote
from tests.factories import AgencyFactory, make_referral, make_request, make_victim

pytestmark = pytest.mark.django_db

MEMBER_ROLES = ["caseworker", "supervisor", "org_admin"]


@pytest.fixture
def case_a(org_a):
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker, full_name="Synthetic Alpha")
    rescue = make_request(victim=victim, opened_by=org_a.caseworker)
    referral = make_referral(victim=victim, agency=AgencyFactory(), created_by=org_a.caseworker)
    from cases import services

    services.referral_send(referral=referral, sent_by=org_a.caseworker)
    return victim, rescue, referral


def page_urls(victim):
    return [
        reverse("tracker:my_work"),
        reverse("cases:victim_list"),
        reverse("cases:victim_detail", args=[victim.pk]),
        reverse("cases:victim_edit", args=[victim.pk]),
    ]


def action_posts(victim, rescue, referral):
    """(url, data) for every case-page action, each valid for a fresh case."""
    return [
        (reverse("cases:victim_add_note", args=[victim.pk]), {"kind": CaseNote.Kind.INTERNAL, "body": "Synthetic"}),
        (
            reverse("cases:victim_log_contact", args=[victim.pk]),
            {"rescue_request": rescue.pk, "kind": "contact_person", "note": "Synthetic call"},
        ),
        (reverse("cases:victim_status", args=[victim.pk]), {"to_status": "verified"}),
        (reverse("cases:request_open", args=[victim.pk]), {"priority": "high"}),
        (
            reverse("cases:request_close", args=[victim.pk, rescue.pk]),
            {f"close-{rescue.pk}-status": "withdrawn", f"close-{rescue.pk}-outcome": "Synthetic"},
        ),
        (
            reverse("cases:referral_response", args=[victim.pk, referral.pk]),
            {f"response-{referral.pk}-status": "acknowledged"},
        ),
    ]


@pytest.mark.parametrize("role", MEMBER_ROLES)
def test_every_member_of_the_organisation_can_open_the_core_pages(role, org_a, case_a, client_for):
    victim, _, _ = case_a
    client = client_for(org_a.by_role(role), org_a.organization)
    for url in page_urls(victim):
        response = client.get(url)
        assert response.status_code == 200, url
        assert org_a.organization.name in response.content.decode()


@pytest.mark.parametrize("role", MEMBER_ROLES)
def test_a_user_of_the_other_organisation_gets_404_for_this_organisations_case(role, org_a, org_b, case_a, client_for):
    victim, rescue, referral = case_a
    client = client_for(org_b.by_role(role), org_b.organization)
    for url in page_urls(victim)[2:]:
        assert client.get(url).status_code == 404, url
    for url, data in action_posts(victim, rescue, referral):
        assert client.post(url, data).status_code == 404, url
    assert client.post(reverse("cases:victim_assign", args=[victim.pk]), {"assignee": ""}).status_code == 404
    victim.refresh_from_db()
    assert victim.status == "reported" and not victim.notes.exists()


@pytest.mark.parametrize("role", MEMBER_ROLES)
def test_the_other_organisations_lists_never_show_this_organisations_case(role, org_a, org_b, case_a, client_for):
    client = client_for(org_b.by_role(role), org_b.organization)
    for url in (reverse("cases:victim_list"), reverse("tracker:my_work")):
        body = client.get(url).content.decode()
        assert "Synthetic Alpha" not in body
        assert case_a[0].case_number not in body


def test_anonymous_visitors_are_sent_to_sign_in_for_every_page_and_action(case_a, client):
    victim, rescue, referral = case_a
    login = reverse("accounts:login")
    for url in [*page_urls(victim), reverse("tracker:team")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(login), url
    posts = [*action_posts(victim, rescue, referral), (reverse("cases:victim_search"), {"search": "Synthetic"})]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 302 and response["Location"].startswith(login), url
    assert not victim.notes.exists()


@pytest.mark.parametrize("role", MEMBER_ROLES)
def test_every_member_role_can_search_and_the_search_page_only_accepts_posts(role, org_a, case_a, client_for):
    client = client_for(org_a.by_role(role), org_a.organization)
    assert client.get(reverse("cases:victim_search")).status_code == 405
    location = client.post(reverse("cases:victim_search"), {"search": "Synthetic Alpha"})["Location"]
    assert "Synthetic" not in location
    assert case_a[0].case_number in client.get(location).content.decode()


@pytest.mark.parametrize("role", MEMBER_ROLES)
def test_every_action_works_for_every_member_role(role, org_a, case_a, client_for):
    victim, rescue, referral = case_a
    client = client_for(org_a.by_role(role), org_a.organization)
    for url, data in action_posts(victim, rescue, referral):
        response = client.post(url, data)
        assert response.status_code == 302, (url, response.content.decode()[:500])
        assert response["Location"].startswith(reverse("cases:victim_detail", args=[victim.pk]))


def test_only_supervisors_and_org_admins_may_assign_or_see_the_team(org_a, case_a, client_for):
    victim, _, _ = case_a
    url = reverse("cases:victim_assign", args=[victim.pk])
    caseworker = client_for(org_a.caseworker, org_a.organization)
    assert caseworker.post(url, {"assignee": org_a.caseworker2.pk}).status_code == 403
    assert caseworker.get(reverse("tracker:team")).status_code == 403
    victim.refresh_from_db()
    assert victim.assigned_to == org_a.caseworker
    for role in ("supervisor", "org_admin"):
        client = client_for(org_a.by_role(role), org_a.organization)
        assert client.get(reverse("tracker:team")).status_code == 200
        assert client.post(url, {"assignee": org_a.caseworker2.pk}).status_code == 302
    victim.refresh_from_db()
    assert victim.assigned_to == org_a.caseworker2


def test_a_member_of_both_organisations_sees_a_case_only_while_working_in_its_organisation(
    org_a, org_b, case_a, client_for
):
    from tests.factories import MembershipFactory

    MembershipFactory(user=org_b.caseworker, organization=org_a.organization)
    victim = case_a[0]
    in_b = client_for(org_b.caseworker, org_b.organization)
    assert in_b.get(reverse("cases:victim_detail", args=[victim.pk])).status_code == 404
    in_a = client_for(org_b.caseworker, org_a.organization)
    assert in_a.get(reverse("cases:victim_detail", args=[victim.pk])).status_code == 200
