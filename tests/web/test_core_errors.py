"""Friendly error pages: 403, 404 (also for another organisation's row) and 500."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from tests.factories import make_victim

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_a_friendly_404_inside_the_site(org_a, client_for):
    response = client_for(org_a.caseworker, org_a.organization).get("/cases/999999/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in body and reverse("tracker:my_work") in body
    assert org_a.organization.name in body  # still inside the site, with the navigation


def test_another_organisations_case_looks_exactly_like_a_missing_one(org_a, org_b, client_for):
    theirs = make_victim(organization=org_b.organization, created_by=org_b.caseworker)
    client = client_for(org_a.caseworker, org_a.organization)
    existing_elsewhere = client.get(reverse("cases:victim_detail", args=[theirs.pk]))
    missing = client.get(reverse("cases:victim_detail", args=[theirs.pk + 1000]))
    assert existing_elsewhere.status_code == missing.status_code == 404
    without_tokens = [
        re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode())
        for r in (existing_elsewhere, missing)
    ]
    assert without_tokens[0] == without_tokens[1]
    assert theirs.case_number not in existing_elsewhere.content.decode()


def test_a_forbidden_page_is_a_friendly_403(org_a, client_for):
    response = client_for(org_a.caseworker, org_a.organization).get(reverse("tracker:team"))
    assert response.status_code == 403
    assert "You cannot open this page" in response.content.decode()


def test_the_500_page_renders_without_a_request_context():
    response = server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in body and "homeward.css" in body
