"""Code lists: HTCDS 2.0 (IOM, CC BY 4.0) read from places/reference/htcds/choices.csv, plus our additions.

HTCDS lacks a code for the exploitation this product exists for, so we add "forced criminality / scam work".
"""

import csv
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .collation import sorted_by_name

HTCDS_CHOICES_CSV = Path(__file__).resolve().parent / "reference" / "htcds" / "choices.csv"


@cache
def htcds_list(list_name: str) -> tuple[tuple[str, str], ...]:
    """(code, label) pairs of one HTCDS code list, in the standard's order."""
    with HTCDS_CHOICES_CSV.open(encoding="utf-8") as handle:
        return tuple(
            (row["name"].strip(), row["label"].strip())
            for row in csv.DictReader(handle)
            if row["list_name"] == list_name
        )


FORCED_CRIMINALITY = "ForcedCriminalityScamWork"
STATELESS = "XX"  # not in ISO 3166; the list of 7,141 people freed in 2025 had 9 stateless people

# HTCDS's own codes and labels ("Feminine", "Non-Conforming"): what exports and statistics write.
HTCDS_SEX_CHOICES = htcds_list("gender")
# The same codes, labelled as a caseworker would say them: what forms and pages show.
SEX_LABELS = {
    "Feminine": _("Female"),
    "Masculine": _("Male"),
    "TransgenderFeminine": _("Trans woman"),
    "TransgenderMasculine": _("Trans man"),
    "NonConforming": _("Non-binary / other"),
    "NonSpecifiedUnknown": _("Unknown"),
}
SEX_CHOICES = tuple((code, SEX_LABELS.get(code, label)) for code, label in HTCDS_SEX_CHOICES)


@cache
def _cldr_countries(language: str) -> dict[str, str]:
    """CLDR's country names in one language (Babel's data: ISO 3166 code → name), empty for a language it lacks."""
    try:
        return dict(Locale.parse(language, sep="-").territories)
    except (UnknownLocaleError, ValueError):
        return {}


def _country_name(code: str, english: str) -> str:
    """A country as the reader's language names it: CLDR's name, or (in English, or for a code CLDR lacks) the
    standard's English label, through gettext like every other label."""
    language = get_language() or "en"
    if not language.startswith("en"):
        name = _cldr_countries(language).get(code)
        if name:
            return name
    return gettext(english)


country_label = lazy(_country_name, str)

# The HTCDS file lost Namibia's code "NA" (read as "not available" somewhere upstream); restore it here.
_CITIZENSHIP = tuple((code or ("NA" if label == "Namibia" else ""), label) for code, label in htcds_list("citizenship"))


class CountryChoices(BaseChoiceIterator):
    """The countries in the reader's alphabetical order, each time a form or filter lists them; "Stateless" last.

    In English (and with no language active, as for makemigrations) the standard's own order, already alphabetical:
    the migrations' recorded choices are that list, so it compares equal to it and no migration is made."""

    def __init__(self, countries: tuple[tuple[str, str], ...], last: tuple[str, str]):
        self.countries, self.last = countries, last
        self._order: dict[tuple[str, tuple[str, ...]], tuple[tuple[str, str], ...]] = {}

    def __iter__(self):
        language = get_language() or "en"
        if language.startswith("en"):
            yield from self.countries
        else:
            # Sorting is slow (pinyin for 250 names: ~20 ms) and a page lists the choices once per row shown
            # (get_citizenship_display), so each language's order is kept, keyed by the names it sorted.
            names = tuple(str(name) for _code, name in self.countries)
            key = (language, names)
            order = self._order.get(key)
            if order is None:  # (a new dict, never changed in place: threads may share this object)
                by_code = dict(self.countries)
                order = tuple((code, by_code[code]) for code, _name in sorted_by_name(self.countries, language))
                self._order = {**{k: v for k, v in self._order.items() if k[0] != language}, key: order}
            yield from order
        yield self.last

    def __eq__(self, other):
        return list(self) == list(other) if isinstance(other, list | tuple | BaseChoiceIterator) else NotImplemented

    __hash__ = None

    # Every form copies its fields' choices (ChoiceField.__deepcopy__): copying 250 countries per form was a
    # measurable part of the case list. Nothing changes this object in place (its order cache is replaced whole).
    def __deepcopy__(self, memo):
        return self


CITIZENSHIP_CHOICES = CountryChoices(
    tuple((code, country_label(code, label)) for code, label in _CITIZENSHIP), (STATELESS, _("Stateless"))
)


def _translated(choices) -> tuple:
    """A code list with each English label translated when shown (the labels are in places/htcds_labels.py, where
    makemessages finds them)."""
    return tuple((code, _(label)) for code, label in choices)


RECRUITMENT_METHOD_CHOICES = _translated(htcds_list("methodofrecruitment"))
MEANS_OF_CONTROL_CHOICES = _translated(htcds_list("methodsofcontrol"))
EXPLOITATION_CHOICES = (
    *_translated((code, label) for code, label in htcds_list("typeofexploitation") if code != "Other"),
    (FORCED_CRIMINALITY, _("Forced criminality / scam work")),
    ("Other", _("Other")),
)
COUNTRY_NAMES = dict(CITIZENSHIP_CHOICES)
# The standard's English names, whatever the reader's language: what a list's "Nationality" column is read against.
COUNTRY_NAMES_EN = {**dict(_CITIZENSHIP), STATELESS: "Stateless"}

# ISO 639 codes of the languages caseworkers meet on the border and among the people trapped there.
LANGUAGE_CHOICES = (
    ("am", _("Amharic")),
    ("ar", _("Arabic")),
    ("bn", _("Bengali")),
    ("en", _("English")),
    ("fil", _("Filipino")),
    ("fr", _("French")),
    ("hi", _("Hindi")),
    ("id", _("Indonesian")),
    ("ja", _("Japanese")),
    ("kar", _("Karen")),
    ("km", _("Khmer")),
    ("ko", _("Korean")),
    ("lo", _("Lao")),
    ("ml", _("Malayalam")),
    ("ms", _("Malay")),
    ("my", _("Burmese")),
    ("ne", _("Nepali")),
    ("om", _("Oromo")),
    ("pa", _("Punjabi")),
    ("ru", _("Russian")),
    ("shn", _("Shan")),
    ("si", _("Sinhala")),
    ("sw", _("Swahili")),
    ("ta", _("Tamil")),
    ("te", _("Telugu")),
    ("th", _("Thai")),
    ("ti", _("Tigrinya")),
    ("tr", _("Turkish")),
    ("ur", _("Urdu")),
    ("uz", _("Uzbek")),
    ("vi", _("Vietnamese")),
    ("yue", _("Cantonese")),
    ("zh", _("Chinese (Mandarin)")),
)
