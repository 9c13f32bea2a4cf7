"""What an export holds: the organisation's own rows, in the users' terms, never a secret field."""

import pytest
from django.urls import reverse

from audit.models import DataAccessLog
from cases import services
from tests.factories import make_victim
from tests.security.exports.support import (
    DATASET_URLS,
    csv_rows,
    download,
    signed_in,
    xlsx_rows,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["supervisor", "org_admin"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_supervisor_gets_their_organisations_rows_and_never_the_other_organisations(
    org_a, org_b, case_files, role, fmt
):
    client = signed_in(org_a.by_role(role), org_a.organization)
    victim_a, request_a, referral_a = case_files["alpha"]
    victim_b, request_b, referral_b = case_files["bravo"]

    for url_name, own_id, others_id in (
        ("cases:export_victims", None, None),
        ("cases:export_requests", request_a.pk, request_b.pk),
        ("cases:export_referrals", referral_a.pk, referral_b.pk),
    ):
        _, body = download(client, url_name, fmt)
        rows = csv_rows(body) if fmt == "csv" else xlsx_rows(body)
        cells = [str(cell) for row in rows[1:] for cell in row if cell is not None]
        assert len(rows) == 2, url_name  # header + the one row of org A
        assert victim_a.case_number in cells and "Alpha Person" in cells
        assert victim_b.case_number not in cells and "Bravo Person" not in cells
        if own_id is not None:
            assert rows[1][0] in (own_id, str(own_id)) and rows[1][0] not in (others_id, str(others_id))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_never_hold_the_secret_fields(org_a, case_files, fmt):
    client = signed_in(org_a.supervisor, org_a.organization)
    for url_name in DATASET_URLS:
        _, body = download(client, url_name, fmt)
        text = body.decode("utf-8-sig") if fmt == "csv" else repr(xlsx_rows(body))
        for secret in ("SYN0000042", "800 000 042", "synthetic_handle", "Compound Alias", "Building 7", "Shared synth"):
            assert secret not in text, (url_name, secret)


def test_the_victim_export_reads_in_the_users_terms(org_a, case_files):
    _, body = download(signed_in(org_a.supervisor, org_a.organization), "cases:export_victims")
    header, row = csv_rows(body)
    record = dict(zip(header, row, strict=True))

    assert record["case number"] == case_files["alpha"][0].case_number
    assert record["status"] == "Reported"
    assert record["citizenship"] == "Viet Nam"
    assert record["assigned caseworker"] == org_a.caseworker.display_name


def test_the_status_filter_narrows_the_export_and_is_logged(org_a, case_files):
    closed = make_victim(organization=org_a.organization, created_by=org_a.caseworker, full_name="Closed Person")
    services.victim_change_status(victim=closed, to_status="closed", changed_by=org_a.supervisor, reason="Moved away")

    _, body = download(signed_in(org_a.supervisor, org_a.organization), "cases:export_victims", status="closed")

    assert [row[0] for row in csv_rows(body)[1:]] == [closed.case_number]
    assert DataAccessLog.objects.get().detail["filters"] == {"status": ["closed"]}


def test_an_unknown_status_or_format_is_a_clear_400_and_not_logged(org_a, case_files):
    client = signed_in(org_a.supervisor, org_a.organization)

    bad_status = client.get(reverse("cases:export_victims"), {"status": "hacked"})
    bad_format = client.get(reverse("cases:export_victims"), {"format": "pdf"})

    assert bad_status.status_code == 400 and b"Unknown status" in bad_status.content
    assert bad_format.status_code == 400 and b"CSV or XLSX" in bad_format.content
    assert not DataAccessLog.objects.exists()
