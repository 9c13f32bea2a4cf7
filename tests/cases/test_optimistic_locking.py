"""Two people editing the same record never silently overwrite each other."""

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import RescueRequest, StaleRecordError, Victim
from tests.factories import make_request, make_victim

pytestmark = pytest.mark.django_db


def test_the_second_of_two_edits_from_the_same_version_is_refused_and_the_first_kept(org_a):
    victim = make_victim(organization=org_a.organization, full_name="Synthetic Alpha")
    loaded_version = victim.version
    first = Victim.objects.get(pk=victim.pk)
    second = Victim.objects.get(pk=victim.pk)

    services.victim_update(victim=first, editor=org_a.caseworker, expected_version=loaded_version, full_name="First")
    with pytest.raises(StaleRecordError) as error:
        services.victim_update(
            victim=second, editor=org_a.caseworker2, expected_version=loaded_version, full_name="Second"
        )

    assert "Someone else changed this case" in " ".join(error.value.messages)
    stored = Victim.objects.get(pk=victim.pk)
    assert (stored.full_name, stored.version) == ("First", loaded_version + 1)


def test_a_stale_in_memory_copy_cannot_be_saved_even_without_a_form(org_a):
    victim = make_victim(organization=org_a.organization)
    stale = Victim.objects.get(pk=victim.pk)
    victim.risk_level = "critical"
    victim.save()
    stale.risk_level = "low"
    with pytest.raises(StaleRecordError):
        stale.save()
    assert Victim.objects.get(pk=victim.pk).risk_level == "critical"


def test_stale_record_error_is_a_validation_error_so_forms_can_show_it(org_a):
    assert issubclass(StaleRecordError, ValidationError)


def test_logging_an_update_on_a_request_opened_in_an_old_tab_is_refused(org_a):
    request = make_request(victim=make_victim(organization=org_a.organization))
    old_tab_version = request.version
    services.rescue_request_log_update(
        request=request, author=org_a.caseworker, note="first", expected_version=old_tab_version
    )
    with pytest.raises(StaleRecordError):
        services.rescue_request_log_update(
            request=RescueRequest.objects.get(pk=request.pk),
            author=org_a.caseworker2,
            note="second",
            expected_version=old_tab_version,
        )
    assert RescueRequest.objects.get(pk=request.pk).notes.count() == 1


def test_victim_update_refuses_fields_that_have_their_own_service(org_a):
    victim = make_victim(organization=org_a.organization)
    with pytest.raises(ValueError, match="status"):
        services.victim_update(victim=victim, editor=None, expected_version=victim.version, status="rescued")


def test_changing_consent_records_who_and_when(org_a):
    victim = make_victim(organization=org_a.organization)
    services.victim_update(
        victim=victim,
        editor=org_a.supervisor,
        expected_version=victim.version,
        consent="limited",
        consent_given_by="family",
    )
    victim.refresh_from_db()
    assert victim.consent_recorded_by == org_a.supervisor and victim.consent_recorded_at is not None
