"""Hypothesis fuzzing of the intake, case edit and referral forms: never a crash, one whole save or nothing at all.

Each example starts from a valid submission, replaces some fields, drops others and adds fields the form does not
have. A replaced field gets either a value of its own type (a choice from its list, a date at the calendar's ends, an
id of another organisation's row, so the example gets past the form and into the services) or any hostile value:
Unicode (mostly short), long strings at the length limits and up to 100,000 characters (a minority), NUL bytes,
numbers in every spelling (huge, negative, floats, Unicode digits), impossible dates, markup and formulas, the same
field sent several times, and a file uploaded into a text field.

Two tiers, both run on every test run. Each example runs in a savepoint that is rolled back, so every example starts
from the same database and a failure shrinks to a reproducible one.
- test_fuzzing_views.py: the full views through the Django test client (middleware, form, service, template,
  response): VIEW_FUZZ_EXAMPLES per form, default 400 (1,200 in all: a POST costs 70-150 ms, so the tier takes
  about 2.5 minutes on SQLite or PostgreSQL). A server error fails with the view's traceback.
- this module: the same form classes and service calls the views make (the intake's duplicate check included),
  without the page render: FORM_FUZZ_EXAMPLES per form, default 700 (2,100 in all).
Depth from HOMEWARD_FUZZ: `quick` (the default, bin/test and CI) or `deep` (a nightly or local soak, README); the
numbers per mode are in FUZZ_DEPTH, and VIEW_FUZZ_EXAMPLES / FORM_FUZZ_EXAMPLES override them, e.g. for a longer soak:
`VIEW_FUZZ_EXAMPLES=5000 FORM_FUZZ_EXAMPLES=20000 bin/test tests/security/test_fuzzing*`.
"""

import os
from collections import Counter
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.choices import flatten_choices
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import services
from cases.forms import ReferralForm, VictimEditForm
from cases.intake import IntakeForms, save_intake_or_report
from cases.models import AgencyReferral, Reporter, RescueRequest, Victim
from cases.views.intake import _duplicates_for
from tests.factories import INTAKE_POST

_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]


# Examples per form for each HOMEWARD_FUZZ mode. Quick still posts every kind of hostile value (KINDS in
# test_fuzzing_views.py is asserted at 300 examples or more); deep is five times the old fixed default.
FUZZ_DEPTH = {
    "quick": {"VIEW_FUZZ_EXAMPLES": 300, "FORM_FUZZ_EXAMPLES": 300},
    "deep": {"VIEW_FUZZ_EXAMPLES": 2000, "FORM_FUZZ_EXAMPLES": 3500},
}
FUZZ_MODE = os.environ.get("HOMEWARD_FUZZ", "") or "quick"
if FUZZ_MODE not in FUZZ_DEPTH:
    raise ValueError(f"HOMEWARD_FUZZ must be one of {', '.join(FUZZ_DEPTH)}, not {FUZZ_MODE!r}")


def fuzz_settings(variable: str) -> settings:
    return settings(
        max_examples=int(os.environ.get(variable, str(FUZZ_DEPTH[FUZZ_MODE][variable]))),
        deadline=None,
        database=None,
        suppress_health_check=_QUIET,
    )


FUZZ_FORMS = fuzz_settings("FORM_FUZZ_EXAMPLES")

# --- Hostile values ----------------------------------------------------------------------------------------------

