"""Encryption at rest: the database never holds a secret in plaintext, a wrong key fails loudly, keys rotate,
and exact duplicates of passports and phone numbers are still found through the blind index."""

import importlib
import io
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from cases import services
from cases.identifiers import victims_with_same_identifiers
from cases.models import AgencyReferral, CaseNote, Reporter, Victim
from core import crypto, secret_columns
from core.fields import secret_field_names
from tests.factories import AgencyFactory, make_note, make_referral, make_victim

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
OLD_KEY = crypto.generate_key()
NEW_KEY = crypto.generate_key()
OTHER_KEY = crypto.generate_key()

PASSPORT = "SYNPP1234567"
PHONE = "+66 81 234 5678"
HANDLE = "Telegram: @synthetic_handle_42"
NOTE = "Synthetic note: met the family at the bus station"
ALIAS = "Synthetic Tiger"
LOCATION = "Synthetic block C, third floor"
CHANNELS = "LINE: synthetic_aunt_7"
SHARED = "Synthetic summary shared with the agency"
NAME = "Synthetic Khanh Person"
BORN = date(1994, 7, 19)
REPORTER = "Synthetic Aunt Lanh"
SAFE_TIMES = "Synthetic evenings after nine"
OVERRIDE = "Synthetic override: the person is in danger tonight"
DECLINE = "Synthetic decline: outside our district"
RESPONSE = "Synthetic response: officer visited the block"
PLAINTEXTS = [PASSPORT, "812345678", "2345678", HANDLE, "synthetic_handle", NOTE, ALIAS, LOCATION, CHANNELS, SHARED]
PLAINTEXTS += [NAME, "Khanh", BORN.isoformat(), REPORTER, SAFE_TIMES, OVERRIDE, DECLINE, RESPONSE]


def make_case_file(org, **victim_fields):
    """A victim with every kind of secret filled in: identity, reporter, note and referral."""
    fields = dict(
        full_name=NAME,
        date_of_birth=BORN,
        names_in_compound=ALIAS,
        passport_number=PASSPORT,
        phone_numbers=PHONE,
        messaging_handles=HANDLE,
        last_known_location=LOCATION,
        reporter={
            "name": REPORTER,
            "relationship": "relative",
            "contact_channels": CHANNELS,
            "language": "th",
            "safe_contact_times": SAFE_TIMES,
        },
    )
    victim = make_victim(organization=org.organization, created_by=org.caseworker, **{**fields, **victim_fields})
    make_note(victim=victim, author=org.caseworker, body=NOTE)
    referral = make_referral(
        victim=victim,
        agency=AgencyFactory(),
        created_by=org.caseworker,
        shared_information=SHARED,
        shares_identity=True,
        consent_basis=AgencyReferral.ConsentBasis.VITAL_INTEREST,
        override_reason=OVERRIDE,
    )
    AgencyReferral.objects.filter(pk=referral.pk).update(decline_reason=DECLINE, response_note=RESPONSE)
    return victim


def raw_secret_values() -> dict[tuple[str, int, str], str]:
    """Every non-empty secret column value exactly as the database stores it, read past the ORM."""
    values = {}
    with connection.cursor() as cursor:
        for table in secret_columns.secret_tables():
            quote = connection.ops.quote_name
            columns = ", ".join(quote(c) for c in (table.pk_column, *table.columns))
            cursor.execute(f"SELECT {columns} FROM {quote(table.table)}")
            for pk, *row in cursor.fetchall():
                values.update({(table.label, pk, col): v for col, v in zip(table.columns, row, strict=True) if v})
    return values


