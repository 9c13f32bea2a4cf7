"""Nationality choices are in the reader's alphabetical order wherever a country is chosen (intake, edit details,
the case list's filter, a repatriation batch's destination): pinyin in Chinese, letters before diacritics in
Vietnamese, the standard's (alphabetical) order in English; "Stateless" is always last."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation
from pypinyin import lazy_pinyin
from pythainlp.util import collate

from places.collation import _without_marks
from tests.factories import make_victim

pytestmark = pytest.mark.django_db


@pytest.fixture
def country_selects(org_a, client_for):
    """`country_selects(language)`: the country names of each page's nationality select, in the page's order."""
    victim = make_victim(organization=org_a.organization, assigned_to=org_a.supervisor)

    def read(language: str) -> dict[str, list[str]]:
        org_a.supervisor.language = language
        org_a.supervisor.save()
        client = client_for(org_a.supervisor, org_a.organization)
        pages = {
            "intake": (reverse("cases:intake"), "citizenship"),
            "edit details": (reverse("cases:victim_edit", args=[victim.pk]), "citizenship"),
            "case list filter": (reverse("cases:victim_list"), "citizenship"),
            "batch destination": (reverse("homecoming:batch_list"), "destination"),
        }
        selects = {}
        for page, (url, name) in pages.items():
            body = client.get(url).content.decode()
            select = re.search(rf'<select name="(?:\w+-)?{name}"[^>]*>(.*?)</select>', body, re.S)
            assert select, f"no {name} select on {page}"
            options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))
            selects[page] = [html.unescape(label) for code, label in options if code]
        return selects

    return read


def test_in_chinese_the_nationalities_are_in_pinyin_order(country_selects):
    for page, names in country_selects("zh-hans").items():
        countries = names[:-1]
        assert countries == sorted(countries, key=lazy_pinyin), page
        assert countries.index("阿富汗") < countries.index("巴西") < countries.index("缅甸") < countries.index("中国")
        with translation.override("zh-hans"):
            assert names[-1] == translation.gettext("Stateless"), page


def test_in_vietnamese_an_do_sorts_among_the_as(country_selects):
    for page, names in country_selects("vi").items():
        india = names.index("Ấn Độ")
        assert all(_without_marks(name).startswith("a") for name in names[: india + 1]), page
        assert names.index("Đức") < names.index("Thái Lan") < names.index("Việt Nam"), page  # Đức among the D's


def test_in_english_the_nationalities_stay_alphabetical_with_stateless_last(country_selects):
    for page, names in country_selects("en").items():
        assert names[-1] == "Stateless", page
        assert names[:-1] == sorted(names[:-1], key=_without_marks), page
        assert names[:3] == ["Afghanistan", "Åland Islands", "Albania"], page


def test_in_thai_the_nationalities_are_in_dictionary_order(country_selects):
    for page, names in country_selects("th").items():
        assert names[:-1] == collate(names[:-1]), page
        # เมียนมา sorts under ม (its leading vowel comes after the consonant): after ไทย, before ลาว.
        assert names.index("กัมพูชา") < names.index("ไทย") < names.index("เมียนมา (พม่า)") < names.index("ลาว"), page


@pytest.mark.parametrize(("language", "key"), [("my", str), ("id", _without_marks)])
def test_in_burmese_and_indonesian_the_nationalities_are_in_that_languages_order(country_selects, language, key):
    english = country_selects("en")["intake"]
    for page, names in country_selects(language).items():
        assert len(names) == len(set(names)) == len(english), page
        assert names[:-1] == sorted(names[:-1], key=key), page


def test_a_list_of_cases_sorts_the_countries_once_per_language_not_once_per_row(monkeypatch):
    """A case list shows each row's nationality (get_citizenship_display walks the choices): sorting 250 names by
    pinyin takes ~20 ms, so the order is computed once per language and kept."""
    from places import codes

    calls = []
    real = codes.sorted_by_name
    monkeypatch.setattr(
        codes, "sorted_by_name", lambda pairs, language: calls.append(language) or real(pairs, language)
    )
    choices = codes.CountryChoices(codes.CITIZENSHIP_CHOICES.countries, codes.CITIZENSHIP_CHOICES.last)
    with translation.override("zh-hans"):
        shown = [str(dict(choices)["VN"]) for _row in range(50)]
    with translation.override("th"):
        dict(choices)
    with translation.override("zh-hans"):
        assert list(choices)[0] == list(codes.CITIZENSHIP_CHOICES)[0]
    assert shown == ["越南"] * 50 and calls == ["zh-hans", "th"]
