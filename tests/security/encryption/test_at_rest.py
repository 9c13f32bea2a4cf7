"""Encryption at rest: the database never holds a secret in plaintext, in any column or any script."""

import pytest
from django.core.exceptions import FieldError

from cases import services
from cases.models import AgencyReferral, CaseNote, Reporter, Victim
from core import crypto
from core.fields import secret_field_names
from tests.factories import make_victim
from tests.security.encryption.support import (
    ALIAS,
    BORN,
    CHANNELS,
    DECLINE,
    HANDLE,
    LOCATION,
    NAME,
    NOTE,
    OVERRIDE,
    PASSPORT,
    PHONE,
    PLAINTEXTS,
    REPORTER,
    RESPONSE,
    SAFE_TIMES,
    SHARED,
    make_case_file,
    raw_secret_values,
    readable_text,
    whole_database_text,
)

pytestmark = pytest.mark.django_db


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