def whole_database_text() -> str:
    """All rows of all tables as text: an SQL dump on SQLite, every row cast to text on PostgreSQL."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    with connection.cursor() as cursor:
        chunks = []
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT t::text FROM {connection.ops.quote_name(table)} AS t")
            chunks += [row[0] for row in cursor.fetchall()]
    return "\n".join(chunks)


# Ciphertexts, digests and session blobs are long runs of base64 or hex. A short fragment such as "Hoa" turns up
# inside one of them by chance (about one dump in three), so fragments are looked for in the dump without them.
OPAQUE_TOKEN = re.compile(r"[A-Za-z0-9+/_=:.-]{20,}")


def readable_text(dump: str) -> str:
    """The dump with every long opaque token (ciphertext, digest, signed blob) blanked out."""
    return OPAQUE_TOKEN.sub(" ", dump)


# --- At rest ----------------------------------------------------------------------------------------------------


def test_the_secret_columns_hold_no_plaintext_passport_phone_handle_or_note(org_a):
    make_case_file(org_a)
    stored = raw_secret_values()
    # seven victim secrets (name, date of birth, aliases, passport, phones, handles, location), four of the
    # reporter (name, channels, language, safe times), the note, four of the referral (summary and three notes)
    assert len(stored) == 16
    for value in stored.values():
        assert value.startswith(crypto.ENCRYPTED_PREFIX)
        assert not any(secret in value for secret in PLAINTEXTS)


def test_a_dump_of_the_whole_database_contains_none_of_the_secrets(org_a):
    victim = make_case_file(org_a)
    dump = whole_database_text()
    assert victim.case_number in dump  # the dump does hold the rows
    readable = readable_text(dump)
    for secret in PLAINTEXTS:
        assert secret not in dump if len(secret) >= 12 else secret not in readable, secret


def test_secrets_read_back_as_the_plaintext_that_was_saved(org_a):
    victim = make_case_file(org_a)
    victim = Victim.objects.get(pk=victim.pk)
    assert (victim.passport_number, victim.phone_numbers, victim.messaging_handles) == (PASSPORT, PHONE, HANDLE)
    assert (victim.names_in_compound, victim.last_known_location) == (ALIAS, LOCATION)
    assert Reporter.objects.get(victim=victim).contact_channels == CHANNELS
    assert list(CaseNote.objects.filter(victim=victim).values_list("body", flat=True)) == [NOTE]
    assert AgencyReferral.objects.get(victim=victim).shared_information == SHARED
    assert (victim.full_name, victim.date_of_birth, victim.birth_year) == (NAME, BORN, BORN.year)
    reporter = Reporter.objects.get(victim=victim)
    assert (reporter.name, reporter.language, reporter.safe_contact_times) == (REPORTER, "th", SAFE_TIMES)
    assert reporter.get_language_display() == "Thai"
    referral = AgencyReferral.objects.get(victim=victim)
    assert (referral.override_reason, referral.decline_reason, referral.response_note) == (OVERRIDE, DECLINE, RESPONSE)
    assert Victim._meta.get_field("passport_number").value_to_string(victim) == PASSPORT


def test_the_same_secret_saved_twice_gives_unrelated_ciphertexts(org_a):
    first = make_victim(organization=org_a.organization, passport_number=PASSPORT)
    second = make_victim(organization=org_a.organization, passport_number=PASSPORT)
    stored = raw_secret_values()
    assert stored["cases.Victim", first.pk, "passport_number"] != stored["cases.Victim", second.pk, "passport_number"]


def test_an_empty_secret_stays_empty_and_can_be_filtered_on(org_a):
    with_passport = make_victim(organization=org_a.organization, passport_number=PASSPORT)
    without = make_victim(organization=org_a.organization)
    assert ("cases.Victim", without.pk, "passport_number") not in raw_secret_values()
    assert list(Victim.objects.filter(passport_number="")) == [without]
    assert list(Victim.objects.exclude(passport_number="")) == [with_passport]
    assert Victim.objects.filter(passport_number__isnull=True).count() == 0


def test_an_edit_through_the_service_is_stored_encrypted_too(org_a):
    victim = make_victim(organization=org_a.organization)
    services.victim_update(
        victim=victim, editor=org_a.caseworker, expected_version=victim.version, messaging_handles=HANDLE
    )
    Victim.objects.filter(pk=victim.pk).update(last_known_location=LOCATION)  # bulk updates encrypt as well
    stored = raw_secret_values()
    assert stored[("cases.Victim", victim.pk, "messaging_handles")].startswith(crypto.ENCRYPTED_PREFIX)
    assert LOCATION not in stored[("cases.Victim", victim.pk, "last_known_location")]
    victim.refresh_from_db()
    assert (victim.messaging_handles, victim.last_known_location) == (HANDLE, LOCATION)


@pytest.mark.parametrize(
    "lookup",
    [
        {"passport_number": PASSPORT},
        {"passport_number__iexact": PASSPORT},
        {"names_in_compound__icontains": "tiger"},
        {"phone_numbers__startswith": "+66"},
        {"messaging_handles__in": [HANDLE]},
        {"body__lower": "x"},
    ],
    ids=lambda lookup: next(iter(lookup)),
)
def test_searching_inside_a_secret_is_refused_with_a_clear_error_instead_of_silently_matching_nothing(lookup):
    model = CaseNote if "body__lower" in lookup else Victim
    with pytest.raises(FieldError, match="is encrypted in the database and cannot be searched"):
        list(model.objects.filter(**lookup))


def test_every_secret_field_of_the_case_file_is_encrypted():
    assert secret_field_names(Victim) == [
        "full_name",
        "names_in_compound",
        "date_of_birth",
        "passport_number",
        "phone_numbers",
        "messaging_handles",
        "last_known_location",
    ]
    assert [secret_field_names(m) for m in (Reporter, CaseNote, AgencyReferral)] == [
        ["name", "contact_channels", "language", "safe_contact_times"],
        ["body"],
        ["shared_information", "override_reason", "decline_reason", "response_note"],
    ]


# --- Wrong key ------------------------------------------------------------------------------------------------


def test_loading_a_record_with_the_wrong_key_raises_a_loud_error_that_reveals_nothing(org_a):
    victim = make_case_file(org_a)
    with override_settings(FIELD_ENCRYPTION_KEYS=[OTHER_KEY]):
        with pytest.raises(crypto.DecryptionError) as error:
            Victim.objects.get(pk=victim.pk)
        message = str(error.value)
        assert "cases.Victim." in message and "is the right key configured?" in message
        assert not any(secret in message for secret in PLAINTEXTS) and crypto.ENCRYPTED_PREFIX not in message
        with pytest.raises(crypto.DecryptionError):
            CaseNote.objects.get(victim=victim)
        # Fields that are not secret can still be read (lists of case numbers keep working while keys are fixed).
        assert Victim.objects.filter(pk=victim.pk).values_list("case_number", flat=True).get() == victim.case_number


def test_a_secret_altered_in_the_database_fails_loudly_rather_than_reading_garbage(org_a):
    victim = make_victim(organization=org_a.organization, passport_number=PASSPORT)
    stored = raw_secret_values()[("cases.Victim", victim.pk, "passport_number")]
    tampered = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_victim SET passport_number = %s WHERE id = %s", [tampered, victim.pk])
    with pytest.raises(crypto.DecryptionError, match="Victim.passport_number"):
        Victim.objects.get(pk=victim.pk)


def test_a_plaintext_value_written_behind_the_apps_back_is_refused_not_shown(org_a):
    victim = make_victim(organization=org_a.organization)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_victim SET phone_numbers = %s WHERE id = %s", [PHONE, victim.pk])
    with pytest.raises(crypto.DecryptionError, match="not encrypted; run `manage.py migrate`"):
        Victim.objects.get(pk=victim.pk)


def test_a_database_opened_with_the_wrong_key_makes_the_commands_exit_with_one_readable_line(tmp_path):
    """End to end, as an operator restoring a dump: a real database file, real processes, another key."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    environment.update(
        HOMEWARD_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings.dev", FIELD_ENCRYPTION_KEYS=OLD_KEY
    )

    def manage(*args, **env):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**environment, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert manage("migrate", "-v0").returncode == 0
    create = (
        "from accounts.models import Organization; from cases import services; "
        "org = Organization.objects.create(name='Synthetic NGO', slug='syn', case_number_prefix='SYN'); "
        "services.victim_create(organization=org, created_by=None, full_name='Synthetic', "
        f"passport_number={PASSPORT!r})"
    )
    assert manage("shell", "-c", create).returncode == 0
    assert PASSPORT.encode() not in (tmp_path / "homeward.sqlite3").read_bytes()

    rotated = manage("rotate_encryption_keys", FIELD_ENCRYPTION_KEYS=OTHER_KEY)
    assert rotated.returncode == 1
    assert rotated.stderr.strip().splitlines() == [
        "CommandError: cases.Victim.full_name (row 1) cannot be decrypted with FIELD_ENCRYPTION_KEYS; "
        "is the right key configured? (If it is, the stored value was altered.)"
    ]
    read = manage("shell", "-v0", "-c", "from cases.models import Victim; print(Victim.objects.get().passport_number)")
    assert read.returncode == 0 and read.stdout.strip() == PASSPORT
    read = manage(
        "shell",
        "-v0",
        "-c",
        "from cases.models import Victim; print(Victim.objects.get().passport_number)",
        FIELD_ENCRYPTION_KEYS=OTHER_KEY,
    )
    assert read.returncode != 0 and "DecryptionError" in read.stderr and PASSPORT not in read.stdout + read.stderr


