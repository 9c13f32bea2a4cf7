"""The access matrix for API keys, generated from the OpenAPI schema: every operation, every key.

- Organisation B's key asks for each of organisation A's rows (every path with an {id}): 404, never 403 or 200.
- A read key sends each write (every POST/PUT/PATCH/DELETE): 403, and nothing changes.
A new operation is covered as soon as it is in the schema; `ROWS` must name a row for each new resource.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator

from audit.models import AuditEntry
from cases.models import AgencyReferral
from homecoming import services as homecoming_services
from lists.models import ReleasedList
from tests.factories import AgencyFactory, make_request
from tests.homecoming.builders import batch, released_victim

pytestmark = pytest.mark.django_db


def operations() -> list[tuple[str, str]]:
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return sorted((method.upper(), path) for path, item in paths.items() for method in item if method != "parameters")


WRITES = [(m, p) for m, p in operations() if m not in ("GET", "HEAD", "OPTIONS") and not p.startswith("/api/agency/")]
PER_ROW = [(m, p) for m, p in operations() if "{id}" in p]


@pytest.fixture
def rows_of_a(org_a):
    """One row of organisation A per resource (the {id} of each path prefix)."""
    victim = released_victim(org_a, full_name="Synthetic Matrix Person")
    screening = homecoming_services.screening_record(
        victim=victim, recorded_by=org_a.caseworker, screened_by=org_a.caseworker, outcome="identified"
    )
    released = ReleasedList.objects.create(
        organization=org_a.organization, source="Synthetic embassy", file_name="l.csv", sha256="0" * 64
    )
    return {
        "cases": victim.pk,
        "requests": make_request(victim=victim).pk,
        "referrals": AgencyReferral.objects.create(
            organization=org_a.organization, victim=victim, agency=AgencyFactory()
        ).pk,
        "lists": released.pk,
        "batches": batch(org_a).pk,
        "screenings": screening.pk,
    }


def url(path: str, rows: dict) -> str:
    if "{id}" not in path:
        return path
    return path.replace("{id}", str(rows[path.split("/")[2]]))


def body_for(path: str) -> dict:
    if path == "/api/lists/":
        return {"file": SimpleUploadedFile("l.csv", b"Name\nSynthetic Person\n"), "source": "Synthetic embassy"}
    return {}


def test_the_matrix_covers_the_new_resources():
    covered = {p.split("/")[2] for _m, p in PER_ROW}
    assert {"cases", "requests", "referrals", "lists", "batches", "screenings"} <= covered
    assert ("POST", "/api/lists/") in WRITES
    assert len(operations()) >= 22


@pytest.mark.parametrize(("method", "path"), PER_ROW, ids=[f"{m} {p}" for m, p in PER_ROW])
def test_another_organisations_key_gets_404_for_each_row(api, keys, rows_of_a, method, path):
    response = getattr(api(keys["other"]), method.lower())(url(path, rows_of_a), {}, format="json")
    assert response.status_code == 404, f"{method} {path}: {response.status_code}"


@pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_a_read_key_cannot_write(api, org_a, rows_of_a, method, path):
    from .conftest import issue_key

    # The widest read key: an organisation admin's, with identity. Its scope alone must refuse.
    key = issue_key(org_a.organization, scope="read", role="org_admin", includes_identity=True)
    before = {model: model.objects.count() for model in (ReleasedList, AgencyReferral)}
    client = api(key)
    if path == "/api/lists/":
        response = client.post(url(path, rows_of_a), body_for(path), format="multipart")
    else:
        response = getattr(client, method.lower())(url(path, rows_of_a), {}, format="json")
    assert response.status_code == 403, f"{method} {path}: {response.status_code}"
    assert {model: model.objects.count() for model in before} == before
    assert AuditEntry.objects.filter(additional_data__status=403, additional_data__method=method).exists()
