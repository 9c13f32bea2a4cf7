"""Hypothesis fuzzing of the intake, case edit and referral forms through the real views.

Each example starts from a valid submission, replaces some fields with hostile values (any Unicode, 100k-character
strings, NUL bytes, numbers, lists, impossible dates) and drops others. The page must never crash (no 500), and the
database must show either one complete save or nothing at all: the row counts are compared before and after every
example.

Two tiers per form, because a full page render of the intake form costs about a second on the shared CI machine:
- through the view and the Django test client (middleware, form, service, template): VIEW_FUZZ_EXAMPLES per form
  (default 40);
- through the same form class and service calls the view makes, without rendering the page: FORM_FUZZ_EXAMPLES per
  form (default 700, 2,100 in all), so the suite runs thousands of examples per run.
Raise VIEW_FUZZ_EXAMPLES for a longer soak of the full view path.
"""

import os
from itertools import count

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import services
from cases.forms import ReferralForm, VictimEditForm
from cases.intake import IntakeForms, save_intake_or_report
from cases.models import AgencyReferral, CaseNote, Reporter, RescueRequest, Victim, VictimStatusChange

_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]
FUZZ = settings(
    max_examples=int(os.environ.get("VIEW_FUZZ_EXAMPLES", "40")),
    deadline=None,
    database=None,
    suppress_health_check=_QUIET,
)
FUZZ_FORMS = settings(
    max_examples=int(os.environ.get("FORM_FUZZ_EXAMPLES", "700")),
    deadline=None,
    database=None,
    suppress_health_check=_QUIET,
)

printable_unicode = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
hostile_value = st.one_of(
    printable_unicode,
    st.integers(min_value=1_000, max_value=100_000).map(lambda n: "Ω" * n),  # up to 100k characters
    printable_unicode.map(lambda text: f"{text}\x00{text}"),  # NUL bytes
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(
        [
            "99999-99-99",
            "2026-02-30",
            "0000-00-00",
            "1900-01-01",
            "-1",
            "0",
            "1e309",
            "NaN",
            "[]",
            "{}",
            "null",
            "true",
            "on",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            '=HYPERLINK("http://x")',
            "\u202e\u200b\ufeff",
            "",
        ]
    ),
    st.lists(printable_unicode, min_size=2, max_size=3),  # the same field sent several times
)


def mutations(field_names: list[str]):
    """(fields to replace with hostile values, fields to drop)."""
    names = st.sampled_from(sorted(field_names))
    return st.tuples(st.dictionaries(names, hostile_value, max_size=4), st.sets(names, max_size=3))


def mutate(base: dict, replaced: dict, dropped: set) -> dict:
    data = {key: value for key, value in base.items() if key not in dropped}
    data.update(replaced)
    return data


def post(client, url: str, data: dict):
    response = client.post(url, data)
    assert response.status_code != 500, f"500 for {sorted(data)}"
    assert response.status_code in (200, 302), response.status_code
    return response


def form_data(initial: dict) -> dict:
    """A form's initial values as a browser would post them (empty fields and unticked boxes left out)."""
    return {key: value for key, value in initial.items() if value not in (None, "", False, [])}


def field_names(forms) -> list[str]:
    return [form.add_prefix(name) for form in forms for name in form.fields]


def test_the_intake_form_never_crashes_and_saves_a_whole_case_or_nothing(world, client_for):
    organization = world.a.organization
    client = client_for(world.a.caseworker, organization)
    client.raise_request_exception = False
    url = reverse("cases:intake")
    names = field_names(IntakeForms.build(organization=organization, user=world.a.caseworker).all())
    serial = count()
    outcomes = {"saved": 0, "refused": 0}

    def counts():
        return (
            Victim.objects.filter(organization=organization).count(),
            Reporter.objects.filter(victim__organization=organization).count(),
            RescueRequest.objects.filter(organization=organization).count(),
        )

    @FUZZ
    @given(mutation=mutations(names))
    def fuzz(mutation):
        base = {
            "full_name": f"Synthetic Fuzz Person {next(serial)}",
            "citizenship": "VN",
            "sex": "Masculine",
            "estimated_age": "27",
            "risk_level": "high",
            "consent": "none",
            "passport_held_by_traffickers": "unknown",
            "reporter-safe_to_contact": "unknown",
            "request-open_request": "on",
            "request-priority": "high",
        }
        before = counts()
        response = post(client, url, mutate(base, *mutation))
        victims, reporters, requests = (after - was for after, was in zip(counts(), before, strict=True))
        if response.status_code == 302:
            outcomes["saved"] += 1
            assert victims == 1 and reporters in (0, 1) and requests in (0, 1)
        else:
            outcomes["refused"] += 1
            assert (victims, reporters, requests) == (0, 0, 0)

    fuzz()
    assert outcomes["saved"] and outcomes["refused"], outcomes


