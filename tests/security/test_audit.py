"""The audit trail (cases/audit.py, cases/models/audit.py, accounts/views_audit.py): changes and reads recorded
with who, when, which record and from where; secrets never stored; append-only; org admins see their own only."""

import json
from datetime import UTC, datetime

import pytest
import time_machine
from auditlog.context import set_actor
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from audit.models import AppendOnlyError, AuditEntry, DataAccessLog
from audit.trail import MASK, mask_secret
from cases import services
from cases.models import CaseNote, Reporter, Victim
from tests.factories import make_note, make_victim, sign_in_verified

PASSPORT = "Z9981234XQ"
PHONE = "+66 81 555 0199"
HANDLE = "Telegram: @synthetic_person_77"
NOTE_BODY = "Synthetic note: hiding at the blue guesthouse"
NAME = "Synthetic Person Quillfeather"
SECRETS = (PASSPORT, PHONE, HANDLE, NOTE_BODY, NAME, "blue guesthouse")
ACCESS, CREATE, UPDATE, DELETE = (
    AuditEntry.Action.ACCESS,
    AuditEntry.Action.CREATE,
    AuditEntry.Action.UPDATE,
    AuditEntry.Action.DELETE,
)


def everything_stored_in_the_trail() -> str:
    rows = AuditEntry.objects.values(
        "object_repr", "changes", "changes_text", "additional_data", "serialized_data", "object_pk"
    )
    return json.dumps(list(rows), default=str, ensure_ascii=False)


def entries_for(obj, action=None):
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk)
    ).order_by("pk")
    return entries.filter(action=action) if action is not None else entries


@pytest.fixture
def secret_case(org_a):
    with set_actor(org_a.caseworker, remote_addr="192.0.2.10"):
        victim = make_victim(
            organization=org_a.organization,
            created_by=org_a.caseworker,
            full_name=NAME,
            passport_number=PASSPORT,
            phone_numbers=PHONE,
            reporter={"name": "Synthetic Reporter", "relationship": "parent", "contact_channels": PHONE},
        )
        make_note(victim=victim, author=org_a.caseworker, body=NOTE_BODY)
    return victim


# --- Changes ---------------------------------------------------------------------------------------------------


def test_creating_a_case_is_recorded_with_who_where_which_organisation_and_which_fields(org_a, secret_case):
    entry = entries_for(secret_case, CREATE).get()
    assert entry.actor == org_a.caseworker
    assert entry.remote_addr == "192.0.2.10"
    assert entry.organization == org_a.organization
    assert entry.object_repr == secret_case.case_number
    assert {"case_number", "full_name", "passport_number", "phone_numbers", "assigned_to"} <= set(entry.changes)
    assert entry.changes["passport_number"] == ["", MASK]  # it was set; what it is, is not recorded
    assert entry.changes["full_name"] == ["", MASK]
    assert entry.changes["assigned_to"] == [None, org_a.caseworker.pk]
    assert entry.changes.get("messaging_handles", ["", ""]) == ["", ""]  # left empty
    assert entry.timestamp is not None


def test_secret_and_identity_values_never_reach_the_trail(org_a, secret_case):
    with set_actor(org_a.supervisor):
        services.victim_update(
            victim=secret_case,
            editor=org_a.supervisor,
            expected_version=secret_case.version,
            passport_number="Y0000001ZZ",
            messaging_handles=HANDLE,
            last_known_location="Synthetic location near the blue guesthouse",
        )
    stored = everything_stored_in_the_trail()
    for secret in (*SECRETS, "Y0000001ZZ"):
        assert secret not in stored
    # Nor a part of it (auditlog's default mask keeps the second half) or its digest.
    assert PASSPORT[5:] not in stored and "passport_index" not in stored


def test_an_update_records_who_and_only_the_changed_fields_with_secrets_masked(org_a, secret_case):
    with set_actor(org_a.supervisor, remote_addr="192.0.2.20"):
        services.victim_update(
            victim=secret_case,
            editor=org_a.supervisor,
            expected_version=secret_case.version,
            passport_number="Y0000001ZZ",
            risk_level="critical",
        )
    entry = entries_for(secret_case, UPDATE).get()
    assert entry.actor == org_a.supervisor
    assert entry.remote_addr == "192.0.2.20"
    assert set(entry.changes) == {"passport_number", "risk_level"}
    assert entry.changes["passport_number"] == [MASK, MASK]
    assert entry.changes["risk_level"] == ["high", "critical"]


