from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from homecoming import services
from homecoming.models import Screening
from homecoming.selectors import screening_queue

from .builders import released_victim

pytestmark = pytest.mark.django_db


def test_the_queue_shows_unscreened_released_people_longest_wait_first(org_a, org_b):
    now = timezone.now()
    recent = released_victim(org_a, now=now, days_ago=2)
    oldest = released_victim(org_a, now=now, days_ago=9)
    released_victim(org_b, now=now, days_ago=20)  # another organisation's person never shows
    rows = screening_queue(organization=org_a.organization, now=now)
    assert [r.victim.pk for r in rows] == [oldest.pk, recent.pk]
    today = timezone.localdate(now, org_a.organization.tzinfo)
    assert [r.days for r in rows] == [(today - oldest.released_on).days, (today - recent.released_on).days]
    assert rows[0].days - rows[1].days == 7


def test_a_screening_takes_the_person_off_the_queue_and_moves_the_case_to_in_screening(org_a):
    victim = released_victim(org_a, days_ago=3)
    screening = services.screening_record(
        victim=victim,
        recorded_by=org_a.caseworker,
        screened_by=org_a.caseworker,
        interpreter_language="my",
        outcome=Screening.Outcome.IDENTIFIED,
        needs=["medical", "call_home"],
        notes="Synthetic screening note",
    )
    victim.refresh_from_db()
    assert victim.status == "in_screening"
    assert screening_queue(organization=org_a.organization, now=timezone.now()) == []
    assert Screening.objects.filter(pk=screening.pk).values_list("notes", flat=True).get() == "Synthetic screening note"


def test_screening_notes_are_encrypted_in_the_database(org_a):
    from django.db import connection

    victim = released_victim(org_a)
    screening = services.screening_record(
        victim=victim,
        recorded_by=org_a.caseworker,
        screened_by=org_a.caseworker,
        outcome="declined",
        notes="Synthetic secret words",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM homecoming_screening WHERE id = %s", [screening.pk])
        stored = cursor.fetchone()[0]
    assert "Synthetic secret words" not in stored


def test_a_screening_without_a_screener_or_with_a_referral_before_it_is_refused_and_nothing_saved(org_a):
    victim = released_victim(org_a)
    with pytest.raises(ValidationError) as error:
        services.screening_record(victim=victim, recorded_by=org_a.caseworker, outcome="identified")
    assert "agency" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.screening_record(
            victim=victim,
            recorded_by=org_a.caseworker,
            screened_by=org_a.caseworker,
            outcome="identified",
            nrm_referred_on=(timezone.now() - timedelta(days=5)).date(),
        )
    assert "nrm_referred_on" in error.value.message_dict
    assert not Screening.objects.exists()


def test_the_queue_page_lists_the_waiting_person_for_the_caseworker(org_a, client):
    victim = released_victim(org_a, days_ago=4)
    client.force_login(org_a.caseworker)
    response = client.get(reverse("homecoming:screening_queue"))
    assert response.status_code == 200
    assert victim.case_number in response.content.decode()


def test_the_screening_form_shows_the_message_next_to_the_field_and_saves_nothing(org_a, client):
    victim = released_victim(org_a)
    client.force_login(org_a.caseworker)
    response = client.post(
        reverse("homecoming:case_return", args=[victim.pk]),
        {
            "action": "screening",
            "screened_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "outcome": "identified",
        },
    )
    assert response.status_code == 200
    assert "Say who screened the person" in response.content.decode()
    assert not Screening.objects.exists()


@pytest.mark.parametrize("outcome", [choice for choice, _label in Screening.Outcome.choices])
def test_a_screening_records_the_interpreter_the_outcome_the_national_referral_and_the_needs(org_a, outcome):
    from tests.homecoming.builders import embassy

    victim = released_victim(org_a)
    nrm_agency = embassy()
    now = timezone.now()
    services.screening_record(
        victim=victim,
        recorded_by=org_a.caseworker,
        agency=embassy(),
        screened_at=now - timedelta(days=1),
        interpreter_language="my",
        outcome=outcome,
        nrm_agency=nrm_agency,
        nrm_reference="SYN-NRM-7",
        nrm_referred_on=timezone.localdate(now),
        needs=["medical", "shelter", "legal", "documents", "call_home"],
    )
    stored = Screening.objects.get(victim=victim)
    assert (stored.outcome, stored.interpreter_language, stored.recorded_by) == (outcome, "my", org_a.caseworker)
    assert (stored.nrm_agency, stored.nrm_reference, stored.screened_by) == (nrm_agency, "SYN-NRM-7", None)
    assert sorted(stored.needs) == ["call_home", "documents", "legal", "medical", "shelter"]


def test_a_supervisor_sees_on_the_queue_how_long_each_person_has_waited(org_a, client):
    from tests.factories import sign_in_verified

    now = timezone.now()
    victim = released_victim(org_a, now=now, days_ago=12)
    [row] = screening_queue(organization=org_a.organization, now=now)
    sign_in_verified(client, org_a.supervisor)
    page = client.get(reverse("homecoming:screening_queue")).content.decode()
    assert victim.case_number in page
    assert f'<td data-testid="days-waiting">{row.days}</td>' in page and row.days >= 12
