"""Hypothesis fuzzing of the intake, case edit and referral pages through the full views (the expensive tier).

Every example is a real POST through the Django test client: middleware, form, service, template, response.
VIEW_FUZZ_EXAMPLES per form (strategies.FUZZ_DEPTH); the strategies are in strategies.py, the cheaper tier that
calls the forms and services directly in test_forms.py. A server error fails the test with the view's traceback (the
test client re-raises it); any status but a redirect (saved) or the re-rendered page (refused) fails too. The rows
are counted in one query before and after each example: a redirect must mean one complete save, of what the form
edits only and never for another organisation; a re-rendered page, nothing at all. Each example runs in a savepoint
that is rolled back. With the default number of examples, every kind of hostile value must have been posted at least
once.
"""

from collections import Counter
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import resolve, reverse
from hypothesis import given, note
from hypothesis import strategies as st

from cases.forms import VICTIM_EDIT_FIELDS, ReferralForm, VictimEditForm
from cases.intake import IntakeForms
from cases.models import AgencyReferral, CaseNote, Reporter, RescueRequest, Victim, VictimStatusChange
from core.fields import SecretTextField
from tests.security.fuzzing.strategies import (
    changed,
    form_data,
    fuzz_settings,
    intake_bases,
    kinds_posted,
    mutate,
    mutations,
    row_counter,
)

FUZZ_VIEWS = fuzz_settings("VIEW_FUZZ_EXAMPLES")

KINDS = {"a file in a text field", "a repeated field", "a NUL byte", "100,000 characters", "another organisation's id"}

# Free text that must be stored as posted (the form strips the ends), never cut short or mangled by the encryption.
SECRET_VICTIM_FIELDS = [field.name for field in Victim._meta.concrete_fields if isinstance(field, SecretTextField)]


def every_case_table():
    """Rows of every case table, all organisations, counted in one query."""
    return row_counter(
        victims=Victim.objects.all(),
        reporters=Reporter.objects.all(),
        requests=RescueRequest.objects.all(),
        notes=CaseNote.objects.all(),
        status_changes=VictimStatusChange.objects.all(),
        referrals=AgencyReferral.objects.all(),
    )


def post(client, url: str, data: dict):
    """POST as a browser would. A view's exception is raised here, with its traceback."""
    note(f"POST {url} {abbreviated(data)}")
    response = client.post(url, data)
    assert response.status_code in (200, 302), response.status_code
    return response


def abbreviated(data: dict) -> dict:
    return {
        key: f"{value[:20]!r}… ({len(value)} characters)" if isinstance(value, str) and len(value) > 60 else value
        for key, value in data.items()
    }


def stored_as_posted(row: dict, data: dict, names) -> None:
    for name in names:
        if name == "date_of_birth" or isinstance(row.get(name), date):
            continue  # a date is read from what was typed (tests/web covers its formats), not stored as typed
        if isinstance(data.get(name), str):
            # A name is one line: intake keeps its words and joins them with single spaces ("0\r0" is "0 0").
            posted = " ".join(data[name].split()) if name == "full_name" else data[name].strip()
            assert row[name] == posted, f"{name} was stored differently from what was posted"


def posted_as_integer(value) -> int | None:
    """How a form's IntegerField reads a posted value (the last one when the field was sent several times)."""
    try:
        return forms.IntegerField().clean(value[-1] if isinstance(value, list) else value)
    except (ValidationError, TypeError):
        return None


def test_the_intake_page_never_crashes_and_saves_a_whole_case_or_nothing(world, client_for):
    organization, caseworker = world.a.organization, world.a.caseworker
    client = client_for(caseworker, organization)
    url = reverse("cases:intake")
    other = {world.b.caseworker.pk, world.victim_b.pk}
    ids = [*other, world.a.caseworker2.pk, world.compound.pk, world.region.pk, world.victim_a.pk, 0]
    counts = every_case_table()
    outcomes = Counter()

    @FUZZ_VIEWS
    @given(
        base=intake_bases([world.victim_a.pk, world.victim_b.pk]),
        mutation=mutations(IntakeForms.build(organization=organization, user=caseworker).all(), ids=ids),
    )
    def fuzz(base, mutation):
        data = mutate(base, *mutation)
        outcomes.update(kinds_posted(data, {str(pk) for pk in other}))
        with transaction.atomic():
            before = counts()
            response = post(client, url, data)
            delta = changed(before, counts())
            if response.status_code == 302:
                outcomes["saved"] += 1
                assert delta["victims"] == 1 and delta["reporters"] in (0, 1) and delta["requests"] in (0, 1), delta
                assert delta["notes"] == delta["status_changes"] == delta["referrals"] == 0, delta
                victim = Victim.objects.filter(pk=resolve(response.url).kwargs["pk"]).values().get()
                assert victim["organization_id"] == organization.pk and victim["created_by_id"] == caseworker.pk
                assert victim["status"] == Victim.Status.REPORTED and victim["version"] == 1
                assert victim["assigned_to_id"] in (None, caseworker.pk, world.a.caseworker2.pk)
                stored_as_posted(victim, data, SECRET_VICTIM_FIELDS)
                of_this_case = row_counter(
                    reporters=Reporter.objects.filter(victim_id=victim["id"], organization=organization),
                    requests=RescueRequest.objects.filter(victim_id=victim["id"], organization=organization),
                )()
                assert of_this_case == {"reporters": delta["reporters"], "requests": delta["requests"]}
            else:
                outcomes["refused"] += 1
                assert not any(delta.values()), delta
            transaction.set_rollback(True)

    fuzz()
    assert outcomes["saved"] and outcomes["refused"], outcomes
    if FUZZ_VIEWS.max_examples >= 300:  # short runs (VIEW_FUZZ_EXAMPLES=50) may miss a kind
        assert KINDS <= set(outcomes), outcomes


