"""An export takes the same number of queries for 50 rows as for 500."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.security.exports.support import (
    DATASET_URLS,
    bulk_victims,
    csv_rows,
    download,
    signed_in,
    xlsx_rows,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", DATASET_URLS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_takes_the_same_number_of_queries_for_50_and_500_rows(org_a, org_b, url_name, fmt):
    client = signed_in(org_a.supervisor, org_a.organization)
    bulk_victims(org_a.organization, 50)
    client.get(reverse("cases:exports"))  # warm the session

    with CaptureQueriesContext(connection) as small:
        _, small_body = download(client, url_name, fmt)
    bulk_victims(org_a.organization, 450, start=20000)
    with CaptureQueriesContext(connection) as large:
        _, large_body = download(client, url_name, fmt)

    small_rows = csv_rows(small_body) if fmt == "csv" else xlsx_rows(small_body)
    large_rows = csv_rows(large_body) if fmt == "csv" else xlsx_rows(large_body)
    assert (len(small_rows), len(large_rows)) == (51, 501)
    assert len(large.captured_queries) == len(small.captured_queries) <= 12
