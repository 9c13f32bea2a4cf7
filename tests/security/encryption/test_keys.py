"""A wrong or altered key fails loudly and reveals nothing; bad key settings are refused with a readable message."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings

from cases.models import CaseNote, Victim
from core import crypto
from tests.factories import make_victim
from tests.security.encryption.support import (
    NEW_KEY,
    OLD_KEY,
    OTHER_KEY,
    PASSPORT,
    PHONE,
    PLAINTEXTS,
    ROOT,
    make_case_file,
    raw_secret_values,
)

pytestmark = pytest.mark.django_db


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
