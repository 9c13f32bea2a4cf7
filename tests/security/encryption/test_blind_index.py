"""Exact duplicates of passports and phone numbers are still found through the blind index, and only within the
organisation."""

import pytest
from django.db import connection
from django.test import override_settings

from cases import services
from cases.models import Victim
from tests.factories import make_victim
from tests.security.encryption.support import (
    OTHER_KEY,
    PASSPORT,
    PHONE,
    rotate,
    same,
)

pytestmark = pytest.mark.django_db


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
