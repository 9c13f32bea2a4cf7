"""Key rotation: every ciphertext changes, every row stays readable, an interrupted rotation completes."""

import pytest
from django.core.management import CommandError
from django.db import connection
from django.test import override_settings

from cases import services
from cases.models import AgencyReferral, CaseNote, Reporter, Victim
from core import crypto, secret_columns
from tests.factories import make_victim
from tests.security.encryption.support import (
    CHANNELS,
    NEW_KEY,
    NOTE,
    OLD_KEY,
    PASSPORT,
    SHARED,
    make_case_file,
    raw_secret_values,
    rotate,
)

pytestmark = pytest.mark.django_db


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
