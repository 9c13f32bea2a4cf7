"""The HTCDS code lists as a caseworker reads them: countries named in the reader's language, the other labels
translated; exports and statistics keep the standard's codes."""

import csv

import pytest
from django.utils import translation

from places import codes
from places.htcds_labels import HTCDS_LABELS

SHOWN_LISTS = ("methodofrecruitment", "methodsofcontrol", "typeofexploitation")


def test_every_label_of_the_shown_code_lists_is_written_out_for_the_catalogues():
    with codes.HTCDS_CHOICES_CSV.open(encoding="utf-8") as handle:
        labels = {row["label"].strip() for row in csv.DictReader(handle) if row["list_name"] in SHOWN_LISTS}
    assert labels == set(HTCDS_LABELS)


@pytest.mark.parametrize(
    "language,myanmar,vietnam",
    [
        ("th", "เมียนมา (พม่า)", "เวียดนาม"),
        ("my", "မြန်မာ", "ဗီယက်နမ်"),
        ("zh-hans", "缅甸", "越南"),
        ("vi", "Myanmar (Miến Điện)", "Việt Nam"),
    ],
)
def test_countries_are_named_in_the_readers_language(language, myanmar, vietnam):
    with translation.override(language):
        names = {code: str(label) for code, label in codes.CITIZENSHIP_CHOICES}
    assert (names["MM"], names["VN"]) == (myanmar, vietnam)
    with translation.override("en"):
        assert str(codes.COUNTRY_NAMES["MM"]) == "Myanmar"


def test_every_country_of_the_standard_has_a_name_in_each_language_and_stateless_is_translated():
    for language in ("th", "my", "zh-hans", "vi", "id"):
        cldr = codes._cldr_countries(language)
        missing = [code for code, _label in codes.CITIZENSHIP_CHOICES if code != codes.STATELESS and code not in cldr]
        assert missing == [], language
        with translation.override(language):
            assert str(codes.COUNTRY_NAMES[codes.STATELESS]) != "Stateless", language


def test_the_other_code_lists_are_translated_in_thai():
    with translation.override("th"):
        for choices in (codes.RECRUITMENT_METHOD_CHOICES, codes.MEANS_OF_CONTROL_CHOICES, codes.EXPLOITATION_CHOICES):
            for code, label in choices:
                assert str(label).isascii() is False, f"{code}: {label}"


def test_a_lists_nationality_column_is_read_against_english_names_whatever_the_uploaders_language():
    """The column reader caches its lookup per country table: built in a Thai request, it must still hold English."""
    from lists.reading.nationalities import _extra_cache, parse_nationality

    _extra_cache.clear()
    assert parse_nationality("Angola") is None  # not in the built-in table: read through the full country list
    with translation.override("th"):
        assert parse_nationality("Angola", codes.COUNTRY_NAMES_EN) == "AO"
    assert parse_nationality("Angola", codes.COUNTRY_NAMES_EN) == "AO"
    assert str(codes.COUNTRY_NAMES_EN["MM"]) == "Myanmar"