def test_assignment_and_status_changes_are_recorded(org_a, secret_case):
    with set_actor(org_a.supervisor):
        services.victim_assign(victim=secret_case, assignee=org_a.caseworker2, assigned_by=org_a.supervisor)
        change = services.victim_change_status(
            victim=secret_case, to_status="closed", changed_by=org_a.supervisor, reason="Synthetic reason"
        )
    assign = entries_for(secret_case, UPDATE).first()
    assert assign.changes["assigned_to"] == [org_a.caseworker.pk, org_a.caseworker2.pk]
    assert entries_for(change, CREATE).get().actor == org_a.supervisor
    assert "Synthetic reason" not in everything_stored_in_the_trail()  # free text that may name people: masked


def test_deleting_a_reporter_is_recorded(org_a, secret_case):
    reporter = Reporter.objects.get(victim=secret_case)
    reporter_pk = reporter.pk
    with set_actor(org_a.org_admin, remote_addr="192.0.2.30"):
        reporter.delete()
    entry = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Reporter), object_pk=str(reporter_pk), action=DELETE
    )
    assert entry.actor == org_a.org_admin
    assert entry.organization == org_a.organization
    assert entry.changes["contact_channels"] == [MASK, ""]
    assert PHONE not in everything_stored_in_the_trail()


