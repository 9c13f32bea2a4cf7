"""The audit trail covers what the basic tests (test_audit.py) do not: bulk changes made with `QuerySet.update()`,
and every page that shows people by name, the web lists and the admin alike (cases/audit.py)."""

import logging
import re
from datetime import timedelta

import pytest
from auditlog.context import set_actor
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from audit.trail import MASK, read_ids
from cases import retention, services
from cases.models import CaseNote, Reporter, RescueRequest, Victim
from tests.factories import (
    INTAKE_POST,
    AgencyFactory,
    make_note,
    make_referral,
    make_request,
    make_victim,
    sign_in_verified,
)

from .test_audit import entries_for, everything_stored_in_the_trail

ACCESS, UPDATE = AuditEntry.Action.ACCESS, AuditEntry.Action.UPDATE


def reads_recorded(*, view: str, actor) -> set[int]:
    """Ids of the victims whose read by `actor` on `view` is in the trail."""
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Victim), action=ACCESS, actor=actor
    ).filter(additional_data__view=view)
    return {pk for entry in entries for pk in read_ids(entry)}


# --- Bulk changes ----------------------------------------------------------------------------------------------


def test_logging_contact_with_the_person_records_the_new_last_contact_time(org_a):
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker)
    version = Victim.objects.get(pk=victim.pk).version
    when = timezone.now() - timedelta(hours=2)
    with set_actor(org_a.caseworker, remote_addr="192.0.2.40"):
        services.case_note_add(
            victim=victim,
            author=org_a.caseworker,
            body="Synthetic call: safe for now",
            kind=CaseNote.Kind.CONTACT_PERSON,
            occurred_at=when,
        )
    entry = entries_for(victim, UPDATE).get()
    assert (entry.actor, entry.remote_addr, entry.organization) == (org_a.caseworker, "192.0.2.40", org_a.organization)
    assert set(entry.changes) == {"last_contact_at"}
    before, after = entry.changes["last_contact_at"]
    assert before in (None, "None") and when.strftime("%Y-%m-%d %H:%M:%S") in after
    # Contact is not an edit of the record: someone's open edit form stays valid.
    assert Victim.objects.get(pk=victim.pk).version == version


def test_an_older_contact_changes_nothing_and_records_no_change(org_a):
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker)
    now = timezone.now()
    make_note(victim=victim, author=org_a.caseworker, kind=CaseNote.Kind.CONTACT_PERSON, occurred_at=now)
    make_note(victim=victim, author=org_a.caseworker, kind=CaseNote.Kind.CONTACT_PERSON, occurred_at=now - timedelta(1))
    assert entries_for(victim, UPDATE).count() == 1


def test_reassigning_a_case_records_the_open_request_that_follows_it(org_a):
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker, assigned_to=org_a.caseworker)
    rescue = make_request(victim=victim, opened_by=org_a.caseworker)
    with set_actor(org_a.supervisor, remote_addr="192.0.2.41"):
        services.victim_assign(victim=victim, assignee=org_a.caseworker2, assigned_by=org_a.supervisor)
    entry = entries_for(rescue, UPDATE).get()
    assert entry.actor == org_a.supervisor and entry.remote_addr == "192.0.2.41"
    assert entry.changes == {"assigned_to": [org_a.caseworker.pk, org_a.caseworker2.pk]}
    rescue.refresh_from_db()
    assert rescue.assigned_to == org_a.caseworker2


def test_a_closed_request_does_not_follow_the_case_and_records_nothing(org_a):
    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker, assigned_to=org_a.caseworker)
    rescue = make_request(victim=victim, opened_by=org_a.caseworker)
    services.rescue_request_close(
        request=rescue, status=RescueRequest.Status.WITHDRAWN, outcome="Synthetic: home", closed_by=org_a.caseworker
    )
    updates_before = entries_for(rescue, UPDATE).count()
    services.victim_assign(victim=victim, assignee=org_a.caseworker2, assigned_by=org_a.supervisor)
    assert entries_for(rescue, UPDATE).count() == updates_before
    assert RescueRequest.objects.get(pk=rescue.pk).assigned_to == org_a.caseworker


def test_redacting_a_closed_case_records_every_row_it_blanks_without_the_values(org_a):
    victim = make_victim(
        organization=org_a.organization,
        created_by=org_a.caseworker,
        full_name="Synthetic Person Larkspur",
        reporter={
            "name": "Synthetic Reporter Larkspur",
            "relationship": "parent",
            "contact_channels": "+66 81 555 0144",
        },
    )
    note = make_note(victim=victim, author=org_a.caseworker, body="Synthetic note: behind the larkspur market")
    agency = AgencyFactory(organization=org_a.organization)
    referral = make_referral(victim=victim, agency=agency, created_by=org_a.caseworker, shared_information="Synthetic")
    services.victim_change_status(victim=victim, to_status="closed", changed_by=org_a.supervisor, reason="Home")
    with set_actor(None):
        assert retention.victim_redact_identity(victim=victim, now=timezone.now()) is True

    reporter = Reporter.objects.get(victim=victim)
    reporter_change = entries_for(reporter, UPDATE).get().changes
    assert reporter_change["name"] == [MASK, MASK] and reporter_change["contact_channels"] == [MASK, ""]
    assert entries_for(note, UPDATE).get().changes == {"body": [MASK, MASK]}
    assert "shared_information" in entries_for(referral, UPDATE).get().changes
    trail = everything_stored_in_the_trail()
    assert "Larkspur" not in trail and "larkspur" not in trail and "555 0144" not in trail


