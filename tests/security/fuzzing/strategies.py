"""The fuzzing tiers' depth (HOMEWARD_FUZZ), the hostile values, the mutations of a valid submission, and the row
counts compared before and after each example."""

import os
from datetime import date

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils.choices import flatten_choices
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.factories import INTAKE_POST

_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]


# Examples per form for each HOMEWARD_FUZZ mode. Quick still posts every kind of hostile value (KINDS in
# test_views.py is asserted at 300 examples or more); deep is five times the old fixed default.
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
