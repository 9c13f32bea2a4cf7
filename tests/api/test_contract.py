"""Contract tests: schemathesis generates requests from /api/schema/ and checks every answer against the schema.

With a read-write key of organisation A (writes go through the services for real): no 5xx, content types and
bodies as the schema says. Without a key: every operation refuses with 401. (schemathesis's own pytest plugin
does not run under pytest 9 yet, so each operation's strategy is driven by hypothesis here.)
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from config.wsgi import application
from homecoming import services as homecoming_services
from lists.models import ReleasedList
from tests.factories import AgencyFactory, make_request, make_victim
from tests.homecoming.builders import batch, released_victim

from .conftest import issue_key

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_the_test_connection_open():
    """As Django's test client does: a finished WSGI request must not close the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.content_type_conformance,
]


def operations():
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    return [result.ok() for result in schema.get_all_operations()]


def run_each(examples: int, check) -> list[str]:
    failures = []
    for operation in operations():

        @settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,
        )
        @given(case=operation.as_strategy())
        def run(case):
            check(case)

        try:
            run()
        except Exception as error:
            failures.append(f"{operation.label}: {type(error).__name__}: {str(error)[:500]}")
    return failures


def test_every_operation_answers_within_the_schema_and_never_with_a_5xx(org_a):
    victim = make_victim(organization=org_a.organization, full_name="Synthetic Contract Person")
    make_request(victim=victim)
    AgencyFactory()
    # Rows for the lists and homecoming resources, so their reads reach real rows too.
    returning = released_victim(org_a, full_name="Synthetic Contract Returnee")
    homecoming_services.screening_record(
        victim=returning,
        recorded_by=org_a.caseworker,
        screened_by=org_a.caseworker,
        outcome="identified",
        notes="Synthetic notes",
    )
    homecoming_services.member_add(batch=batch(org_a), victim=returning, added_by=org_a.caseworker)
    ReleasedList.objects.create(
        organization=org_a.organization, source="Synthetic embassy", file_name="l.csv", sha256="0" * 64
    )
    # A supervisor's key: the widest the table gives (IMPORT_LISTS for the list upload).
    key = issue_key(org_a.organization, scope="read_write", role="supervisor", includes_identity=True)

    statuses = []

    def check(case):
        response = case.call(headers={"Authorization": f"Bearer {key}"})
        statuses.append(response.status_code)
        case.validate_response(response, checks=CHECKS)

    assert len(operations()) >= 22
    failures = run_each(15, check)
    assert not failures, "\n".join(failures)
    # Real reads and refusals were reached (successful writes are asserted one by one in test_resources.py).
    assert {200, 400, 404} <= set(statuses), sorted(set(statuses))


def test_every_operation_refuses_a_request_without_a_key(org_a):
    def check(case):
        response = case.call()
        assert response.status_code == 401, f"{case.method} {case.formatted_path}: {response.status_code}"

    failures = run_each(3, check)
    assert not failures, "\n".join(failures)
