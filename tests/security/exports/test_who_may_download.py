"""Who may download exports: supervisors and org admins; statistics for org admins only; never a caseworker."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import DataAccessLog
from tests.security.exports.support import (
    DATASET_URLS,
    EVERY_DOWNLOAD,
    download,
    signed_in,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("url_name", "fmt"), EVERY_DOWNLOAD)
def test_a_caseworker_is_refused_every_export_and_nothing_is_logged(org_a, case_files, url_name, fmt):
    response = signed_in(org_a.caseworker, org_a.organization).get(reverse(url_name), {"format": fmt})

    assert response.status_code == 403
    assert not DataAccessLog.objects.exists()


def test_a_caseworker_is_refused_the_exports_page(org_a):
    assert signed_in(org_a.caseworker, org_a.organization).get(reverse("cases:exports")).status_code == 403


@pytest.mark.parametrize("url_name", ["cases:exports", *DATASET_URLS, "cases:export_statistics"])
def test_an_anonymous_visitor_is_sent_to_sign_in(url_name):
    response = Client().get(reverse(url_name))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not DataAccessLog.objects.exists()


def test_a_supervisor_may_not_download_the_statistics_but_an_org_admin_may(org_a, case_files):
    assert signed_in(org_a.supervisor, org_a.organization).get(reverse("cases:export_statistics")).status_code == 403
    download(signed_in(org_a.org_admin, org_a.organization), "cases:export_statistics")


def test_the_exports_page_offers_statistics_only_to_org_admins(org_a):
    supervisor_page = signed_in(org_a.supervisor, org_a.organization).get(reverse("cases:exports")).content.decode()
    admin_page = signed_in(org_a.org_admin, org_a.organization).get(reverse("cases:exports")).content.decode()

    assert reverse("cases:export_victims") in supervisor_page
    assert reverse("cases:export_statistics") not in supervisor_page
    assert reverse("cases:export_statistics") in admin_page