# --- Rotation -------------------------------------------------------------------------------------------------


def rotate(**options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("rotate_encryption_keys", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_rotation_changes_every_ciphertext_and_keeps_every_row_readable_even_after_the_old_key_is_gone(org_a, org_b):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        victims = [make_case_file(org_a), make_case_file(org_b, passport_number="SYNPP7654321", phone_numbers="")]
        before = raw_secret_values()
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        out, err = rotate(batch_size=3)
        after = raw_secret_values()
    assert after.keys() == before.keys() and len(after) == 31
    assert all(after[key] != before[key] for key in before)
    assert "cases.Victim: 2 rows, 2 re-encrypted" in out and "cases.CaseNote: 2 rows, 2 re-encrypted" in out
    assert "100%" in err
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        loaded = Victim.objects.order_by("pk")
        assert [v.passport_number for v in loaded] == [PASSPORT, "SYNPP7654321"]
        assert set(CaseNote.objects.values_list("body", flat=True)) == {NOTE}
        assert set(Reporter.objects.values_list("contact_channels", flat=True)) == {CHANNELS}
        assert set(AgencyReferral.objects.values_list("shared_information", flat=True)) == {SHARED}
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]), pytest.raises(crypto.DecryptionError):
        Victim.objects.get(pk=victims[0].pk)