short_unicode = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
# At and past the length limits (200 for names, 300 for reasons, 4,300 digits for int()), or 100,000 characters.
long_text = st.builds(
    lambda unit, length: (unit * length)[:length],
    st.sampled_from(["Ω", "a", "😀", "e\u0301", "\u202e", " "]),
    st.one_of(st.sampled_from([200, 201, 256, 301, 1_000, 4_301]), st.just(100_000)),
)
with_nul = short_unicode.map(lambda text: f"{text}\x00{text}")
numberish = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(
        # Unicode digits: str.isdigit() says yes to all of them, int() accepts only some ("²" and "①" it refuses).
        ["²", "①", "١٢٣", "９", "٣", "1_000", " 42 ", "0x1F", "1e3", "-0", "+1", "1.0", "9" * 5_000, "1e309", "NaN"]
    ),
)
strange_literals = st.sampled_from(
    [
        "99999-99-99",
        "2026-02-30",
        "0000-00-00",
        "null",
        "None",
        "true",
        "false",
        "on",
        "[]",
        "{}",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "{{ 7|add:7 }}{% csrf_token %}",
        '=HYPERLINK("http://x")',
        "\u202e\u200b\ufeff",
        "%s%n%x",
        "../../etc/passwd",
        "",
        " ",
    ]
)
uploaded_file = st.builds(
    lambda content, name: SimpleUploadedFile(name, content, content_type="text/plain"),
    st.binary(max_size=64),
    st.sampled_from(["fuzz.txt", "../../x.html", "\u202etxt.exe"]),
)
hostile_value = st.one_of(
    short_unicode,
    with_nul,
    long_text,
    numberish,
    strange_literals,
    st.lists(st.one_of(short_unicode, numberish, strange_literals), min_size=2, max_size=3),  # the field repeated
    uploaded_file,  # a file where text is expected: the field then only exists in request.FILES
)

# Dates a form accepts but arithmetic on them may not (year 1, year 9999, 29 February), and ordinary ones.
edge_dates = st.sampled_from(
    [date.min, date(2, 12, 31), date(3, 1, 1), date.max, date(9998, 12, 31), date(2024, 2, 29), date(1900, 1, 1)]
)
any_date = st.one_of(edge_dates, st.dates()).map(date.isoformat)
booleans = st.sampled_from(["on", "true", "True", "false", "False", "0", "1", "unknown", "", "yes"])


def typed_values(field: forms.Field, ids: list[int]) -> st.SearchStrategy:
    """Values of the field's own type, valid ones included, so an example gets past the form to the services."""
    id_values = st.sampled_from([str(pk) for pk in ids]) if ids else numberish
    if isinstance(field, forms.ModelMultipleChoiceField):
        return st.lists(id_values, max_size=3)
    if isinstance(field, forms.ModelChoiceField):
        return id_values
    if isinstance(field, forms.DateField):
        return any_date
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return st.one_of(st.integers(min_value=-5, max_value=200).map(str), numberish, st.just(""))
    if isinstance(field, forms.NullBooleanField | forms.BooleanField):
        return booleans
    if isinstance(field, forms.ChoiceField):
        choices = st.sampled_from([str(value) for value, _label in flatten_choices(field.choices)] or [""])
        if isinstance(field, forms.MultipleChoiceField):
            return st.lists(choices, max_size=4)
        return choices
    return st.one_of(short_unicode, with_nul, long_text)


def field_strategies(form_list, ids: list[int]) -> dict[str, st.SearchStrategy]:
    """Posted name → what to post there: a value of the field's own type, or anything hostile."""
    return {
        form.add_prefix(name): st.one_of(typed_values(field, ids), hostile_value)
        for form in form_list
        for name, field in form.fields.items()
    }


@st.composite
def replacements(draw, strategies: dict[str, st.SearchStrategy], max_size: int = 4) -> dict:
    names = draw(st.lists(st.sampled_from(sorted(strategies)), unique=True, max_size=max_size))
    return {name: draw(strategies[name]) for name in names}


# Fields a form does not have, that an attacker adds hoping the view copies them onto the row.
ATTACKER_FIELDS = [
    "id",
    "pk",
    "organization",
    "organization_id",
    "case_number",
    "status",
    "created_by",
    "created_at",
    "victim",
    "victim_id",
    "assigned_to",
    "consent_recorded_at",
    "consent_recorded_by",
    "redacted_at",
    "is_restricted",
    "sent_at",
    "status_changed_at",
    "csrfmiddlewaretoken",
    "__proto__",
    "full_name[]",
    "reporter-victim",
    "request-status",
]
extra_field_names = st.one_of(
    st.sampled_from(ATTACKER_FIELDS),
    st.text(alphabet=st.characters(categories=("L", "Nd"), include_characters="-_[]."), min_size=1, max_size=20),
)


