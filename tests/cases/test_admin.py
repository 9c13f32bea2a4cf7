"""The case-file admin: every page loads for platform and organisation admins, rows stay in their organisation,
writes go through the services, stale copies are refused, and the big changelists make no N+1 queries."""

from datetime import timedelta
from html.parser import HTMLParser

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
    CaseNumberSequence,
    Reporter,
    RescueRequest,
    Victim,
    VictimStatusChange,
)
from places.models import Agency, BorderRegion, Compound, Crossing
from tests.factories import (
    AgencyFactory,
    BorderRegionFactory,
    CompoundFactory,
    make_note,
    make_referral,
    make_request,
    make_victim,
    sign_in_verified,
    victim_named,
    victims_named,
)

pytestmark = pytest.mark.django_db


# --- Helpers --------------------------------------------------------------------------------------


class _FormReader(HTMLParser):
    """Reads the values a browser would submit from an admin page's model form (`<form id="..._form">`)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._in_form = False
        self._done = False
        self._select: str | None = None
        self._select_multiple = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._done:
            return
        if tag == "form" and (attrs.get("id") or "").endswith("_form") and attrs.get("id") != "logout-form":
            self._in_form = True
        if not self._in_form or not attrs.get("name") and tag != "option":
            if tag != "option" or self._select is None:
                return
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._add(attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select = attrs["name"]
            self._select_multiple = "multiple" in attrs
            self.data.setdefault(self._select, [])
        elif tag == "option" and self._select is not None:
            if "selected" in attrs:
                self._add(self._select, attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._text = []

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            if not self.data[self._select] and not self._select_multiple:
                self.data[self._select] = [""]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._add(self._textarea, "".join(self._text).lstrip("\n"))
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form = False
            self._done = True

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)


def form_data(response) -> dict:
    """What the browser would post back from an admin add/change page, unchanged."""
    reader = _FormReader()
    reader.feed(response.content.decode())
    data = {}
    for name, values in reader.data.items():
        data[name] = values if len(values) != 1 else values[0]
    data.pop("csrfmiddlewaretoken", None)
    data["_save"] = "Save"
    return data


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.fixture
def staff_org_admin(org_a):
    user = org_a.org_admin
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def org_admin_client(client, staff_org_admin):
    return sign_in_verified(client, staff_org_admin)


@pytest.fixture
def superuser_client(client, platform_admin):
    return sign_in_verified(client, platform_admin)


@pytest.fixture(params=["superuser", "org_admin"])
def any_admin_client(request, client, platform_admin, staff_org_admin):
    sign_in_verified(client, platform_admin if request.param == "superuser" else staff_org_admin)
    return client


def _case_file(org, *, name: str, agency, region):
    compound = CompoundFactory(region=region)
    victim = make_victim(
        organization=org.organization,
        created_by=org.caseworker,
        full_name=name,
        compound=compound,
        reporter={"name": f"Reporter of {name}", "relationship": "parent"},
    )
    request = make_request(victim=victim, opened_by=org.caseworker, priority="high")
    referral = make_referral(victim=victim, agency=agency, created_by=org.caseworker, rescue_request=request)
    note = make_note(victim=victim, author=org.caseworker, body="Synthetic note about the call")
    change = services.victim_change_status(victim=victim, to_status="verified", changed_by=org.caseworker)
    return {
        Victim: victim,
        RescueRequest: request,
        AgencyReferral: referral,
        CaseNote: note,
        Reporter: victim.reporters.get(),
        VictimStatusChange: change,
        CaseNumberSequence: CaseNumberSequence.objects.get(organization=org.organization),
    }


@pytest.fixture
def case_files(org_a, org_b):
    region = BorderRegionFactory()
    Crossing.objects.create(region=region, name="Synthetic crossing", is_open=True)
    shared = AgencyFactory(name="Synthetic shared police")
    private_b = AgencyFactory(name="Bravo private shelter", organization=org_b.organization)
    return {
        "a": _case_file(org_a, name="Alpha Synthetic Person", agency=shared, region=region),
        "b": _case_file(org_b, name="Bravo Synthetic Person", agency=private_b, region=region),
        "region": region,
        "shared_agency": shared,
        "private_b": private_b,
    }


CASE_MODELS = [Victim, RescueRequest, AgencyReferral, CaseNote, Reporter, VictimStatusChange]
REFERENCE_MODELS = [BorderRegion, Crossing, Compound, Agency]


# --- Every page loads -----------------------------------------------------------------------------


@pytest.mark.parametrize("model", CASE_MODELS + REFERENCE_MODELS, ids=lambda m: m.__name__)
def test_changelist_search_and_change_pages_load_for_platform_and_organisation_admins(
    any_admin_client, case_files, model
):
    if model in CASE_MODELS:
        row = case_files["a"][model]
    else:
        row = model.objects.order_by("pk").first() if model is not Agency else case_files["shared_agency"]

    changelist = any_admin_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count >= 1

    searched = any_admin_client.get(admin_url(model, "changelist"), {"q": case_files["a"][Victim].case_number})
    assert searched.status_code == 200

    change = any_admin_client.get(admin_url(model, "change", row.pk))
    assert change.status_code == 200


@pytest.mark.parametrize(
    "model",
    [Victim, RescueRequest, AgencyReferral, CaseNote, Reporter, Agency],
    ids=lambda m: m.__name__,
)
def test_add_pages_load_for_platform_and_organisation_admins(any_admin_client, case_files, model):
    assert any_admin_client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", [BorderRegion, Crossing, Compound], ids=lambda m: m.__name__)
def test_shared_reference_data_is_added_by_platform_admins_only(superuser_client, case_files, model):
    assert superuser_client.get(admin_url(model, "add")).status_code == 200


def test_case_number_counters_are_visible_to_platform_admins_and_never_editable(superuser_client, case_files):
    sequence = case_files["a"][CaseNumberSequence]
    assert superuser_client.get(admin_url(CaseNumberSequence, "changelist")).status_code == 200
    page = superuser_client.get(admin_url(CaseNumberSequence, "change", sequence.pk))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert superuser_client.get(admin_url(CaseNumberSequence, "add")).status_code == 403


def test_victims_are_found_by_whole_case_number_or_part_of_the_name(superuser_client, case_files):
    alpha = case_files["a"][Victim]
    url = admin_url(Victim, "changelist")

    by_number = superuser_client.get(url, {"q": alpha.case_number.lower()})
    by_name = superuser_client.get(url, {"q": "alpha synth"})
    nothing = superuser_client.get(url, {"q": "Nobody Of That Name"})

    assert [v.pk for v in by_number.context["cl"].result_list] == [alpha.pk]
    assert [v.pk for v in by_name.context["cl"].result_list] == [alpha.pk]
    assert list(nothing.context["cl"].result_list) == []


def test_secret_fields_are_never_searched_or_listed():
    from django.contrib import admin

    from core.fields import secret_field_names

    for model, model_admin in admin.site._registry.items():
        secrets = set(secret_field_names(model))
        if not secrets:
            continue
        searched = {name.lstrip("=^@").split("__")[0] for name in model_admin.search_fields}
        assert not secrets & searched, model
        assert not secrets & set(model_admin.list_display), model


# --- Organisation scoping -------------------------------------------------------------------------


@pytest.mark.parametrize("model", CASE_MODELS, ids=lambda m: m.__name__)
def test_an_organisation_admin_sees_none_of_another_organisations_rows(org_admin_client, case_files, model):
    ours, theirs = case_files["a"][model], case_files["b"][model]

    listed = org_admin_client.get(admin_url(model, "changelist"))
    assert {row.pk for row in listed.context["cl"].result_list} == {ours.pk}

    searched = org_admin_client.get(admin_url(model, "changelist"), {"q": case_files["b"][Victim].case_number})
    assert list(searched.context["cl"].result_list) == []

    other = org_admin_client.get(admin_url(model, "change", theirs.pk), follow=True)
    assert other.redirect_chain[0][0] == reverse("admin:index")
    assert "doesn’t exist" in messages_of(other)


def test_an_organisation_admin_sees_shared_agencies_and_their_own_but_not_another_organisations(
    org_admin_client, case_files, org_a
):
    own = AgencyFactory(name="Alpha private hospital", organization=org_a.organization)
    listed = org_admin_client.get(admin_url(Agency, "changelist"))
    names = {agency.name for agency in listed.context["cl"].result_list}
    assert {"Synthetic shared police", "Alpha private hospital"} <= names
    assert "Bravo private shelter" not in names
    assert org_admin_client.get(admin_url(Agency, "change", own.pk)).context["has_change_permission"]
    shared_page = org_admin_client.get(admin_url(Agency, "change", case_files["shared_agency"].pk))
    assert not shared_page.context["has_change_permission"]


def test_an_organisation_admin_may_look_at_but_not_change_shared_reference_data(org_admin_client, case_files):
    region = case_files["region"]
    page = org_admin_client.get(admin_url(BorderRegion, "change", region.pk))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert org_admin_client.get(admin_url(BorderRegion, "add")).status_code == 403
    refused = org_admin_client.post(admin_url(BorderRegion, "change", region.pk), {"name": "Renamed"})
    assert refused.status_code == 403
    region.refresh_from_db()
    assert region.name != "Renamed"


def test_choices_on_an_organisation_admins_victim_page_name_only_their_organisation(
    org_admin_client, case_files, org_a, org_b
):
    page = org_admin_client.get(admin_url(Victim, "change", case_files["a"][Victim].pk))
    assigned = page.context["adminform"].form.fields["assigned_to"].queryset
    assert org_a.caseworker in assigned
    assert org_b.caseworker not in assigned
    add_page = org_admin_client.get(admin_url(Victim, "add"))
    organisations = add_page.context["adminform"].form.fields["organization"].queryset
    assert list(organisations) == [org_a.organization]
    content = add_page.content.decode()
    assert "Bravo" not in content


def test_an_organisation_admin_cannot_post_a_victim_into_another_organisation(org_admin_client, org_a, org_b):
    data = form_data(org_admin_client.get(admin_url(Victim, "add")))
    data.update(organization=str(org_b.organization.pk), full_name="Synthetic Intruder")
    response = org_admin_client.post(admin_url(Victim, "add"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not victims_named("Synthetic Intruder")


def test_staff_who_are_not_organisation_admins_get_no_admin_pages(client, org_a, case_files):
    supervisor = org_a.supervisor
    supervisor.is_staff = True
    supervisor.save(update_fields=["is_staff"])
    sign_in_verified(client, supervisor)
    assert client.get(admin_url(Victim, "changelist")).status_code == 403
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert list(index.context["app_list"]) == []


def test_caseworkers_without_staff_status_are_sent_to_the_admin_login(client, org_a):
    client.force_login(org_a.caseworker)
    response = client.get(admin_url(Victim, "changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


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
    assert "Someone else changed this victim since you opened it." in response.content.decode()
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


@pytest.mark.parametrize("who", ["superuser", "org_admin"])
@pytest.mark.parametrize(
    "model", [Victim, RescueRequest, AgencyReferral, CaseNote, VictimStatusChange], ids=lambda m: m.__name__
)
def test_big_changelists_use_the_same_number_of_queries_for_5_and_50_rows(
    client, platform_admin, staff_org_admin, org_a, django_assert_max_num_queries, model, who
):
    sign_in_verified(client, platform_admin if who == "superuser" else staff_org_admin)
    agency = AgencyFactory()
    url = admin_url(model, "changelist")
    _grow_case_files(org_a, 5, agency)
    client.get(url)  # warm per-process caches (content types, templates)
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(url).context["cl"].result_list) == 5
    queries_for_five = len(five)  # now: the next request clears the connection's query log

    _grow_case_files(org_a, 45, agency)
    client.get(url)  # the session's last-seen stamp is refreshed now if due, not in the measured request
    with django_assert_max_num_queries(queries_for_five):
        assert len(client.get(url).context["cl"].result_list) == 50


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
