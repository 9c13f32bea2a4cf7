"""De-identified statistics: groups of eleven or more, CTDC age bands, a bounded number of queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import statistics
from tests.factories import make_victim
from tests.security.exports.support import (
    bulk_victims,
    csv_rows,
    download,
    signed_in,
)

pytestmark = pytest.mark.django_db


def _victims_in_group(org, count: int, **fields):
    return [make_victim(organization=org.organization, created_by=org.caseworker, **fields) for _ in range(count)]


def test_statistics_keep_groups_of_eleven_and_suppress_smaller_ones_without_identifiers(org_a, org_b):
    common = {"sex": "Masculine", "estimated_age": 25, "exploitation_types": ["ForcedCriminalityScamWork"]}
    big = _victims_in_group(org_a, 11, full_name="Big Group Person", citizenship="VN", **common)
    small = _victims_in_group(org_a, 3, full_name="Small Group Person", citizenship="KH", **common)
    _victims_in_group(org_b, 12, full_name="Other Org Person", citizenship="KH", **common)  # never counted for A

    _, body = download(signed_in(org_a.org_admin, org_a.organization), "cases:export_statistics")
    text = body.decode("utf-8-sig")
    header, *rows = csv_rows(body)
    records = [dict(zip(header, row, strict=True)) for row in rows]

    demographics = [r for r in records if r["table"] == "demographics"]
    assert {"table": "demographics", "age band": "24-26", "sex": "Masculine", "citizenship": "Viet Nam"}.items() <= (
        demographics[0].items()
    )
    assert demographics[0]["people"] == "11"
    assert not any(r["citizenship"] == "Cambodia" for r in records)  # 3 people: suppressed (org B's 12 not mixed in)
    assert [r["people"] for r in demographics if r["age band"] == "suppressed groups"] == ["<11"]
    exploitation = [r for r in records if r["table"] == "exploitation" and r["age band"] != "suppressed groups"]
    assert [(r["type of exploitation"], r["people"]) for r in exploitation] == [
        ("Forced criminality / scam work", "14")
    ]
    assert all(r["people"] in ("<11",) or int(r["people"]) >= statistics.STATISTICS_MIN_GROUP for r in records)
    for victim in (*big, *small):
        assert victim.case_number not in text
    assert "Group Person" not in text
    assert "case number" not in header and "id" not in [h.lower() for h in header]


def test_statistics_use_ctdc_age_bands():
    assert [statistics.age_band(age) for age in (0, 8, 9, 17, 18, 20, 21, 26, 29, 30, 38, 39, 47, 48, 90, None)] == [
        "0-8",
        "0-8",
        "9-17",
        "9-17",
        "18-20",
        "18-20",
        "21-23",
        "24-26",
        "27-29",
        "30-38",
        "30-38",
        "39-47",
        "39-47",
        "48+",
        "48+",
        "Unknown",
    ]
    assert (
        statistics.age_at_registration(
            date_of_birth=date(2000, 6, 1), estimated_age=None, registered_on=date(2026, 5, 31)
        )
        == 25
    )


def test_statistics_take_a_bounded_number_of_queries(org_a):
    _victims_in_group(org_a, 3, full_name="Person")
    client = signed_in(org_a.org_admin, org_a.organization)
    client.get(reverse("cases:exports"))  # warm the session

    with CaptureQueriesContext(connection) as few:
        download(client, "cases:export_statistics")
    bulk_victims(org_a.organization, 300)
    with CaptureQueriesContext(connection) as many:
        download(client, "cases:export_statistics")

    assert len(many.captured_queries) == len(few.captured_queries)