def test_the_case_edit_form_never_crashes_and_saves_everything_or_nothing(world, client_for):
    victim = world.victim_a
    client = client_for(world.a.supervisor, world.a.organization)
    client.raise_request_exception = False
    url = reverse("cases:victim_edit", args=[victim.pk])
    initial = client.get(url).context["form"].initial
    base = form_data(initial)
    names = field_names([VictimEditForm(instance=victim, initial={"version": victim.version})])
    outcomes = {"saved": 0, "refused": 0}

    def state():
        row = Victim.objects.filter(pk=victim.pk).values().get()
        return (
            row,
            VictimStatusChange.objects.filter(victim=victim).count(),
            CaseNote.objects.filter(victim=victim).count(),
        )

    @FUZZ
    @given(mutation=mutations(names))
    def fuzz(mutation):
        before, changes, notes = state()
        data = mutate({**base, "version": before["version"]}, *mutation)
        response = post(client, url, data)
        after, changes_after, notes_after = state()
        if response.status_code == 302:
            outcomes["saved"] += 1
            assert after["version"] == before["version"] + 1
        else:
            outcomes["refused"] += 1
            assert after == before
        assert (changes_after, notes_after) == (changes, notes)

    fuzz()
    assert outcomes["saved"] and outcomes["refused"], outcomes


def test_the_referral_form_never_crashes_and_saves_one_referral_or_nothing(world, client_for):
    victim = world.victim_a
    client = client_for(world.a.caseworker, world.a.organization)
    client.raise_request_exception = False
    url = reverse("cases:referral_new", args=[victim.pk])
    names = field_names(
        [ReferralForm(victim=victim, organization=world.a.organization, open_requests=RescueRequest.objects.none())]
    )
    outcomes = {"saved": 0, "refused": 0}

    def counts():
        return (
            AgencyReferral.objects.filter(victim=victim).count(),
            AgencyReferral.objects.filter(organization=world.b.organization).count(),
            CaseNote.objects.filter(victim=victim).count(),
        )

    @FUZZ
    @given(mutation=mutations(names), agency=st.sampled_from(["shared", "own", "other"]))
    def fuzz(mutation, agency):
        pk = {"shared": world.agency_shared.pk, "own": world.agency_a.pk, "other": world.agency_b.pk}[agency]
        base = {"agency": pk, "consent_basis": "no_identity", "shared_information": "Case number only"}
        before = counts()
        response = post(client, url, mutate(base, *mutation))
        referrals, other_org, notes = (after - was for after, was in zip(counts(), before, strict=True))
        assert other_org == 0
        if response.status_code == 302:
            outcomes["saved"] += 1
            assert referrals == 1
            assert AgencyReferral.objects.filter(victim=victim).latest("pk").agency_id != world.agency_b.pk
        else:
            outcomes["refused"] += 1
            assert (referrals, notes) == (0, 0)

    fuzz()
    assert outcomes["saved"] and outcomes["refused"], outcomes


# --- The same forms and services, without the page render: the thousands of examples -----------------------


def querydict(data: dict) -> QueryDict:
    result = QueryDict(mutable=True)
    for key, value in data.items():
        result.setlist(key, [str(item) for item in value] if isinstance(value, list) else [str(value)])
    return result