def test_a_note_added_on_the_case_page_is_recorded_with_the_user_and_address(client_for, org_a, secret_case):
    client = client_for(org_a.caseworker, org_a.organization)
    response = client.post(
        reverse("cases:victim_add_note", args=[secret_case.pk]),
        {"kind": "internal", "body": "Synthetic page note about the blue guesthouse"},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    note = CaseNote.objects.filter(victim=secret_case).order_by("-pk").first()
    entry = entries_for(note, CREATE).get()
    assert entry.actor == org_a.caseworker
    assert entry.remote_addr == "203.0.113.7"
    assert entry.changes["body"] == ["", MASK]
    assert "blue guesthouse" not in everything_stored_in_the_trail()


# --- Reads -----------------------------------------------------------------------------------------------------


def test_reading_a_case_page_is_recorded_with_the_address_and_the_notes_shown(client_for, org_a, secret_case):
    restricted = make_note(victim=secret_case, author=org_a.supervisor, body="Synthetic restricted", is_restricted=True)
    shown = CaseNote.objects.get(victim=secret_case, body__isnull=False, is_restricted=False)
    client = client_for(org_a.caseworker, org_a.organization)
    assert (
        client.get(reverse("cases:victim_detail", args=[secret_case.pk]), REMOTE_ADDR="203.0.113.9").status_code == 200
    )
    entry = entries_for(secret_case, ACCESS).get()
    assert entry.actor == org_a.caseworker
    assert entry.remote_addr == "203.0.113.9"
    assert entry.organization == org_a.organization
    assert entry.additional_data["view"] == "case_page"
    assert entry.additional_data["note_ids"] == [shown.pk]  # the restricted note was not shown, so not read
    assert restricted.pk not in entry.additional_data["note_ids"]
    assert entry.additional_data["restricted_notes_shown"] == 0

    supervisor = client_for(org_a.supervisor, org_a.organization)
    supervisor.get(reverse("cases:victim_detail", args=[secret_case.pk]))
    latest = entries_for(secret_case, ACCESS).last()
    assert latest.actor == org_a.supervisor
    assert set(latest.additional_data["note_ids"]) == {shown.pk, restricted.pk}
    assert latest.additional_data["restricted_notes_shown"] == 1


def test_opening_the_edit_form_is_a_recorded_read(client_for, org_a, secret_case):
    client = client_for(org_a.caseworker, org_a.organization)
    assert client.get(reverse("cases:victim_edit", args=[secret_case.pk])).status_code == 200
    assert entries_for(secret_case, ACCESS).get().additional_data["view"] == "edit_page"


def test_a_forged_forwarded_for_header_does_not_change_the_recorded_address(client_for, org_a, secret_case):
    client = client_for(org_a.caseworker, org_a.organization)
    client.get(
        reverse("cases:victim_detail", args=[secret_case.pk]),
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.66",
    )
    assert entries_for(secret_case, ACCESS).get().remote_addr == "203.0.113.9"


def test_another_organisations_attempt_reads_nothing_and_records_no_read(client_for, org_b, secret_case):
    client = client_for(org_b.supervisor, org_b.organization)
    assert client.get(reverse("cases:victim_detail", args=[secret_case.pk])).status_code == 404
    assert not entries_for(secret_case, ACCESS).exists()


def test_an_export_is_recorded_in_the_trail_with_who_where_and_how_many(client_for, org_a, secret_case):
    client = client_for(org_a.supervisor, org_a.organization)
    response = client.get(reverse("cases:export_victims") + "?format=csv", REMOTE_ADDR="203.0.113.44")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    log = DataAccessLog.objects.get(kind="export")
    entry = entries_for(log, ACCESS).get()
    assert entry.actor == org_a.supervisor
    assert entry.remote_addr == "203.0.113.44"
    assert entry.organization == org_a.organization
    assert entry.additional_data["dataset"] == "victims"
    assert entry.additional_data["object_count"] == 1
    assert PASSPORT not in everything_stored_in_the_trail()


# --- Append-only -----------------------------------------------------------------------------------------------


def test_audit_entries_cannot_be_changed_or_deleted_through_the_orm(org_a, secret_case):
    entry = entries_for(secret_case, CREATE).get()
    entry.object_repr = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        entry.save_base()  # even past save(): the pre_save guard
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == secret_case.case_number


@pytest.mark.parametrize("who", ["org_admin", "platform_admin"])
def test_audit_entries_cannot_be_changed_or_deleted_in_the_admin(client, org_a, platform_admin, secret_case, who):
    user = platform_admin if who == "platform_admin" else org_a.org_admin
    user.is_staff = True
    user.save()
    sign_in_verified(client, user)
    entry = entries_for(secret_case, CREATE).get()
    change_url = reverse("admin:audit_auditentry_change", args=[entry.pk])
    assert client.get(change_url).status_code == 200  # readable
    client.post(change_url, {"object_repr": "tampered", "action": 2})
    assert client.get(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
    assert client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    entry.refresh_from_db()
    assert entry.object_repr == secret_case.case_number and entry.action == CREATE


def test_the_admin_trail_shows_an_org_admin_only_their_organisations_entries(client, org_a, org_b, secret_case):
    other = make_victim(organization=org_b.organization, created_by=org_b.caseworker)
    org_a.org_admin.is_staff = True
    org_a.org_admin.save()
    sign_in_verified(client, org_a.org_admin)
    listing = client.get(reverse("admin:audit_auditentry_changelist")).content.decode()
    assert secret_case.case_number in listing
    assert other.case_number not in listing
    theirs = entries_for(other, CREATE).get()
    assert client.get(reverse("admin:audit_auditentry_change", args=[theirs.pk])).status_code in (302, 404)


# --- The audit page --------------------------------------------------------------------------------------------


def test_an_org_admin_sees_only_their_organisations_entries(client_for, org_a, org_b, secret_case):
    other = make_victim(organization=org_b.organization, created_by=org_b.caseworker)
    page = client_for(org_a.org_admin, org_a.organization).get(reverse("audit:audit"))
    text = page.content.decode()
    assert page.status_code == 200
    assert secret_case.case_number in text
    assert other.case_number not in text
    for secret in SECRETS:
        assert secret not in text
    page_b = client_for(org_b.org_admin, org_b.organization).get(reverse("audit:audit")).content.decode()
    assert other.case_number in page_b and secret_case.case_number not in page_b


def test_the_audit_page_says_who_saw_which_cases_on_a_list_page(client_for, org_a, secret_case):
    second = make_victim(organization=org_a.organization, created_by=org_a.caseworker)
    caseworker = client_for(org_a.caseworker, org_a.organization)
    assert caseworker.get(reverse("cases:victim_list"), REMOTE_ADDR="203.0.113.60").status_code == 200
    page = client_for(org_a.org_admin, org_a.organization).get(reverse("audit:audit"), {"action": ACCESS})
    [row] = [row for row in page.context["rows"] if row["entry"].actor == org_a.caseworker]
    assert row["entry"].remote_addr == "203.0.113.60"
    [line] = row["lines"]
    assert line.startswith("case list; 2 shown: ")
    assert {secret_case.case_number, second.case_number} == set(line.split(": ", 1)[1].split(", "))
    assert secret_case.full_name not in page.content.decode()


def test_an_org_admin_cannot_filter_by_another_organisations_user(client_for, org_a, org_b, secret_case):
    make_victim(organization=org_b.organization, created_by=org_b.caseworker)
    page = client_for(org_a.org_admin, org_a.organization).get(reverse("audit:audit"), {"actor": org_b.caseworker.pk})
    assert page.status_code == 200
    assert page.context["page_obj"].paginator.count == 0
    assert "Select a valid choice" in page.content.decode()


def test_the_audit_page_filters_by_who_record_type_action_and_dates(client_for, org_a, secret_case):
    with time_machine.travel(datetime(2026, 1, 5, 4, 0, tzinfo=UTC), tick=False):
        with set_actor(org_a.supervisor):
            services.victim_assign(victim=secret_case, assignee=org_a.caseworker2, assigned_by=org_a.supervisor)
    client = client_for(org_a.org_admin, org_a.organization)
    client.get(reverse("cases:victim_detail", args=[secret_case.pk]))
    url = reverse("audit:audit")

    def rows(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return [row["entry"] for row in response.context["rows"]]

    everything = rows()
    assert len(everything) == AuditEntry.objects.filter(organization=org_a.organization).count() >= 5

    by_supervisor = rows(actor=org_a.supervisor.pk)
    assert by_supervisor and all(e.actor == org_a.supervisor for e in by_supervisor)

    reads = rows(action=ACCESS)
    assert [e.object_repr for e in reads] == [secret_case.case_number]
    assert reads[0].actor == org_a.org_admin

    note_type = ContentType.objects.get_for_model(CaseNote)
    notes = rows(record_type=note_type.pk)
    assert notes and all(e.content_type == note_type for e in notes)

    in_january = rows(date_from="2026-01-01", date_to="2026-01-31")
    assert [(e.action, e.object_repr) for e in in_january] == [(UPDATE, secret_case.case_number)]
    assert rows(date_from="2026-01-06", date_to="2026-01-06") == []

    bad = client.get(url, {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert "The end date is before the start date." in bad.content.decode()
    assert bad.context["rows"] == []


@pytest.mark.parametrize("role", ["caseworker", "supervisor"])
def test_caseworkers_and_supervisors_cannot_read_the_audit_trail(client_for, org_a, secret_case, role):
    assert client_for(org_a.by_role(role), org_a.organization).get(reverse("audit:audit")).status_code == 403


def test_the_audit_page_answers_anonymous_visitors_with_the_sign_in_page(db):
    response = Client().get(reverse("audit:audit"))
    assert response.status_code == 302


# --- Masking --------------------------------------------------------------------------------------------------


def test_the_mask_reveals_neither_the_value_nor_its_length_only_whether_it_was_empty():
    assert mask_secret("") == ""
    assert mask_secret("None") == ""
    assert mask_secret("A1") == mask_secret(PASSPORT * 10) == MASK


def test_every_secret_field_of_every_audited_model_is_masked():
    from auditlog.registry import auditlog

    from audit.trail import AUDITED
    from core.fields import secret_field_names

    for model in AUDITED:
        assert set(secret_field_names(model)) <= set(auditlog.get_model_fields(model)["mask_fields"]), model
    assert {"full_name", "date_of_birth"} <= set(auditlog.get_model_fields(Victim)["mask_fields"])


# --- The database guard ---------------------------------------------------------------------------------------


def test_the_database_itself_refuses_to_rewrite_an_audit_entry(org_a, secret_case):
    entry = entries_for(secret_case, CREATE).get()
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE cases_auditentry SET object_repr = 'tampered' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == secret_case.case_number


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps DELETE to the Python guards")
def test_the_database_itself_refuses_to_delete_an_audit_entry(org_a, secret_case):
    entry = entries_for(secret_case, CREATE).get()
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_deleting_a_user_keeps_their_entries_with_their_email(org_a):
    from accounts.models import User
    from tests.factories import AgencyFactory

    leaver = User.objects.create_user(email="leaver@alpha.example.org", display_name="Leaver Alpha")
    with set_actor(leaver):
        agency = AgencyFactory(name="Synthetic Alpha Private Agency", organization=org_a.organization)
    leaver.delete()
    entry = entries_for(agency, CREATE).get()
    assert entry.actor is None
    assert entry.actor_email == "leaver@alpha.example.org"