def mutations(form_list, *, ids: list[int] = ()):
    """(fields to replace, fields to drop, fields to add). `ids`: primary keys worth posting into id fields."""
    strategies = field_strategies(form_list, list(ids))
    id_values = st.sampled_from([str(pk) for pk in ids]) if ids else numberish
    return st.tuples(
        replacements(strategies),
        st.sets(st.sampled_from(sorted(strategies)), max_size=3),
        st.dictionaries(extra_field_names, st.one_of(hostile_value, id_values), max_size=2),
    )


def mutate(base: dict, replaced: dict, dropped: set, added: dict) -> dict:
    data = {key: value for key, value in base.items() if key not in dropped}
    data.update(added)
    data.update(replaced)
    return data


def kinds_posted(data: dict, other_organization_ids: set[str] = frozenset()) -> set[str]:
    """Which kinds of hostile value `data` holds: the tests check every kind was tried at least once."""
    found = set()
    for value in data.values():
        if isinstance(value, SimpleUploadedFile):
            found.add("a file in a text field")
        elif isinstance(value, list):
            found.add("a repeated field")
        elif "\x00" in str(value):
            found.add("a NUL byte")
        elif len(str(value)) >= 100_000:
            found.add("100,000 characters")
        elif str(value) in other_organization_ids:
            found.add("another organisation's id")
    return found


def form_data(initial: dict) -> dict:
    """A form's initial values as a browser would post them (empty fields and unticked boxes left out)."""
    return {
        key: [str(item) for item in value] if isinstance(value, list | tuple) else str(value)
        for key, value in initial.items()
        if value not in (None, "", False, [])
    }


def row_counter(**querysets):
    """A function returning the number of rows of each queryset, all counted in one query."""
    parts, params = [], []
    for queryset in querysets.values():
        sql, query_params = queryset.order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")
        params.extend(query_params)
    statement = f"SELECT {', '.join(parts)}"

    def counts() -> dict[str, int]:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return dict(zip(querysets, cursor.fetchone(), strict=True))

    return counts


def changed(before: dict, after: dict) -> dict:
    return {name: after[name] - before[name] for name in before}


# --- The intake's valid starting points -------------------------------------------------------------------------

INTAKE_BASE = {**INTAKE_POST, "full_name": "Synthetic Fuzz Person"}


def intake_bases(duplicate_ids: list[int]) -> st.SearchStrategy:
    """A valid intake as a caseworker posts it: an estimated age or a date of birth; sometimes the second step,
    'save anyway' after possible duplicates were shown (their ids travel in a hidden field)."""
    age = st.fixed_dictionaries({"estimated_age": st.integers(min_value=0, max_value=120).map(str)})
    born = st.fixed_dictionaries({"date_of_birth": any_date})
    shown = st.lists(st.one_of(st.sampled_from([str(pk) for pk in duplicate_ids]), numberish), max_size=3)
    decision = st.one_of(
        st.just({}), st.fixed_dictionaries({"confirm_new": st.just("on"), "shown_duplicates": shown.map(",".join)})
    )
    return st.builds(lambda *parts: {**INTAKE_BASE, **parts[0], **parts[1]}, st.one_of(age, born), decision)


# --- The same forms and services the views use, without the page render: the cheap tier ---------------------------


def querydict(data: dict) -> QueryDict:
    """What request.POST holds for `data` (an uploaded file is not in POST: it goes to request.FILES)."""
    result = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, SimpleUploadedFile):
            continue
        result.setlist(key, [str(item) for item in value] if isinstance(value, list) else [str(value)])
    return result