def test_intake_forms_and_services_saves_a_whole_case_or_nothing_for_hundreds_of_hostile_submissions(world):
    organization, user = world.a.organization, world.a.caseworker
    names = field_names(IntakeForms.build(organization=organization, user=user).all())
    serial = count()
    outcomes = {"saved": 0, "refused": 0}

    def counts():
        return (
            Victim.objects.filter(organization=organization).count(),
            Reporter.objects.filter(victim__organization=organization).count(),
            RescueRequest.objects.filter(organization=organization).count(),
        )

    @FUZZ_FORMS
    @given(mutation=mutations(names))
    def fuzz(mutation):
        base = {
            "full_name": f"Synthetic Form Fuzz {next(serial)}",
            "citizenship": "VN",
            "sex": "Masculine",
            "estimated_age": "27",
            "risk_level": "high",
            "consent": "none",
            "passport_held_by_traffickers": "unknown",
            "reporter-safe_to_contact": "unknown",
            "request-open_request": "on",
            "request-priority": "high",
        }
        before = counts()
        forms_ = IntakeForms.build(organization=organization, user=user, data=querydict(mutate(base, *mutation)))
        saved = None
        if forms_.is_valid():
            saved = save_intake_or_report(forms_=forms_, organization=organization, user=user, now=timezone.now())
        delta = tuple(after - was for after, was in zip(counts(), before, strict=True))
        if saved is not None:
            outcomes["saved"] += 1
            assert delta[0] == 1 and delta[1] in (0, 1) and delta[2] in (0, 1)
        else:
            outcomes["refused"] += 1
            assert delta == (0, 0, 0)
            assert forms_.error_count(), "a refused submission says why"

    fuzz()
    assert outcomes["saved"] and outcomes["refused"], outcomes


def test_case_edit_form_and_service_save_everything_or_nothing_for_hundreds_of_hostile_submissions(world):
    victim, editor = world.victim_a, world.a.supervisor
    base = form_data(VictimEditForm(instance=victim).initial)
    names = field_names([VictimEditForm(instance=victim)])
    outcomes = {"saved": 0, "refused": 0}

    @FUZZ_FORMS
    @given(mutation=mutations(names))
    def fuzz(mutation):
        stored = Victim.objects.get(pk=victim.pk)
        before = Victim.objects.filter(pk=victim.pk).values().get()
        form = VictimEditForm(querydict(mutate({**base, "version": stored.version}, *mutation)), instance=stored)
        saved = False
        if form.is_valid():
            try:
                services.victim_update(
                    victim=Victim.objects.get(pk=victim.pk),
                    editor=editor,
                    expected_version=form.cleaned_data["version"],
                    **form.changes(),
                )
                saved = True
            except ValidationError:  # includes StaleRecordError: the view shows it on the form
                pass
        after = Victim.objects.filter(pk=victim.pk).values().get()
        if saved:
            outcomes["saved"] += 1
            assert after["version"] == before["version"] + 1
        else:
            outcomes["refused"] += 1
            assert after == before

    fuzz()
    assert outcomes["saved"] and outcomes["refused"], outcomes


def test_referral_form_and_service_save_one_referral_or_nothing_for_hundreds_of_hostile_submissions(world):
    victim, user = world.victim_a, world.a.caseworker
    open_requests = RescueRequest.objects.filter(victim=victim, closed_at__isnull=True)
    names = field_names([ReferralForm(victim=victim, organization=world.a.organization, open_requests=open_requests)])
    outcomes = {"saved": 0, "refused": 0}

    @FUZZ_FORMS
    @given(mutation=mutations(names), agency=st.sampled_from(["shared", "own", "other"]))
    def fuzz(mutation, agency):
        pk = {"shared": world.agency_shared.pk, "own": world.agency_a.pk, "other": world.agency_b.pk}[agency]
        base = {"agency": pk, "consent_basis": "no_identity", "shared_information": "Case number only"}
        before = AgencyReferral.objects.count()
        form = ReferralForm(
            querydict(mutate(base, *mutation)),
            victim=victim,
            organization=world.a.organization,
            open_requests=open_requests,
        )
        saved = None
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    saved = services.referral_create(
                        victim=victim,
                        agency=data["agency"],
                        created_by=user,
                        rescue_request=data["rescue_request"],
                        shares_identity=data["shares_identity"],
                        consent_basis=data["consent_basis"],
                        override_reason=data["override_reason"],
                        shared_information=data["shared_information"],
                    )
                    if data["send_now"]:
                        services.referral_send(referral=saved, sent_by=user)
            except ValidationError:
                saved = None
        delta = AgencyReferral.objects.count() - before
        if saved is not None:
            outcomes["saved"] += 1
            assert delta == 1 and saved.agency_id != world.agency_b.pk
        else:
            outcomes["refused"] += 1
            assert delta == 0

    fuzz()
    assert outcomes["saved"] and outcomes["refused"], outcomes