# Columns a save through the edit page may change: the form's fields and what the service derives from them.
EDITABLE_COLUMNS = {
    *[Victim._meta.get_field(name).attname for name in VICTIM_EDIT_FIELDS],
    "version",
    "updated_at",
    "birth_year",  # kept from date_of_birth on every save
    "consent_recorded_at",
    "consent_recorded_by_id",
    "passport_index",
    "phone_index",
}


def test_the_case_edit_page_never_crashes_and_saves_everything_or_nothing(world, client_for):
    victim = world.victim_a
    client = client_for(world.a.supervisor, world.a.organization)
    url = reverse("cases:victim_edit", args=[victim.pk])
    base = form_data(VictimEditForm(instance=victim).initial)
    other = {world.victim_b.pk, world.b.caseworker.pk}
    ids = [*other, world.compound.pk, world.region.pk, 0]
    # The version the form was loaded at: usually the stored one; sometimes missing, stale, ahead or absurd.
    versions = st.sampled_from(["current"] * 8 + ["missing", "stale", "ahead", "huge"])
    counts = every_case_table()
    outcomes = Counter()

    @FUZZ_VIEWS
    @given(mutation=mutations([VictimEditForm(instance=victim)], ids=ids), version=versions)
    def fuzz(mutation, version):
        with transaction.atomic():
            before, counts_before = Victim.objects.filter(pk=victim.pk).values().get(), counts()
            current = before["version"]
            posted_version = {"current": current, "stale": current - 1, "ahead": current + 1, "huge": 2**63}
            data = mutate({**base, "version": str(posted_version.get(version))}, *mutation)
            if version == "missing":
                data.pop("version", None)
            outcomes.update(kinds_posted(data, {str(pk) for pk in other}))
            response = post(client, url, data)
            after = Victim.objects.filter(pk=victim.pk).values().get()
            assert counts() == counts_before
            if response.status_code == 302:
                outcomes["saved"] += 1
                assert after["version"] == current + 1
                assert posted_as_integer(data.get("version")) == current, "saved over a version it was not loaded at"
                unexpected = {name for name in after if after[name] != before[name]} - EDITABLE_COLUMNS
                assert not unexpected, f"the edit page changed {sorted(unexpected)}"
                stored_as_posted(after, data, [*SECRET_VICTIM_FIELDS, "full_name"])
            else:
                outcomes["refused"] += 1
                assert after == before
            transaction.set_rollback(True)

    fuzz()
    assert outcomes["saved"] and outcomes["refused"], outcomes
    if FUZZ_VIEWS.max_examples >= 300:  # short runs (VIEW_FUZZ_EXAMPLES=50) may miss a kind
        assert KINDS <= set(outcomes), outcomes


def test_the_referral_form_never_crashes_and_saves_one_referral_or_nothing(world, client_for):
    victim = world.victim_a
    client = client_for(world.a.caseworker, world.a.organization)
    url = reverse("cases:referral_new", args=[victim.pk])
    form = ReferralForm(victim=victim, organization=world.a.organization, open_requests=RescueRequest.objects.none())
    # Another organisation's agency, rescue request and case, and a row that does not exist, posted into any field.
    other = {world.agency_b.pk, world.request_b.pk, world.victim_b.pk}
    ids = [*other, world.agency_shared.pk, world.agency_a.pk, world.request_a.pk, 0]
    counts = row_counter(
        of_this_case=AgencyReferral.objects.filter(victim=victim),
        to_the_other_organisations_agency=AgencyReferral.objects.filter(agency=world.agency_b),
        of_the_other_organisation=AgencyReferral.objects.filter(organization=world.b.organization),
        referrals=AgencyReferral.objects.all(),
        notes=CaseNote.objects.all(),
        requests=RescueRequest.objects.all(),
        victims=Victim.objects.all(),
    )
    outcomes = Counter()

    @FUZZ_VIEWS
    @given(mutation=mutations([form], ids=ids), agency=st.sampled_from(["shared", "own", "shared", "own", "other"]))
    def fuzz(mutation, agency):
        pk = {"shared": world.agency_shared.pk, "own": world.agency_a.pk, "other": world.agency_b.pk}[agency]
        base = {"agency": str(pk), "consent_basis": "no_identity", "shared_information": "Case number only"}
        data = mutate(base, *mutation)
        outcomes.update(kinds_posted(data, {str(pk) for pk in other}))
        with transaction.atomic():
            before = counts()
            response = post(client, url, data)
            delta = changed(before, counts())
            assert delta["to_the_other_organisations_agency"] == delta["of_the_other_organisation"] == 0, delta
            assert delta["notes"] == delta["requests"] == delta["victims"] == 0, delta
            if response.status_code == 302:
                outcomes["saved"] += 1
                assert delta["of_this_case"] == delta["referrals"] == 1, delta
                saved = AgencyReferral.objects.filter(victim=victim).values().latest("pk")
                assert saved["agency_id"] in (world.agency_shared.pk, world.agency_a.pk)
                assert saved["organization_id"] == world.a.organization.pk
                assert saved["rescue_request_id"] in (None, world.request_a.pk)
                assert saved["created_by_id"] == world.a.caseworker.pk
            else:
                outcomes["refused"] += 1
                assert not any(delta.values()), delta
            transaction.set_rollback(True)

    fuzz()
    assert outcomes["saved"] and outcomes["refused"], outcomes
    if FUZZ_VIEWS.max_examples >= 300:  # short runs (VIEW_FUZZ_EXAMPLES=50) may miss a kind
        assert KINDS <= set(outcomes), outcomes
