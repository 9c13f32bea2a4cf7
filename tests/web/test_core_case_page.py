"""The case page: summary, timeline, every action through the services, and editing with optimistic locking."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import AgencyReferral, CaseNote, RescueRequest, Victim
from tests.factories import (
    AgencyFactory,
    BorderRegionFactory,
    CompoundFactory,
    make_note,
    make_referral,
    make_request,
    make_victim,
)
from tests.web.conftest import count_queries, unlabelled_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(web_now):
    with time_machine.travel(web_now, tick=False):
        yield web_now


@pytest.fixture
def victim(org_a, frozen):
    region = BorderRegionFactory(name="Synthetic Border")
    compound = CompoundFactory(name="Synthetic Park", region=region)
    return make_victim(
        organization=org_a.organization,
        created_by=org_a.caseworker,
        full_name="Synthetic Mai",
        citizenship="VN",
        compound=compound,
        risk_level="critical",
        injured=True,
    )


def url(name, *args):
    return reverse(f"cases:{name}", args=args)


def test_the_summary_shows_status_risk_consent_assignee_and_compound_with_region(org_a, victim, client_for):
    body = client_for(org_a.caseworker, org_a.organization).get(url("victim_detail", victim.pk)).content.decode()
    for expected in (
        victim.case_number,
        "Synthetic Mai",
        "Reported",
        "Critical",
        "Injured",
        "None",
        org_a.caseworker.display_name,
        "Synthetic Park",
        "Synthetic Border",
    ):
        assert expected in body, expected


def test_the_timeline_lists_notes_status_changes_requests_and_referrals_newest_first(org_a, victim, client_for, frozen):
    user = org_a.caseworker
    make_note(victim=victim, author=user, body="Synthetic first note", occurred_at=frozen - timedelta(days=5))
    services.victim_change_status(victim=victim, to_status="verified", changed_by=user, now=frozen - timedelta(days=4))
    make_request(victim=victim, opened_by=user, now=frozen - timedelta(days=3))
    referral = make_referral(victim=victim, agency=AgencyFactory(name="Synthetic Police"), created_by=user)
    services.referral_send(referral=referral, sent_by=user, now=frozen - timedelta(days=1))
    body = client_for(user, org_a.organization).get(url("victim_detail", victim.pk)).content.decode()
    timeline = body[body.index('id="timeline"') :]
    positions = [
        timeline.index("Referral sent to Synthetic Police"),
        timeline.index("opened (Normal)"),
        timeline.index("Status: Reported → Verified"),
        timeline.index("Synthetic first note"),
    ]
    assert positions == sorted(positions)


def test_restricted_notes_are_shown_to_supervisors_and_org_admins_only(org_a, victim, client_for):
    make_note(victim=victim, author=org_a.supervisor, body="Synthetic restricted", is_restricted=True)
    make_note(victim=victim, author=org_a.caseworker, body="Synthetic open note")
    caseworker = client_for(org_a.caseworker, org_a.organization).get(url("victim_detail", victim.pk)).content.decode()
    assert "Synthetic open note" in caseworker and "Synthetic restricted" not in caseworker
    for role in ("supervisor", "org_admin"):
        page = client_for(org_a.by_role(role), org_a.organization).get(url("victim_detail", victim.pk))
        assert "Synthetic restricted" in page.content.decode()


def test_a_caseworker_cannot_write_a_restricted_note(org_a, victim, client_for):
    client = client_for(org_a.caseworker, org_a.organization)
    client.post(url("victim_add_note", victim.pk), {"kind": "internal", "body": "Synthetic", "is_restricted": "on"})
    assert CaseNote.objects.get(victim=victim).is_restricted is False


def test_logging_contact_on_a_request_moves_its_follow_up_and_says_when(org_a, victim, client_for, frozen):
    rescue = make_request(victim=victim, priority="high", now=frozen - timedelta(days=5))  # due 2 days ago
    client = client_for(org_a.caseworker, org_a.organization)
    response = client.post(
        url("victim_log_contact", victim.pk),
        {"rescue_request": rescue.pk, "kind": "contact_person", "note": "Synthetic call, safe for now"},
        follow=True,
    )
    rescue.refresh_from_db()
    assert rescue.next_follow_up_at == frozen + timedelta(days=3)
    body = response.content.decode()
    assert f"Contact logged on request #{rescue.pk}. Its next follow-up is due 14 Mar 2026 10:00." in body  # Bangkok
    assert "Synthetic call, safe for now" in body
    victim.refresh_from_db()
    assert victim.last_contact_at == frozen


def test_logging_contact_without_a_note_keeps_the_choice_and_explains(org_a, victim, client_for, frozen):
    rescue = make_request(victim=victim, now=frozen)
    before = rescue.next_follow_up_at
    response = client_for(org_a.caseworker, org_a.organization).post(
        url("victim_log_contact", victim.pk), {"rescue_request": rescue.pk, "kind": "contact_family", "note": ""}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_note_error"' in body and "This field is required." in body
    assert '<option value="contact_family" selected>' in body
    assert '<details class="action" id="contact" open>' in body
    rescue.refresh_from_db()
    assert rescue.next_follow_up_at == before


def test_changing_status_follows_the_rules_and_explains_a_refusal(org_a, victim, client_for):
    client = client_for(org_a.caseworker, org_a.organization)
    refused = client.post(url("victim_status", victim.pk), {"to_status": "reintegrated"})
    assert "Select a valid choice" in refused.content.decode()
    no_reason = client.post(url("victim_status", victim.pk), {"to_status": "closed", "reason": ""})
    assert "Say why the case is closed." in no_reason.content.decode()
    done = client.post(url("victim_status", victim.pk), {"to_status": "in_contact"}, follow=True)
    assert "Status changed to “In contact”." in done.content.decode()
    victim.refresh_from_db()
    assert victim.status == Victim.Status.IN_CONTACT


def test_a_supervisor_assigns_an_unassigned_case_and_its_open_requests_follow(org_a, client_for, frozen):
    victim = make_victim(organization=org_a.organization, created_by=org_a.supervisor, assigned_to=None)
    rescue = make_request(victim=victim, now=frozen)
    client = client_for(org_a.supervisor, org_a.organization)
    page = client.get(url("victim_detail", victim.pk)).content.decode()
    assert 'id="assign"' in page
    response = client.post(url("victim_assign", victim.pk), {"assignee": org_a.caseworker2.pk}, follow=True)
    assert f"Case assigned to {org_a.caseworker2.display_name}." in response.content.decode()
    rescue.refresh_from_db()
    assert rescue.assigned_to == org_a.caseworker2


def test_a_supervisor_cannot_assign_someone_from_another_organisation(org_a, org_b, victim, client_for):
    response = client_for(org_a.supervisor, org_a.organization).post(
        url("victim_assign", victim.pk), {"assignee": org_b.caseworker.pk}
    )
    assert "Select a valid choice" in response.content.decode()
    victim.refresh_from_db()
    assert victim.assigned_to == org_a.caseworker


def test_opening_and_closing_a_rescue_request(org_a, victim, client_for, frozen):
    client = client_for(org_a.caseworker, org_a.organization)
    opened = client.post(url("request_open", victim.pk), {"priority": "urgent"}, follow=True)
    assert "Rescue request opened. The first follow-up is due 12 Mar 2026 10:00." in opened.content.decode()
    rescue = RescueRequest.objects.get(victim=victim)
    prefix = f"close-{rescue.pk}"
    missing = client.post(url("request_close", victim.pk, rescue.pk), {f"{prefix}-status": "rescued"})
    body = missing.content.decode()
    assert f'id="id_{prefix}-outcome_error"' in body and f'<details class="action" id="{prefix}" open>' in body
    closed = client.post(
        url("request_close", victim.pk, rescue.pk),
        {f"{prefix}-status": "rescued", f"{prefix}-outcome": "Synthetic: crossed at the bridge"},
        follow=True,
    )
    assert f"Rescue request #{rescue.pk} closed." in closed.content.decode()
    rescue.refresh_from_db()
    assert rescue.status == "rescued" and rescue.next_follow_up_at is None


def test_a_request_of_another_case_cannot_be_closed_through_this_case(org_a, victim, client_for, frozen):
    other = make_victim(organization=org_a.organization, created_by=org_a.caseworker)
    rescue = make_request(victim=other, now=frozen)
    prefix = f"close-{rescue.pk}"
    response = client_for(org_a.caseworker, org_a.organization).post(
        url("request_close", victim.pk, rescue.pk), {f"{prefix}-status": "withdrawn", f"{prefix}-outcome": "x"}
    )
    assert response.status_code == 404
    rescue.refresh_from_db()
    assert rescue.is_open


def test_the_agency_picker_offers_the_regions_agencies_and_only_the_persons_own_embassy(
    org_a, org_b, victim, client_for
):
    region = victim.border_region
    AgencyFactory(name="Synthetic Local Police").regions.set([region])
    AgencyFactory(name="Synthetic Far Police").regions.set([BorderRegionFactory()])
    AgencyFactory(name="Synthetic National Office")  # covers no region in particular: always offered
    AgencyFactory(name="Synthetic Embassy VN", kind="embassy", country="VN")
    AgencyFactory(name="Synthetic Embassy CN", kind="embassy", country="CN")
    AgencyFactory(name="Synthetic Private A", organization=org_a.organization)
    AgencyFactory(name="Synthetic Private B", organization=org_b.organization)
    AgencyFactory(name="Synthetic Inactive", is_active=False)
    body = client_for(org_a.caseworker, org_a.organization).get(url("victim_detail", victim.pk)).content.decode()
    picker = body[body.index('name="agency"') : body.index("</select>", body.index('name="agency"'))]
    for offered in ("Local Police", "National Office", "Embassy VN", "Private A"):
        assert f"Synthetic {offered}" in picker, offered
    for hidden in ("Far Police", "Embassy CN", "Private B", "Inactive"):
        assert f"Synthetic {hidden}" not in picker, hidden


def test_sharing_identity_without_consent_is_refused_next_to_the_field_and_keeps_what_was_typed(
    org_a, victim, client_for
):
    agency = AgencyFactory(name="Synthetic Police")
    response = client_for(org_a.caseworker, org_a.organization).post(
        url("referral_new", victim.pk),
        {
            "agency": agency.pk,
            "shares_identity": "on",
            "consent_basis": "consent",
            "shared_information": "Synthetic: name and photo",
            "send_now": "on",
        },
    )
    body = response.content.decode()
    assert 'id="id_consent_basis_error"' in body and "has not consented" in body
    assert "Synthetic: name and photo</textarea>" in body
    assert '<details class="action" id="referral" open>' in body
    assert not AgencyReferral.objects.exists()


def test_a_vital_interest_override_needs_a_reason_and_then_sends_the_referral(org_a, victim, client_for, frozen):
    agency = AgencyFactory(name="Synthetic Police")
    client = client_for(org_a.caseworker, org_a.organization)
    data = {"agency": agency.pk, "shares_identity": "on", "consent_basis": "vital_interest", "send_now": "on"}
    no_reason = client.post(url("referral_new", victim.pk), data)
    assert 'id="id_override_reason_error"' in no_reason.content.decode()
    sent = client.post(
        url("referral_new", victim.pk), {**data, "override_reason": "Synthetic: beaten, needs out today"}, follow=True
    )
    assert "Referral to Synthetic Police recorded as sent. Their response is due 14 Mar 2026 10:00." in (
        sent.content.decode()
    )
    referral = AgencyReferral.objects.get()
    assert referral.status == "sent" and referral.consent_basis == "vital_interest"
    assert referral.sent_by == org_a.caseworker


def test_a_referral_without_identity_can_be_kept_as_a_draft(org_a, victim, client_for):
    agency = AgencyFactory()
    client_for(org_a.caseworker, org_a.organization).post(
        url("referral_new", victim.pk), {"agency": agency.pk, "consent_basis": "no_identity"}
    )
    assert AgencyReferral.objects.get().status == "draft"


def test_recording_an_agencys_response_and_a_decline_needs_its_reason(org_a, victim, client_for, frozen):
    referral = make_referral(victim=victim, agency=AgencyFactory(name="Synthetic Police"), created_by=org_a.caseworker)
    services.referral_send(referral=referral, sent_by=org_a.caseworker, now=frozen)
    client = client_for(org_a.caseworker, org_a.organization)
    prefix = f"response-{referral.pk}"
    declined = client.post(url("referral_response", victim.pk, referral.pk), {f"{prefix}-status": "declined"})
    assert "Record why the agency declined." in declined.content.decode()
    done = client.post(
        url("referral_response", victim.pk, referral.pk),
        {f"{prefix}-status": "acknowledged", f"{prefix}-agency_reference": "SYN-REF-1"},
        follow=True,
    )
    assert "Response recorded: Synthetic Police, “Acknowledged”." in done.content.decode()
    referral.refresh_from_db()
    assert referral.status == "acknowledged" and referral.agency_reference == "SYN-REF-1"


def edit_data(victim: Victim, **changes) -> dict:
    """The edit form as the browser would post it for this victim, with some fields changed."""
    data = {
        "version": victim.version,
        "full_name": victim.full_name,
        "sex": victim.sex,
        "citizenship": victim.citizenship,
        "risk_level": victim.risk_level,
        "consent": victim.consent,
        "compound": victim.compound_id or "",
        "border_region": victim.border_region_id or "",
        "passport_held_by_traffickers": "unknown",
        "injured": "on" if victim.injured else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_editing_details_saves_through_the_service_and_bumps_the_version(org_a, victim, client_for):
    client = client_for(org_a.caseworker, org_a.organization)
    form = client.get(url("victim_edit", victim.pk)).content.decode()
    assert unlabelled_fields(form) == []
    response = client.post(url("victim_edit", victim.pk), edit_data(victim, estimated_age="24", risk_level="high"))
    assert response.status_code == 302
    victim.refresh_from_db()
    assert victim.estimated_age == 24 and victim.risk_level == "high" and victim.version == 2


def test_a_name_pasted_with_a_line_break_is_saved_on_one_line_as_intake_saves_it(org_a, victim, client_for):
    client = client_for(org_a.caseworker, org_a.organization)
    response = client.post(url("victim_edit", victim.pk), edit_data(victim, full_name=" Synthetic\r\nTwo\tLines "))
    assert response.status_code == 302
    victim.refresh_from_db()
    assert victim.full_name == "Synthetic Two Lines"


def test_an_invalid_edit_shows_the_message_next_to_the_field_and_keeps_everything_typed(org_a, victim, client_for):
    response = client_for(org_a.caseworker, org_a.organization).post(
        url("victim_edit", victim.pk),
        edit_data(victim, full_name="Synthetic Renamed", consent="full", ransom_currency="US1"),
    )
    body = response.content.decode()
    assert "Say who gave consent." in body and 'id="id_consent_given_by_error"' in body
    assert "three-letter currency code" in body
    assert 'value="Synthetic Renamed"' in body and 'value="US1"' in body
    victim.refresh_from_db()
    assert victim.full_name == "Synthetic Mai"


def test_a_conflicting_edit_shows_both_versions_and_saving_again_keeps_the_users_values(org_a, victim, client_for):
    client = client_for(org_a.caseworker, org_a.organization)
    loaded = edit_data(victim)
    services.victim_update(
        victim=Victim.objects.get(pk=victim.pk),
        editor=org_a.supervisor,
        expected_version=victim.version,
        risk_level="low",
        estimated_age=30,
    )
    typed = {**loaded, "risk_level": "high", "full_name": "Synthetic Mai Typed"}
    response = client.post(url("victim_edit", victim.pk), typed)
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="conflict"' in body
    conflict = body[body.index('data-testid="conflict"') : body.index("</table>", body.index('data-testid="conflict"'))]
    assert "Risk level" in conflict and "Low" in conflict and "High" in conflict
    assert "Estimated age" in conflict and "30" in conflict
    assert 'value="Synthetic Mai Typed"' in body  # nothing typed is lost
    victim.refresh_from_db()
    assert victim.risk_level == "low" and victim.full_name == "Synthetic Mai"
    resubmitted = client.post(url("victim_edit", victim.pk), {**typed, "version": victim.version})
    assert resubmitted.status_code == 302
    victim.refresh_from_db()
    assert victim.risk_level == "high" and victim.full_name == "Synthetic Mai Typed"


def test_every_field_on_the_case_page_has_a_label(org_a, victim, client_for, frozen):
    make_request(victim=victim, now=frozen)
    referral = make_referral(victim=victim, agency=AgencyFactory(), created_by=org_a.caseworker)
    services.referral_send(referral=referral, sent_by=org_a.caseworker, now=frozen)
    for role in ("caseworker", "supervisor"):
        body = client_for(org_a.by_role(role), org_a.organization).get(url("victim_detail", victim.pk))
        assert unlabelled_fields(body.content.decode()) == []


def test_the_case_page_runs_the_same_number_of_queries_with_50_and_500_entries(org_a, victim, client_for, frozen):
    client = client_for(org_a.supervisor, org_a.organization)

    def add_entries(n: int):
        CaseNote.objects.bulk_create(
            CaseNote(
                organization=org_a.organization,
                victim=victim,
                body=f"Synthetic note {i}",
                author=org_a.caseworker,
                occurred_at=frozen - timedelta(minutes=i),
                kind="contact_person",
            )
            for i in range(n)
        )
        for _ in range(max(1, n // 50)):
            make_request(victim=victim, now=frozen)
            referral = make_referral(victim=victim, agency=AgencyFactory(), created_by=org_a.supervisor)
            services.referral_send(referral=referral, sent_by=org_a.supervisor, now=frozen)

    add_entries(50)
    with_50 = count_queries(client, url("victim_detail", victim.pk))
    add_entries(450)
    with_500 = count_queries(client, url("victim_detail", victim.pk))
    assert with_50 == with_500
    full_history = client.get(url("victim_detail", victim.pk) + "?history=all")
    assert full_history.content.decode().count("Synthetic note ") == 500


def test_the_case_page_with_a_long_history_stays_under_200_kb(org_a, victim, client_for, frozen):
    CaseNote.objects.bulk_create(
        CaseNote(
            organization=org_a.organization,
            victim=victim,
            body="Synthetic note " + "x" * 300,
            author=org_a.caseworker,
            occurred_at=frozen - timedelta(minutes=i),
        )
        for i in range(500)
    )
    response = client_for(org_a.caseworker, org_a.organization).get(url("victim_detail", victim.pk))
    assert len(response.content) < 200_000
    assert "Show the full history" in response.content.decode()


def test_without_an_open_request_logging_contact_just_records_the_contact(org_a, victim, client_for, frozen):
    client = client_for(org_a.caseworker, org_a.organization)
    page = client.get(url("victim_detail", victim.pk)).content.decode()
    assert 'name="rescue_request"' not in page.split('id="contact"')[1].split("</details>")[0]
    response = client.post(
        url("victim_log_contact", victim.pk), {"kind": "contact_person", "note": "Synthetic voice message"}, follow=True
    )
    assert "Contact logged." in response.content.decode()
    victim.refresh_from_db()
    assert victim.last_contact_at == frozen
    assert CaseNote.objects.get(victim=victim).body == "Synthetic voice message"
