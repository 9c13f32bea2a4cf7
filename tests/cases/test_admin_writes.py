"""The case-file admin: writes go through the services, stale copies are refused, and the big changelists make no
N+1 queries."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import (
    AgencyReferral,
    CaseNote,
    Reporter,
    RescueRequest,
    Victim,
    VictimStatusChange,
)
from tests.cases.admin_support import admin_url, form_data, messages_of
from tests.factories import (
    AgencyFactory,
    make_note,
    make_referral,
    make_request,
    make_victim,
    sign_in_verified,
    victim_named,
    victims_named,
)

pytestmark = pytest.mark.django_db


# --- Writes go through the services ---------------------------------------------------------------


def test_a_victim_added_in_the_admin_gets_a_case_number_from_intake(org_admin_client, org_a, staff_org_admin):
    data = form_data(org_admin_client.get(admin_url(Victim, "add")))
    data.update(full_name="Synthetic Newcomer", citizenship="MM", assigned_to=str(org_a.caseworker.pk))
    data.update({"reporters-0-name": "Synthetic Aunt", "reporters-0-relationship": "relative"})
    data.update({"notes-2-0-body": "First call from the aunt", "notes-2-0-kind": "contact_family"})
    response = org_admin_client.post(admin_url(Victim, "add"), data, follow=True)

    assert response.status_code == 200, response.context["adminform"].form.errors
    victim = victim_named("Synthetic Newcomer")
    year = timezone.localtime(victim.created_at, org_a.organization.tzinfo).year
    assert victim.case_number == f"HWA-{year}-00001"
    assert (victim.created_by, victim.assigned_to, victim.status) == (staff_org_admin, org_a.caseworker, "reported")
    assert victim.reporters.get().organization == org_a.organization
    note = victim.notes.get()
    assert (note.body, note.author, note.organization) == (
        "First call from the aunt",
        staff_org_admin,
        victim.organization,
    )


def test_the_case_number_cannot_be_changed_in_the_admin(org_admin_client, case_files):
    victim = case_files["a"][Victim]
    page = org_admin_client.get(admin_url(Victim, "change", victim.pk))
    assert "case_number" not in page.context["adminform"].form.fields
    data = form_data(page)
    data["case_number"] = "HWA-1999-99999"
    org_admin_client.post(admin_url(Victim, "change", victim.pk), data)
    victim.refresh_from_db()
    assert victim.case_number != "HWA-1999-99999"


def test_editing_a_victim_in_the_admin_saves_through_the_services_and_records_the_status_step(
    org_admin_client, case_files, org_a, staff_org_admin
):
    victim = case_files["a"][Victim]
    data = form_data(org_admin_client.get(admin_url(Victim, "change", victim.pk)))
    data.update(
        risk_level="critical",
        consent="limited",
        consent_given_by="family",
        assigned_to=str(org_a.caseworker2.pk),
        change_status_to="in_contact",
    )
    response = org_admin_client.post(admin_url(Victim, "change", victim.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    victim.refresh_from_db()
    assert (victim.risk_level, victim.status, victim.assigned_to) == ("critical", "in_contact", org_a.caseworker2)
    assert victim.consent_recorded_by == staff_org_admin and victim.consent_recorded_at is not None
    step = victim.status_changes.order_by("-changed_at", "-pk").first()
    assert (step.from_status, step.to_status, step.changed_by) == ("verified", "in_contact", staff_org_admin)
    assert victim.rescue_requests.get().assigned_to == org_a.caseworker2


def test_an_invalid_status_jump_in_the_change_form_is_shown_and_nothing_is_saved(
    org_admin_client, case_files, staff_org_admin
):
    victim = case_files["a"][Victim]
    services.victim_change_status(victim=victim, to_status="rescued", changed_by=staff_org_admin)
    services.victim_change_status(victim=victim, to_status="repatriated", changed_by=staff_org_admin)
    data = form_data(org_admin_client.get(admin_url(Victim, "change", victim.pk)))
    data.update(change_status_to="reported", risk_level="low")

    response = org_admin_client.post(admin_url(Victim, "change", victim.pk), data)

    assert response.status_code == 200
    assert "A case cannot go from “Repatriated” to “Reported”." in response.content.decode()
    victim.refresh_from_db()
    assert (victim.status, victim.risk_level) == ("repatriated", "high")


def test_the_status_action_changes_allowed_cases_and_reports_each_refused_one(org_admin_client, org_a, staff_org_admin):
    movable = make_victim(organization=org_a.organization, full_name="Synthetic One")
    stuck = make_victim(organization=org_a.organization, full_name="Synthetic Two")
    services.victim_change_status(victim=stuck, to_status="rescued", changed_by=staff_org_admin)
    services.victim_change_status(victim=stuck, to_status="repatriated", changed_by=staff_org_admin)
    url = admin_url(Victim, "changelist")
    selection = {"action": "change_status", ACTION_CHECKBOX_NAME: [movable.pk, stuck.pk]}

    confirm = org_admin_client.post(url, {**selection, "index": 0})
    assert confirm.status_code == 200
    assert movable.case_number in confirm.content.decode()

    done = org_admin_client.post(url, {**selection, "apply": "1", "to_status": "verified", "reason": ""}, follow=True)

    text = messages_of(done)
    assert f"{stuck.case_number}: A case cannot go from “Repatriated” to “Verified”." in text
    assert "Changed the status of 1 victim." in text
    movable.refresh_from_db()
    stuck.refresh_from_db()
    assert (movable.status, stuck.status) == ("verified", "repatriated")


def test_closing_requests_by_action_asks_for_the_outcome_and_reports_requests_already_closed(
    org_admin_client, case_files, org_a, staff_org_admin
):
    open_request = case_files["a"][RescueRequest]
    closed = make_request(victim=case_files["a"][Victim], priority="normal")
    services.rescue_request_close(request=closed, status="rescued", outcome="Out", closed_by=staff_org_admin)
    url = admin_url(RescueRequest, "changelist")
    selection = {"action": "close_requests", ACTION_CHECKBOX_NAME: [open_request.pk, closed.pk]}

    missing_outcome = org_admin_client.post(url, {**selection, "apply": "1", "status": "withdrawn", "outcome": ""})
    assert missing_outcome.status_code == 200
    assert "This field is required." in missing_outcome.content.decode()
    open_request.refresh_from_db()
    assert open_request.is_open

    done = org_admin_client.post(
        url, {**selection, "apply": "1", "status": "withdrawn", "outcome": "Family asked us to stop"}, follow=True
    )
    text = messages_of(done)
    assert "Closed 1 rescue request." in text
    assert "This rescue request is already closed." in text
    open_request.refresh_from_db()
    assert (open_request.status, open_request.outcome, open_request.next_follow_up_at) == (
        "withdrawn",
        "Family asked us to stop",
        None,
    )


def test_referral_actions_send_drafts_and_mark_no_response_through_the_services(
    org_admin_client, case_files, staff_org_admin
):
    referral = case_files["a"][AgencyReferral]
    url = admin_url(AgencyReferral, "changelist")
    select = {ACTION_CHECKBOX_NAME: [referral.pk], "index": 0}

    sent = org_admin_client.post(url, {**select, "action": "send_referrals"}, follow=True)
    referral.refresh_from_db()
    assert "Marked 1 referral as sent." in messages_of(sent)
    assert (referral.status, referral.sent_by) == ("sent", staff_org_admin)
    assert referral.response_due_at == referral.sent_at + timedelta(days=3)

    again = org_admin_client.post(url, {**select, "action": "send_referrals"}, follow=True)
    assert f"{referral}: This referral was already sent." in messages_of(again)

    org_admin_client.post(url, {**select, "action": "mark_no_response"}, follow=True)
    referral.refresh_from_db()
    assert referral.status == "no_response"


def test_recording_a_decline_requires_the_agencys_reason(org_admin_client, case_files, staff_org_admin):
    referral = case_files["a"][AgencyReferral]
    services.referral_send(referral=referral, sent_by=staff_org_admin)
    url = admin_url(AgencyReferral, "changelist")
    selection = {"action": "record_response", ACTION_CHECKBOX_NAME: [referral.pk], "apply": "1"}

    refused = org_admin_client.post(url, {**selection, "status": "declined", "decline_reason": ""})
    assert "Record why the agency declined." in refused.content.decode()

    org_admin_client.post(url, {**selection, "status": "declined", "decline_reason": "Outside their area"})
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == ("declined", "Outside their area")


def test_a_referral_sharing_identity_without_consent_is_refused_with_the_reason(org_admin_client, case_files):
    victim = case_files["a"][Victim]
    data = form_data(org_admin_client.get(admin_url(AgencyReferral, "add")))
    data.update(
        victim=str(victim.pk),
        agency=str(case_files["shared_agency"].pk),
        shares_identity="on",
        consent_basis="consent",
    )
    response = org_admin_client.post(admin_url(AgencyReferral, "add"), data)
    assert response.status_code == 200
    assert "The person has not consented to sharing their identity." in response.content.decode()
    assert victim.referrals.count() == 1


def test_an_organisation_admin_cannot_refer_to_another_organisations_private_agency(org_admin_client, case_files):
    data = form_data(org_admin_client.get(admin_url(AgencyReferral, "add")))
    data.update(victim=str(case_files["a"][Victim].pk), agency=str(case_files["private_b"].pk))
    response = org_admin_client.post(admin_url(AgencyReferral, "add"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_a_rescue_request_opened_in_the_admin_gets_its_first_follow_up_from_the_cadence(
    org_admin_client, case_files, org_a
):
    victim = case_files["a"][Victim]
    data = form_data(org_admin_client.get(admin_url(RescueRequest, "add")))
    data.update(victim=str(victim.pk), priority="urgent", assigned_to=str(org_a.caseworker.pk))
    response = org_admin_client.post(admin_url(RescueRequest, "add"), data)
    assert response.status_code == 302
    opened = victim.rescue_requests.get(priority="urgent")
    assert opened.next_follow_up_at - opened.opened_at == timedelta(days=1)
    assert opened.assigned_to == org_a.caseworker


def test_logging_an_update_on_the_request_page_moves_the_follow_up_and_writes_a_note(
    org_admin_client, case_files, staff_org_admin
):
    rescue_request = case_files["a"][RescueRequest]
    before = rescue_request.next_follow_up_at
    data = form_data(org_admin_client.get(admin_url(RescueRequest, "change", rescue_request.pk)))
    data.update(log_update="Spoke with the person; still inside", mark_in_progress="on")
    response = org_admin_client.post(admin_url(RescueRequest, "change", rescue_request.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    rescue_request.refresh_from_db()
    assert rescue_request.status == "in_progress"
    assert rescue_request.next_follow_up_at > before
    note = rescue_request.notes.get()
    assert (note.body, note.author) == ("Spoke with the person; still inside", staff_org_admin)


# --- Optimistic locking ---------------------------------------------------------------------------


def test_saving_a_stale_victim_is_refused_and_the_other_change_kept(org_admin_client, case_files, org_a):
    victim = case_files["a"][Victim]
    data = form_data(org_admin_client.get(admin_url(Victim, "change", victim.pk)))
    services.victim_update(
        victim=Victim.objects.get(pk=victim.pk),
        editor=org_a.caseworker,
        expected_version=victim.version,
        full_name="Changed Meanwhile",
    )
    data.update(full_name="Admin Overwrite", risk_level="low")

    response = org_admin_client.post(admin_url(Victim, "change", victim.pk), data)

    assert response.status_code == 200
    assert "Someone else changed this case since you opened it." in response.content.decode()
    victim.refresh_from_db()
    assert (victim.full_name, victim.risk_level) == ("Changed Meanwhile", "high")


def test_saving_a_stale_rescue_request_is_refused_and_the_other_change_kept(org_admin_client, case_files, org_a):
    rescue_request = case_files["a"][RescueRequest]
    data = form_data(org_admin_client.get(admin_url(RescueRequest, "change", rescue_request.pk)))
    services.rescue_request_change_priority(request=rescue_request, priority="urgent", changed_by=org_a.caseworker)
    data.update(priority="normal")

    response = org_admin_client.post(admin_url(RescueRequest, "change", rescue_request.pk), data)

    assert response.status_code == 200
    assert "Someone else changed this rescue request since you opened it." in response.content.decode()
    rescue_request.refresh_from_db()
    assert rescue_request.priority == "urgent"


# --- No N+1 on the big changelists ----------------------------------------------------------------


def _grow_case_files(org, count: int, agency) -> None:
    for i in range(count):
        victim = make_victim(organization=org.organization, full_name=f"Synthetic Bulk {i}", assigned_to=org.caseworker)
        make_request(victim=victim, assigned_to=org.caseworker2)
        make_referral(victim=victim, agency=agency)
        make_note(victim=victim, author=org.caseworker)
        services.victim_change_status(victim=victim, to_status="verified", changed_by=org.supervisor)


BIG_CHANGELISTS = [Victim, RescueRequest, AgencyReferral, CaseNote, VictimStatusChange]


@pytest.mark.parametrize("who", ["superuser", "org_admin"])
def test_big_changelists_use_the_same_number_of_queries_for_5_and_50_rows(
    client, platform_admin, staff_org_admin, org_a, who
):
    # Every model's changelist in one test: growing the case files (each row through the services) is the cost, and
    # one growth serves all five lists. Each list is checked as before, and every list that fails is named.
    sign_in_verified(client, platform_admin if who == "superuser" else staff_org_admin)
    agency = AgencyFactory()
    urls = {model.__name__: admin_url(model, "changelist") for model in BIG_CHANGELISTS}
    _grow_case_files(org_a, 5, agency)
    queries_for_five = {}
    for model, url in urls.items():
        client.get(url)  # warm per-process caches (content types, templates)
        with CaptureQueriesContext(connection) as five:
            assert len(client.get(url).context["cl"].result_list) == 5, model
        queries_for_five[model] = len(five)  # now: the next request clears the connection's query log

    _grow_case_files(org_a, 45, agency)
    more_queries = []
    for model, url in urls.items():
        client.get(url)  # the session's last-seen stamp is refreshed now if due, not in the measured request
        with CaptureQueriesContext(connection) as fifty:
            assert len(client.get(url).context["cl"].result_list) == 50, model
        if len(fifty) > queries_for_five[model]:
            more_queries.append(f"{model}: {len(fifty)} queries for 50 rows, {queries_for_five[model]} for 5")
    assert not more_queries, "; ".join(more_queries)


# --- Choices and lookups stay in the organisation --------------------------------------------------


def test_victim_lookups_for_autocomplete_return_only_the_admins_organisation(org_admin_client, case_files):
    response = org_admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "cases", "model_name": "rescuerequest", "field_name": "victim", "term": "Synthetic Person"},
    )
    assert response.status_code == 200
    found = {row["text"] for row in response.json()["results"]}
    assert found == {case_files["a"][Victim].case_number}
    for start in ("hw", "HWA-", "HWB-"):
        by_start = org_admin_client.get(
            reverse("admin:autocomplete"),
            {"app_label": "cases", "model_name": "rescuerequest", "field_name": "victim", "term": start},
        )
        assert {row["text"] for row in by_start.json()["results"]} == (set() if start == "HWB-" else found)


def test_a_victim_cannot_be_assigned_to_someone_outside_its_organisation(superuser_client, org_a, org_b):
    data = form_data(superuser_client.get(admin_url(Victim, "add")))
    data.update(organization=str(org_b.organization.pk), full_name="Synthetic Misassigned")
    data["assigned_to"] = str(org_a.caseworker.pk)
    response = superuser_client.post(admin_url(Victim, "add"), data)
    assert response.status_code == 200
    assert f"{org_a.caseworker} is not a member of {org_b.organization}." in response.content.decode()
    assert not victims_named("Synthetic Misassigned")


def test_a_rescue_request_cannot_be_opened_from_the_page_of_a_closed_case(
    org_admin_client, case_files, staff_org_admin
):
    victim = case_files["a"][Victim]
    services.victim_change_status(victim=victim, to_status="deceased", changed_by=staff_org_admin)
    data = form_data(org_admin_client.get(admin_url(Victim, "change", victim.pk)))
    data["rescue_requests-2-0-priority"] = "urgent"
    response = org_admin_client.post(admin_url(Victim, "change", victim.pk), data)
    assert response.status_code == 200
    assert "This case is closed; reopen it before opening a rescue request." in response.content.decode()
    assert victim.rescue_requests.count() == 1


def test_changelists_do_not_load_secret_columns(org_admin_client, case_files):
    for model in (Victim, CaseNote, AgencyReferral, Reporter):
        with CaptureQueriesContext(connection) as queries:
            org_admin_client.get(admin_url(model, "changelist"))
        table = model._meta.db_table
        listing = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(f'SELECT "{table}"."id"')]
        assert listing, model
        for secret in ("passport_number", "phone_numbers", "body", "contact_channels", "shared_information"):
            assert f'."{secret}"' not in listing[-1], (model, secret)
