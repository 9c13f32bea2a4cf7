"""Issue 13's smaller fixes: sex/gender labels (HTCDS codes in exports), the admin's name for things, a quiet log."""

import io
import logging

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string

from cases.exports import DATASETS, dataset_header, dataset_rows
from tests.factories import make_victim, sign_in_verified

pytestmark = pytest.mark.django_db


def test_the_intake_form_offers_sex_and_gender_as_a_caseworker_says_them(org_a, client_for):
    body = client_for(org_a.caseworker, org_a.organization).get(reverse("cases:intake")).content.decode()
    for code, label in (
        ("Feminine", "Female"),
        ("Masculine", "Male"),
        ("NonConforming", "Non-binary / other"),
        ("NonSpecifiedUnknown", "Unknown"),
    ):
        assert f'value="{code}"' in body and f">{label}</option>" in body
    assert ">Feminine</option>" not in body and "Non-Conforming" not in body


def test_the_case_page_says_female_and_the_export_writes_the_htcds_code(org_a, client_for):
    victim = make_victim(organization=org_a.organization, full_name="Synthetic Person", sex="Feminine")
    page = client_for(org_a.caseworker, org_a.organization).get(reverse("cases:victim_detail", args=[victim.pk]))
    assert "<dd>Female</dd>" in page.content.decode()
    dataset = DATASETS["victims"]
    column = dataset_header(dataset).index("sex / gender")
    (row,) = list(dataset_rows(dataset=dataset, queryset=dataset.queryset(org_a.organization)))
    assert row[column] == "Feminine"


def test_the_admin_is_branded_homeward_and_says_cases(platform_admin, client):
    sign_in_verified(client, platform_admin)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Homeward administration" in index and "Django administration" not in index
    assert ">Cases<" in index and ">Victims<" not in index
    add = client.get(reverse("admin:cases_victim_add"))
    assert add.status_code in (200, 403)  # adding may be refused; its title is what the list says
    changelist = client.get(reverse("admin:cases_victim_changelist")).content.decode()
    assert "Select case to change" in changelist or "Add case" in changelist
    assert "Add victim" not in changelist


@pytest.fixture
def console_log():
    """The settings' console handler (its filters and format) on django.request, writing to a string."""
    config = settings.LOGGING
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(logging.Formatter(config["formatters"]["plain"]["format"]))
    for name in config["handlers"]["console"]["filters"]:
        handler.addFilter(import_string(config["filters"][name]["()"])())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        yield handler.stream
    finally:
        logger.removeHandler(handler)


def test_a_refused_page_and_a_missing_one_log_one_line_each_without_a_traceback(org_a, client_for, console_log):
    client = client_for(org_a.caseworker, org_a.organization)
    assert client.get(reverse("tracker:team")).status_code == 403
    assert client.get(reverse("cases:victim_detail", args=[999_999])).status_code == 404
    lines = console_log.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert "WARNING django.request Forbidden" in lines[0] and "WARNING django.request Not Found" in lines[1]
    assert "Traceback" not in console_log.getvalue()


def test_a_server_error_still_logs_its_traceback(console_log):
    logging.getLogger("django.request").error(
        "Internal Server Error: /x", exc_info=ValueError("boom"), extra={"status_code": 500}
    )
    assert "Traceback" in console_log.getvalue() or "ValueError: boom" in console_log.getvalue()


def test_a_workers_console_emails_are_not_relogged_as_warnings():
    assert settings.CELERY_WORKER_REDIRECT_STDOUTS is False