def test_a_second_rotation_skips_rows_already_under_the_first_key(org_a):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        make_case_file(org_a)
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        rotate()
        once = raw_secret_values()
        out, _err = rotate()
        assert raw_secret_values() == once
    assert "cases.Victim: 1 rows, 0 re-encrypted" in out


def test_an_interrupted_rotation_completes_when_run_again(org_a, monkeypatch):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        victims = [make_victim(organization=org_a.organization, passport_number=f"SYN{i:06d}") for i in range(5)]
        before = raw_secret_values()
    real_write_batch = secret_columns._write_batch
    calls = []

    def crash_after_the_first_batch(*args, **kwargs):
        if calls:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or the process being killed
        calls.append(1)
        return real_write_batch(*args, **kwargs)

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        monkeypatch.setattr(secret_columns, "_write_batch", crash_after_the_first_batch)
        with pytest.raises(KeyboardInterrupt):
            rotate(batch_size=2)
        halfway = raw_secret_values()
        changed = sorted({pk for (label, pk, col), value in halfway.items() if value != before[label, pk, col]})
        assert changed == [victims[0].pk, victims[1].pk]  # the first batch was committed, the rest not yet

        monkeypatch.setattr(secret_columns, "_write_batch", real_write_batch)
        out, _err = rotate(batch_size=2)
        assert "cases.Victim: 5 rows, 3 re-encrypted" in out
        done = raw_secret_values()
    assert all(done[key] != before[key] for key in before)
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert [v.passport_number for v in Victim.objects.order_by("pk")] == [f"SYN{i:06d}" for i in range(5)]


def test_rotation_never_overwrites_a_value_saved_while_it_runs(org_a):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        victim = make_victim(organization=org_a.organization, passport_number=PASSPORT)
        table = secret_columns.SecretTable.for_model(Victim)
        rows = next(secret_columns._batches(connection, table, batch_size=10))  # read by the rotation
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        victim = Victim.objects.get(pk=victim.pk)
        services.victim_update(
            victim=victim, editor=org_a.caseworker, expected_version=victim.version, passport_number="SYNNEW0001"
        )
        progress = secret_columns.Progress()
        secret_columns._write_batch(connection, table, rows, secret_columns._rotate_unless_current, progress)
        assert (progress.rows_written, progress.rows_changed_meanwhile) == (0, 1)
        assert Victim.objects.get(pk=victim.pk).passport_number == "SYNNEW0001"