# --- Pages that show people by name -------------------------------------------------------------------------------


@pytest.fixture
def people(org_a, org_b):
    """Three synthetic people: one of the caseworker's (open request, referral sent), one nobody's, one elsewhere."""
    mine = make_victim(
        organization=org_a.organization,
        created_by=org_a.caseworker,
        full_name="Synthetic Alder Quince",
        passport_number="Q7712345",
        assigned_to=org_a.caseworker,
    )
    make_request(victim=mine, opened_by=org_a.caseworker)
    referral = make_referral(victim=mine, agency=AgencyFactory(organization=org_a.organization), created_by=None)
    services.referral_send(referral=referral, sent_by=org_a.caseworker, now=timezone.now() - timedelta(days=5))
    nobodys = make_victim(
        organization=org_a.organization,
        created_by=org_a.caseworker,
        full_name="Synthetic Birch Rowan",
        assigned_to=None,
    )
    make_request(victim=nobodys, opened_by=org_a.caseworker)
    elsewhere = make_victim(
        organization=org_b.organization, created_by=org_b.caseworker, full_name="Synthetic Cedar Sloe"
    )
    make_request(victim=elsewhere, opened_by=org_b.caseworker)
    return [mine, nobodys, elsewhere]


LIST_PAGES = [
    ("cases:victim_list", "caseworker", "victim_list"),
    ("cases:request_list", "caseworker", "request_list"),
    ("cases:referral_list", "caseworker", "referral_list"),
    ("tracker:my_work", "caseworker", "my_work"),
    ("tracker:team", "supervisor", "team"),
]


@pytest.mark.parametrize(("url_name", "role", "view"), LIST_PAGES)
def test_a_list_page_records_a_read_of_exactly_the_people_it_names(client_for, org_a, people, url_name, role, view):
    user = getattr(org_a, role)
    client = client_for(user, org_a.organization)
    response = client.get(reverse(url_name), REMOTE_ADDR="203.0.113.50")
    assert response.status_code == 200
    page = response.content.decode()
    named = {person.pk for person in people if person.full_name in page}
    assert named, "the page names nobody: the fixture no longer fits the page"
    assert reads_recorded(view=view, actor=user) == named
    entry = AuditEntry.objects.filter(action=ACCESS, actor=user, additional_data__view=view).get()  # one per view
    assert (entry.remote_addr, entry.organization) == ("203.0.113.50", org_a.organization)
    shown = {person.case_number for person in people if person.pk in named}
    assert set(entry.additional_data["shown"]) == shown  # the trail names the cases by number, never by name
    assert not any(person.full_name in str(entry.additional_data) for person in people)


def test_a_list_page_of_many_people_is_one_entry_listing_each_of_them(client_for, org_a):
    victims = [
        make_victim(organization=org_a.organization, created_by=org_a.caseworker, full_name=f"Synthetic Many {n}")
        for n in range(12)
    ]
    client = client_for(org_a.caseworker, org_a.organization)
    assert client.get(reverse("cases:victim_list")).status_code == 200
    entry = AuditEntry.objects.get(action=ACCESS, actor=org_a.caseworker)
    assert sorted(read_ids(entry)) == sorted(victim.pk for victim in victims)
    assert entry.object_repr == "12 × case" and entry.organization == org_a.organization


def test_the_possible_duplicates_shown_at_intake_are_recorded_reads(client_for, org_a, people):
    client = client_for(org_a.caseworker, org_a.organization)
    response = client.post(
        reverse("cases:intake"),
        {**INTAKE_POST, "full_name": "Synthetic Alder Quince", "passport_number": "Q 771 2345"},
    )
    assert response.status_code == 200 and 'data-testid="duplicates"' in response.content.decode()
    assert reads_recorded(view="intake_duplicates", actor=org_a.caseworker) == {people[0].pk}


def test_a_list_page_without_anyone_on_it_writes_nothing(client_for, org_b):
    client = client_for(org_b.caseworker, org_b.organization)
    assert client.get(reverse("cases:victim_list")).status_code == 200
    assert not AuditEntry.objects.filter(action=ACCESS).exists()


# --- The admin --------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, org_a):
    org_a.org_admin.is_staff = True
    org_a.org_admin.save()
    sign_in_verified(client, org_a.org_admin)
    return client


