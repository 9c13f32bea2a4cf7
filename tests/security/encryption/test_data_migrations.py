"""The data migrations that encrypt rows written before encryption: once, idempotent, indexed."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import override_settings

from cases.models import AgencyReferral, CaseNote, Reporter, Victim
from core import crypto
from tests.factories import make_victim
from tests.security.encryption.support import (
    BORN,
    DECLINE,
    HANDLE,
    NAME,
    NOTE,
    OTHER_KEY,
    OVERRIDE,
    PASSPORT,
    PHONE,
    PLAINTEXTS,
    REPORTER,
    RESPONSE,
    SAFE_TIMES,
    make_case_file,
    raw_secret_values,
    same,
)

pytestmark = pytest.mark.django_db


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