def test_malformed_keys_or_batch_sizes_stop_the_command_with_a_readable_error(org_a):
    with override_settings(FIELD_ENCRYPTION_KEYS=["not-a-key"]), pytest.raises(CommandError, match="not valid"):
        rotate()
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        rotate(batch_size=0)


# --- Blind index ----------------------------------------------------------------------------------------------


def same(org, **typed) -> list[Victim]:
    return list(victims_with_same_identifiers(organization=org.organization, **typed).order_by("pk"))


def test_the_same_passport_is_found_whatever_its_spacing_and_case(org_a):
    victim = make_victim(organization=org_a.organization, passport_number="C 1234-5678")
    make_victim(organization=org_a.organization, passport_number="C12345679")
    assert same(org_a, passport_number="c12345678") == [victim]
    assert same(org_a, passport_number=" c.1234 5678 ") == [victim]
    assert same(org_a, passport_number="C1234567") == []


def test_the_same_phone_is_found_whatever_its_formatting_and_with_or_without_the_country_code(org_a):
    victim = make_victim(organization=org_a.organization, phone_numbers="@synthetic\n+66 (81) 234-5678")
    local = make_victim(organization=org_a.organization, phone_numbers="089 999 9999")
    assert same(org_a, phone_numbers="0812345678") == [victim]
    assert same(org_a, phone_numbers="66812345678") == [victim]
    assert same(org_a, phone_numbers="00 66 81 234 5678, 1234") == [victim]
    assert same(org_a, phone_numbers="+66 89 999 9999") == [local]
    assert same(org_a, phone_numbers="๐๘๙ ๙๙๙ ๙๙๙๙") == [local]  # Thai digits are digits
    # Same last eight digits, another line: not the same number.
    assert same(org_a, phone_numbers="0912345678") == []
    assert same(org_a, phone_numbers="5678") == []


def test_a_passport_or_phone_of_another_organisation_is_never_found(org_a, org_b):
    theirs = make_victim(organization=org_b.organization, passport_number=PASSPORT, phone_numbers=PHONE)
    mine = make_victim(organization=org_a.organization, passport_number=PASSPORT, phone_numbers=PHONE)
    assert same(org_a, passport_number=PASSPORT) == [mine]
    assert same(org_a, phone_numbers=PHONE) == [mine]
    assert same(org_a, passport_number=PASSPORT, exclude_pk=mine.pk) == []
    # Not even the digests link the two organisations' cases.
    assert theirs.passport_index != mine.passport_index
    assert not set(theirs.phone_index.split()) & set(mine.phone_index.split())


def test_the_index_follows_edits_partial_saves_and_bulk_inserts(org_a):
    victim = make_victim(organization=org_a.organization, passport_number="SYNOLD0001")
    services.victim_update(
        victim=victim, editor=org_a.caseworker, expected_version=victim.version, passport_number="SYNNEW0001"
    )
    assert same(org_a, passport_number="SYNOLD0001") == [] and same(org_a, passport_number="synnew0001") == [victim]

    victim.phone_numbers = PHONE
    victim.save(update_fields=["phone_numbers"])
    assert same(org_a, phone_numbers="0812345678") == [victim]

    victim.passport_number = ""
    victim.save(update_fields=["passport_number"])
    assert same(org_a, passport_number="SYNNEW0001") == []

    [bulk] = Victim.objects.bulk_create(
        [Victim(organization=org_a.organization, case_number="SYN-1", full_name="Synthetic", passport_number="B 99")]
    )
    assert same(org_a, passport_number="b99") == [bulk]


