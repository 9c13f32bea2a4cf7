"""Case numbers: prefix-year-sequence, unique per organisation, never reused, safe under concurrency."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from cases import services
from cases.models import Victim
from tests.factories import make_victim

pytestmark = pytest.mark.django_db


def test_case_numbers_count_up_per_organisation_and_year(org_a, org_b):
    now = datetime(2025, 3, 1, 12, tzinfo=UTC)
    first = make_victim(organization=org_a.organization, now=now)
    second = make_victim(organization=org_a.organization, now=now)
    other_org = make_victim(organization=org_b.organization, now=now)
    assert (first.case_number, second.case_number) == ("HWA-2025-00001", "HWA-2025-00002")
    assert other_org.case_number == "HWB-2025-00001"


def test_a_new_year_starts_a_new_sequence_in_the_organisations_time_zone(org_a):
    # 2025-12-31 18:00 UTC is already 2026-01-01 01:00 in Bangkok.
    victim = make_victim(organization=org_a.organization, now=datetime(2025, 12, 31, 18, tzinfo=UTC))
    assert victim.case_number == "HWA-2026-00001"


def test_a_deleted_victims_case_number_is_never_handed_out_again(org_a):
    now = datetime(2025, 5, 1, tzinfo=UTC)
    make_victim(organization=org_a.organization, now=now)
    doomed = make_victim(organization=org_a.organization, now=now)
    doomed.delete()
    assert make_victim(organization=org_a.organization, now=now).case_number == "HWA-2025-00003"


def test_the_database_refuses_a_duplicate_case_number_in_one_organisation(org_a, org_b):
    victim = make_victim(organization=org_a.organization)
    Victim.objects.filter(pk=make_victim(organization=org_b.organization).pk).update(case_number=victim.case_number)
    with pytest.raises(IntegrityError), transaction.atomic():
        Victim.objects.filter(pk=make_victim(organization=org_a.organization).pk).update(case_number=victim.case_number)


@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_never_get_the_same_case_number(org_a):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("in-memory SQLite is not shared between threads; PostgreSQL CI pass covers this")
    numbers: list[str] = []
    errors: list[BaseException] = []

    def allocate():
        try:
            for _ in range(10):
                numbers.append(services.allocate_case_number(organization=org_a.organization, year=2025))
        except BaseException as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(numbers) == 40
    assert len(set(numbers)) == 40
    assert max(numbers) == "HWA-2025-00040"
