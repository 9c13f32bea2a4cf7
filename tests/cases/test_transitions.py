"""Status transitions are enforced by services, with messages in the caseworker's terms."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases import services
from cases.models import AgencyReferral, RescueRequest, Victim, VictimStatusChange
from tests.factories import AgencyFactory, make_referral, make_request, make_victim

pytestmark = pytest.mark.django_db


def walk(victim, *statuses, user=None):
    for status in statuses:
        services.victim_change_status(victim=victim, to_status=status, changed_by=user)
    victim.refresh_from_db()
    return victim


def test_a_victim_moves_along_the_path_home_and_each_step_is_recorded(org_a):
    victim = make_victim(organization=org_a.organization)
    walk(
        victim,
        "verified",
        "in_contact",
        "lost_contact",
        "in_contact",
        "rescued",
        "in_screening",
        "in_shelter",
        "repatriated",
        "reintegrated",
        user=org_a.caseworker,
    )
    assert victim.status == "reintegrated" and victim.is_closed
    steps = list(
        VictimStatusChange.objects.filter(victim=victim)
        .order_by("changed_at", "id")
        .values_list("from_status", "to_status")
    )
    assert steps[0] == ("reported", "verified") and steps[-1] == ("repatriated", "reintegrated")
    assert len(steps) == 9


def test_repatriated_cannot_go_back_to_reported(org_a):
    victim = walk(make_victim(organization=org_a.organization), "rescued", "repatriated")
    with pytest.raises(ValidationError) as error:
        services.victim_change_status(victim=victim, to_status="reported", changed_by=None)
    assert "cannot go from “Repatriated” to “Reported”" in str(error.value)
    victim.refresh_from_db()
    assert victim.status == "repatriated"


def test_closing_a_case_for_another_reason_needs_the_reason(org_a):
    victim = make_victim(organization=org_a.organization)
    with pytest.raises(ValidationError, match="Say why"):
        services.victim_change_status(victim=victim, to_status="closed", changed_by=None, reason="  ")
    services.victim_change_status(victim=victim, to_status="closed", changed_by=None, reason="Duplicate report")
    victim.refresh_from_db()
    assert victim.closed_reason == "Duplicate report"


def test_rescue_sets_the_release_date_in_the_organisations_calendar(org_a):
    victim = make_victim(organization=org_a.organization)
    services.victim_change_status(
        victim=victim, to_status="rescued", changed_by=None, now=datetime(2025, 4, 30, 20, tzinfo=UTC)
    )
    victim.refresh_from_db()
    assert str(victim.released_on) == "2025-05-01"  # Bangkok is UTC+7


def test_a_rescue_request_closes_only_once_and_records_when(org_a):
    request = make_request(victim=make_victim(organization=org_a.organization), now=datetime(2025, 6, 1, tzinfo=UTC))
    with pytest.raises(ValidationError, match="before it was opened"):
        services.rescue_request_close(
            request=request, status="rescued", outcome="x", closed_by=None, now=datetime(2025, 5, 1, tzinfo=UTC)
        )
    closed_at = datetime(2025, 7, 1, tzinfo=UTC)
    services.rescue_request_close(
        request=request, status="rescued", outcome="Crossed at the bridge", closed_by=None, now=closed_at
    )
    request.refresh_from_db()
    assert (request.status, request.closed_at) == ("rescued", closed_at)
    with pytest.raises(ValidationError, match="already closed"):
        services.rescue_request_close(request=request, status="withdrawn", outcome="x", closed_by=None)
    with pytest.raises(ValidationError, match="closed"):
        services.rescue_request_log_update(request=request, author=None, note="late note")


def test_a_rescue_request_cannot_be_closed_as_open(org_a):
    request = make_request(victim=make_victim(organization=org_a.organization))
    with pytest.raises(ValidationError, match="how the request ended"):
        services.rescue_request_close(request=request, status="open", outcome="x", closed_by=None)


def test_no_rescue_request_on_a_closed_case(org_a):
    victim = walk(make_victim(organization=org_a.organization), "deceased")
    with pytest.raises(ValidationError, match="closed"):
        make_request(victim=victim)


def test_a_referral_sharing_identity_needs_consent_or_an_override_reason(org_a):
    victim = make_victim(organization=org_a.organization)  # consent: none
    agency = AgencyFactory()
    with pytest.raises(ValidationError, match="not consented"):
        make_referral(victim=victim, agency=agency, shares_identity=True, consent_basis="consent")
    with pytest.raises(ValidationError, match="reason for overriding"):
        make_referral(victim=victim, agency=agency, shares_identity=True, consent_basis="vital_interest")
    referral = make_referral(
        victim=victim,
        agency=agency,
        shares_identity=True,
        consent_basis="vital_interest",
        override_reason="Imminent threat to life reported by family",
    )
    assert referral.status == "draft"
    assert AgencyReferral.objects.count() == 1


def test_a_referral_with_recorded_consent_may_share_identity(org_a):
    victim = make_victim(
        organization=org_a.organization, consent="full", consent_given_by="self", created_by=org_a.caseworker
    )
    assert victim.consent_recorded_by == org_a.caseworker and victim.consent_recorded_at is not None
    referral = make_referral(victim=victim, agency=AgencyFactory(), shares_identity=True, consent_basis="consent")
    assert referral.consent_basis == "consent"


def test_a_referral_goes_sent_then_acknowledged_then_completed(org_a):
    victim = make_victim(organization=org_a.organization)
    referral = make_referral(victim=victim, agency=AgencyFactory())
    sent_at = datetime(2025, 8, 1, tzinfo=UTC)
    services.referral_send(referral=referral, sent_by=org_a.caseworker, now=sent_at)
    assert referral.status == "sent" and referral.response_due_at == datetime(2025, 8, 4, tzinfo=UTC)
    with pytest.raises(ValidationError, match="already sent"):
        services.referral_send(referral=referral, sent_by=org_a.caseworker)
    services.referral_record_response(
        referral=referral,
        status="acknowledged",
        recorded_by=None,
        agency_reference="ATPD-123",
        now=datetime(2025, 8, 2, tzinfo=UTC),
    )
    assert referral.acknowledged_at == datetime(2025, 8, 2, tzinfo=UTC) and referral.agency_reference == "ATPD-123"
    services.referral_record_response(referral=referral, status="completed", recorded_by=None)
    assert referral.status == "completed" and referral.closed_at is not None
    with pytest.raises(ValidationError, match="cannot become"):
        services.referral_record_response(referral=referral, status="acting", recorded_by=None)


def test_a_declined_referral_keeps_its_reason(org_a):
    referral = make_referral(victim=make_victim(organization=org_a.organization), agency=AgencyFactory())
    services.referral_send(referral=referral, sent_by=None)
    with pytest.raises(ValidationError, match="why the agency declined"):
        services.referral_record_response(referral=referral, status="declined", recorded_by=None)
    services.referral_record_response(
        referral=referral, status="declined", recorded_by=None, decline_reason="Outside our jurisdiction"
    )
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == ("declined", "Outside our jurisdiction")


def test_a_draft_cannot_record_a_response(org_a):
    referral = make_referral(victim=make_victim(organization=org_a.organization), agency=AgencyFactory())
    with pytest.raises(ValidationError, match="cannot become"):
        services.referral_record_response(referral=referral, status="acknowledged", recorded_by=None)


def test_another_organisations_private_agency_cannot_be_used(org_a, org_b):
    private_b = AgencyFactory(organization=org_b.organization)
    with pytest.raises(ValidationError, match="Choose an agency"):
        make_referral(victim=make_victim(organization=org_a.organization), agency=private_b)


def test_assigning_to_someone_outside_the_organisation_is_refused(org_a, org_b):
    victim = make_victim(organization=org_a.organization)
    with pytest.raises(ValidationError, match="not a member"):
        services.victim_assign(victim=victim, assignee=org_b.caseworker, assigned_by=org_a.supervisor)


def test_assignment_carries_the_open_requests_along(org_a):
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker)
    request = make_request(victim=victim)
    services.victim_assign(victim=victim, assignee=org_a.caseworker2, assigned_by=org_a.supervisor)
    request.refresh_from_db()
    assert request.assigned_to == org_a.caseworker2
    assert RescueRequest.objects.get(pk=request.pk).version == 2
    assert Victim.objects.get(pk=victim.pk).assigned_to == org_a.caseworker2


def test_a_release_recorded_after_midnight_in_bangkok_still_validates_when_edited_in_utc(org_a):
    """01:00 in Bangkok is 18:00 the day before in UTC: the release date the status change writes (the local date)
    must not read as "in the future" to an edit made outside a page (the API, a command), which runs in UTC."""
    org_a.organization.timezone = "Asia/Bangkok"
    org_a.organization.save()
    victim = make_victim(organization=org_a.organization, status="in_contact")
    with time_machine.travel(datetime(2026, 3, 4, 18, 0, tzinfo=UTC), tick=False):
        services.victim_change_status(victim=victim, to_status="released", changed_by=org_a.caseworker)
        victim.refresh_from_db()
        assert victim.released_on.isoformat() == "2026-03-05"
        victim.full_clean()  # raised "This date cannot be in the future." before