def test_the_index_holds_no_plaintext_passport_or_phone(org_a):
    make_victim(organization=org_a.organization, passport_number=PASSPORT, phone_numbers=PHONE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT passport_index, phone_index FROM cases_victim")
        [(passport_index, phone_index)] = cursor.fetchall()
    assert len(passport_index) == 32 and len(phone_index.split()) == 5  # whole number + 4 tails of 8..11 digits
    assert PASSPORT not in passport_index and not any(d in phone_index for d in ("812345678", "2345678"))


def test_reindexing_after_a_new_blind_index_key_makes_lookups_work_again(org_a):
    victim = make_victim(organization=org_a.organization, passport_number=PASSPORT, phone_numbers=PHONE)
    with override_settings(BLIND_INDEX_KEY=OTHER_KEY):
        assert same(org_a, passport_number=PASSPORT) == []
        out, _err = rotate(reindex=True)
        assert "cases.Victim index: 1 rows, 1 reindexed" in out
        assert same(org_a, passport_number=PASSPORT) == [victim] and same(org_a, phone_numbers=PHONE) == [victim]


# --- Data migration --------------------------------------------------------------------------------------------


def test_the_data_migration_encrypts_plaintext_rows_once_and_indexes_them(org_a):
    victim = make_case_file(org_a)
    note = CaseNote.objects.get(victim=victim)
    with connection.cursor() as cursor:  # rows as an older release left them: plaintext, no blind index
        cursor.execute(
            "UPDATE cases_victim SET passport_number = %s, phone_numbers = %s, messaging_handles = %s, "
            "passport_index = '', phone_index = '' WHERE id = %s",
            [PASSPORT, PHONE, HANDLE, victim.pk],
        )
        cursor.execute("UPDATE cases_casenote SET body = %s WHERE id = %s", [NOTE, note.pk])
    untouched = raw_secret_values()[("cases.Victim", victim.pk, "last_known_location")]

    migration = importlib.import_module("cases.migrations.0003_field_encryption")
    migration.encrypt_existing_rows(django_apps, SimpleNamespace(connection=connection))

    stored = raw_secret_values()
    assert all(value.startswith(crypto.ENCRYPTED_PREFIX) for value in stored.values())
    assert not any(secret in value for value in stored.values() for secret in PLAINTEXTS)
    assert stored[("cases.Victim", victim.pk, "last_known_location")] == untouched  # already encrypted: kept
    victim = Victim.objects.get(pk=victim.pk)
    assert (victim.passport_number, victim.phone_numbers, victim.messaging_handles) == (PASSPORT, PHONE, HANDLE)
    assert CaseNote.objects.get(pk=note.pk).body == NOTE
    assert same(org_a, passport_number=PASSPORT) == [victim] and same(org_a, phone_numbers="0812345678") == [victim]

    migration.encrypt_existing_rows(django_apps, SimpleNamespace(connection=connection))
    assert raw_secret_values() == stored  # idempotent


def test_the_data_migration_refuses_ciphertext_it_cannot_decrypt(org_a):
    make_victim(organization=org_a.organization, passport_number=PASSPORT)
    migration = importlib.import_module("cases.migrations.0003_field_encryption")
    with override_settings(FIELD_ENCRYPTION_KEYS=[OTHER_KEY]), pytest.raises(crypto.DecryptionError):
        migration.encrypt_existing_rows(django_apps, SimpleNamespace(connection=connection))


# --- Key settings ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "blind", "message"),
    [
        ([], NEW_KEY, "must list at least one key"),
        (["c2hvcnQ="], NEW_KEY, "of 5 bytes instead of 32"),
        (["not base64 at all!"], NEW_KEY, "not valid urlsafe base64"),
        ([OLD_KEY, OLD_KEY], NEW_KEY, "the same key twice"),
        ([OLD_KEY], OLD_KEY, "must be a separate key"),
        ([OLD_KEY], "", "BLIND_INDEX_KEY is empty"),
    ],
    ids=["no-keys", "short", "not-base64", "twice", "shared", "no-blind-index-key"],  # the keys are random per run
)
@pytest.mark.django_db(False)
def test_bad_key_settings_are_refused_with_a_message_that_never_shows_the_key(keys, blind, message):
    with pytest.raises(ImproperlyConfigured, match=message) as error:
        crypto.check_key_settings(encryption_keys=keys, blind_index_key=blind)
    assert OLD_KEY not in str(error.value) and "not base64 at all" not in str(error.value)


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({}, "FIELD_ENCRYPTION_KEYS must be set in the environment for production."),
        ({"FIELD_ENCRYPTION_KEYS": NEW_KEY}, "BLIND_INDEX_KEY must be set in the environment for production."),
        (
            {"FIELD_ENCRYPTION_KEYS": "ZGV2LW9ubHktZmllbGQta2V5LU5PVC1TRUNSRVQtMDE=", "BLIND_INDEX_KEY": OTHER_KEY},
            "FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY must not use the public dev-only keys.",
        ),
        ({"FIELD_ENCRYPTION_KEYS": f"{NEW_KEY},abc", "BLIND_INDEX_KEY": OTHER_KEY}, "not valid urlsafe base64"),
    ],
    ids=["no-keys", "no-blind-index-key", "dev-keys", "malformed"],
)
@pytest.mark.django_db(False)
def test_production_refuses_to_start_without_proper_keys(env, line):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={
            **environment,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "x.example.org",
            "DATABASE_URL": "postgres://postgres@127.0.0.1/x",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.startswith("Configuration error: ") and line in result.stderr
    assert "Traceback" not in result.stderr and NEW_KEY not in result.stderr


# --- Names, dates of birth, reporters and referral notes (issue 16) ---------------------------------------------


def test_a_dump_of_the_case_file_holds_no_name_date_of_birth_reporter_or_referral_note_in_any_script(org_a, client_for):
    names = ["Synthetic Nguyễn Thị Hoa", "李晓明", "สมพงษ์ รักดี", "မောင်မောင်ကျော်"]
    for name in names:
        make_case_file(org_a, full_name=name, passport_number="", phone_numbers="")
    client = client_for(org_a.caseworker, org_a.organization)
    client.post("/cases/search/", {"search": "李晓明"})  # a search term held in the session
    dump = whole_database_text()
    assert victim_count_in(dump) == len(names)
    readable = readable_text(dump)
    for secret in [*names, "Hoa", "晓明", "รักดี", "ကျော်", *PLAINTEXTS]:
        assert secret not in dump if len(secret) >= 12 else secret not in readable, secret
    assert "1994" in dump  # the year of birth stays in the clear, for matching


def victim_count_in(dump: str) -> int:
    return len({case_number for (case_number,) in Victim.objects.values_list("case_number") if case_number in dump})


def test_the_names_and_dates_migration_encrypts_old_rows_once_fills_the_year_and_indexes_the_names(org_a):
    from cases import name_index
    from cases.models import NameKey

    victim = make_case_file(org_a)
    reporter, referral = Reporter.objects.get(victim=victim), AgencyReferral.objects.get(victim=victim)
    with connection.cursor() as cursor:  # rows as the release before left them
        cursor.execute(
            "UPDATE cases_victim SET full_name = %s, date_of_birth = %s, birth_year = NULL WHERE id = %s",
            [NAME, BORN.isoformat(), victim.pk],
        )
        cursor.execute(
            "UPDATE cases_reporter SET name = %s, language = %s, safe_contact_times = %s WHERE id = %s",
            [REPORTER, "th", SAFE_TIMES, reporter.pk],
        )
        cursor.execute(
            "UPDATE cases_agencyreferral SET override_reason = %s, decline_reason = %s, response_note = %s "
            "WHERE id = %s",
            [OVERRIDE, DECLINE, RESPONSE, referral.pk],
        )
    NameKey.objects.all().delete()
    untouched = raw_secret_values()[("cases.Victim", victim.pk, "passport_number")]

    migration = importlib.import_module("cases.migrations.0009_encrypt_names_and_dates")
    migration.encrypt_existing_rows(django_apps, SimpleNamespace(connection=connection))
    migration.rebuild_name_index(django_apps, SimpleNamespace(connection=connection))

    stored = raw_secret_values()
    assert all(value.startswith(crypto.ENCRYPTED_PREFIX) for value in stored.values())
    assert not any(secret in value for value in stored.values() for secret in PLAINTEXTS)
    assert stored[("cases.Victim", victim.pk, "passport_number")] == untouched
    victim = Victim.objects.get(pk=victim.pk)
    assert (victim.full_name, victim.date_of_birth, victim.birth_year) == (NAME, BORN, 1994)
    reporter = Reporter.objects.get(pk=reporter.pk)
    assert (reporter.name, reporter.language, reporter.safe_contact_times) == (REPORTER, "th", SAFE_TIMES)
    assert AgencyReferral.objects.get(pk=referral.pk).response_note == RESPONSE
    assert list(name_index.search(org_a.organization.pk, "Khanh")) == [victim.pk]

    migration.encrypt_existing_rows(django_apps, SimpleNamespace(connection=connection))
    assert raw_secret_values() == stored  # idempotent: a second run (after a crash) changes nothing done