def test_the_admin_case_list_records_a_read_of_each_case_shown(admin_client, org_a, people):
    response = admin_client.get(reverse("admin:cases_victim_changelist"), REMOTE_ADDR="203.0.113.51")
    assert response.status_code == 200
    assert reads_recorded(view="admin_list", actor=org_a.org_admin) == {people[0].pk, people[1].pk}


def test_the_admin_case_page_records_a_read_with_the_notes_shown(admin_client, org_a, people):
    note = make_note(victim=people[0], author=org_a.caseworker, body="Synthetic admin-visible note")
    response = admin_client.get(reverse("admin:cases_victim_change", args=[people[0].pk]), REMOTE_ADDR="203.0.113.52")
    assert response.status_code == 200
    entry = entries_for(people[0], ACCESS).get()
    assert entry.actor == org_a.org_admin and entry.remote_addr == "203.0.113.52"
    assert entry.additional_data["view"] == "admin_change" and entry.additional_data["note_ids"] == [note.pk]


def test_admin_lists_and_pages_of_reporters_and_notes_record_each_row_shown(admin_client, org_a, people):
    reporter = Reporter.objects.create(
        organization=org_a.organization, victim=people[0], name="Synthetic Reporter Wren", relationship="sibling"
    )
    assert admin_client.get(reverse("admin:cases_reporter_changelist")).status_code == 200
    listed = AuditEntry.objects.get(action=ACCESS, additional_data__view="admin_list")
    assert read_ids(listed) == [reporter.pk]
    note = make_note(victim=people[1], author=org_a.caseworker, body="Synthetic note for the admin")
    assert admin_client.get(reverse("admin:cases_casenote_change", args=[note.pk])).status_code == 200
    entry = entries_for(note, ACCESS).get()
    assert entry.additional_data["view"] == "admin_change" and read_ids(entry) == [note.pk]


def test_saving_in_the_admin_is_recorded_as_a_change_not_as_a_read(admin_client, org_a, people):
    reporter = Reporter.objects.create(
        organization=org_a.organization, victim=people[0], name="Synthetic Reporter Finch", relationship="sibling"
    )
    url = reverse("admin:cases_reporter_change", args=[reporter.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(name="Synthetic Reporter Finch-Lane", safe_to_contact="unknown", _save="Save")
    response = admin_client.post(url, data)
    assert response.status_code == 302, re.sub(r"\s+", " ", response.content.decode())[:500]
    assert entries_for(reporter, ACCESS).count() == 1  # the GET only
    assert entries_for(reporter, UPDATE).get().actor == org_a.org_admin


# --- Refused access ----------------------------------------------------------------------------------------------


def test_guessing_another_organisations_case_leaves_a_security_log_line_without_personal_data(
    client_for, org_a, org_b, people, caplog
):
    other = people[2]  # org_b's
    client = client_for(org_a.caseworker, org_a.organization)
    with caplog.at_level(logging.WARNING, logger="homeward.security"):
        for url in (
            reverse("cases:victim_detail", args=[other.pk]),
            reverse("cases:victim_edit", args=[other.pk]),
            f"/cases/{other.full_name.replace(' ', '-')}/",  # a name typed into the address bar
        ):
            assert client.get(url + "?q=Synthetic+Cedar+Sloe", REMOTE_ADDR="203.0.113.60").status_code == 404
    lines = [record.getMessage() for record in caplog.records if record.name == "homeward.security"]
    assert len(lines) == 3
    assert f"status=404 user={org_a.caseworker.pk} organization={org_a.organization.pk}" in lines[0]
    assert f"page=cases:victim_detail ids=pk={other.pk} ip=203.0.113.60" in lines[0]
    assert "page=cases:victim_edit" in lines[1] and "page=(no such page) ids=-" in lines[2]
    assert not any("Cedar" in line or "Sloe" in line for line in lines)


def test_a_refused_page_for_a_role_is_logged_and_an_allowed_one_is_not(client_for, org_a, people, caplog):
    client = client_for(org_a.caseworker, org_a.organization)
    with caplog.at_level(logging.WARNING, logger="homeward.security"):
        assert client.get(reverse("cases:victim_list")).status_code == 200
        assert client.get(reverse("tracker:team")).status_code == 403  # supervisors only
    lines = [record.getMessage() for record in caplog.records if record.name == "homeward.security"]
    assert len(lines) == 1 and "status=403" in lines[0] and "page=tracker:team" in lines[0]


def test_a_bulk_update_of_a_field_with_a_blind_index_is_refused(org_a):
    from django.db import transaction

    from audit.trail import audited_update

    victim = make_victim(organization=org_a.organization, created_by=org_a.caseworker, passport_number="Q1112223")
    with pytest.raises(ValueError, match="blind index"), transaction.atomic():
        audited_update(Victim.objects.filter(pk=victim.pk), passport_number="Q9998887")
    assert Victim.objects.get(pk=victim.pk).passport_number == "Q1112223"