def test_intake_forms_and_services_save_a_whole_case_or_nothing_for_hundreds_of_hostile_submissions(world):
    organization, user = world.a.organization, world.a.caseworker
    ids = [world.b.caseworker.pk, world.a.caseworker2.pk, world.compound.pk, world.region.pk, world.victim_a.pk, 0]
    counts = row_counter(
        victims=Victim.objects.filter(organization=organization),
        reporters=Reporter.objects.filter(organization=organization),
        requests=RescueRequest.objects.filter(organization=organization),
    )
    outcomes = Counter()

    @FUZZ_FORMS
    @given(
        base=intake_bases([world.victim_a.pk]),
        mutation=mutations(IntakeForms.build(organization=organization, user=user).all(), ids=ids),
    )
    def fuzz(base, mutation):
        with transaction.atomic():
            before = counts()
            forms_ = IntakeForms.build(organization=organization, user=user, data=querydict(mutate(base, *mutation)))
            saved, duplicates, now = None, None, timezone.now()
            if forms_.is_valid():  # what the view does: look for duplicates, save unless some were not yet shown
                duplicates = _duplicates_for(forms_, organization=organization, now=now)
                shown = forms_.decision.cleaned_data["confirm_new"] and forms_.decision.shown_ids()
                if not duplicates.matches or (shown and set(duplicates.victim_ids) <= shown):
                    saved = save_intake_or_report(forms_=forms_, organization=organization, user=user, now=now)
            delta = changed(before, counts())
            if saved is not None:
                outcomes["saved"] += 1
                assert delta["victims"] == 1 and delta["reporters"] in (0, 1) and delta["requests"] in (0, 1)
                assert saved[0].assigned_to_id != world.b.caseworker.pk
            else:
                outcomes["refused"] += 1
                assert delta == {"victims": 0, "reporters": 0, "requests": 0}
                assert forms_.error_count() or duplicates.matches, "a refused submission says why"
            transaction.set_rollback(True)

    fuzz()
    assert outcomes["saved"] and outcomes["refused"], outcomes


def test_case_edit_form_and_service_save_everything_or_nothing_for_hundreds_of_hostile_submissions(world):
    victim, editor = world.victim_a, world.a.supervisor
    base = form_data(VictimEditForm(instance=victim).initial)
    outcomes = Counter()

    @FUZZ_FORMS
    @given(mutation=mutations([VictimEditForm(instance=victim)], ids=[world.compound.pk, world.region.pk, 0]))
    def fuzz(mutation):
        with transaction.atomic():
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
            transaction.set_rollback(True)

    fuzz()
    assert outcomes["saved"] and outcomes["refused"], outcomes


def test_referral_form_and_service_save_one_referral_or_nothing_for_hundreds_of_hostile_submissions(world):
    victim, user = world.victim_a, world.a.caseworker
    open_requests = RescueRequest.objects.filter(victim=victim, closed_at__isnull=True)
    form = ReferralForm(victim=victim, organization=world.a.organization, open_requests=open_requests)
    ids = [world.agency_b.pk, world.request_b.pk, world.agency_shared.pk, world.request_a.pk, 0]
    outcomes = Counter()

    @FUZZ_FORMS
    @given(mutation=mutations([form], ids=ids), agency=st.sampled_from(["shared", "own", "other"]))
    def fuzz(mutation, agency):
        pk = {"shared": world.agency_shared.pk, "own": world.agency_a.pk, "other": world.agency_b.pk}[agency]
        base = {"agency": pk, "consent_basis": "no_identity", "shared_information": "Case number only"}
        with transaction.atomic():
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
                assert saved.rescue_request_id in (None, world.request_a.pk)
            else:
                outcomes["refused"] += 1
                assert delta == 0
            transaction.set_rollback(True)

    fuzz()
    assert outcomes["saved"] and outcomes["refused"], outcomes
