"""Dates read in the page's language: Burmese through our formats and catalogue, the others through Django's."""

import datetime
import re

import pytest
from babel import Locale
from django.template import Context, Template
from django.utils import translation

from core import vendor_messages
from tests.catalogue import compile_catalogue

DAY = datetime.date(2026, 12, 6)
MOMENT = datetime.datetime(2026, 12, 6, 14, 5, tzinfo=datetime.UTC)
LATIN = re.compile(r"[A-Za-z]")


def burmese_month_names() -> dict[str | tuple[str, str], str]:
    """The catalogue the lead fills for core/vendor_messages.py, here with CLDR's Burmese month names (Babel)."""
    months = Locale.parse("my").months["format"]
    wide, abbreviated = months["wide"], months["abbreviated"]
    catalogue: dict[str | tuple[str, str], str] = {}
    for number in range(1, 13):
        catalogue[vendor_messages.MONTHS[number - 1]] = wide[number]
        catalogue[vendor_messages.MONTHS_3[number - 1]] = abbreviated[number]
        catalogue[vendor_messages.MONTHS_AP[number - 1]] = abbreviated[number]
        catalogue[vendor_messages.MONTHS_ALT[number - 1]] = wide[number]
    return catalogue


@pytest.fixture
def burmese_catalogue(settings, tmp_path):
    settings.LOCALE_PATHS = [compile_catalogue(tmp_path, "my", burmese_month_names())]


def render(template: str, language: str, **values) -> str:
    with translation.override(language):
        return Template(template).render(Context(values))


def test_a_burmese_date_reads_day_then_the_burmese_month_then_the_year(burmese_catalogue):
    assert render("{{ day|date }}", "my", day=DAY) == "6 ဒီဇင်ဘာ 2026"
    assert render('{{ moment|date:"DATETIME_FORMAT" }}', "my", moment=MOMENT) == "6 ဒီဇင်ဘာ 2026, 14:05"
    assert render('{{ day|date:"SHORT_DATE_FORMAT" }}', "my", day=DAY) == "06/12/2026"


@pytest.mark.parametrize("month", range(1, 13))
@pytest.mark.parametrize(
    "shown", ["DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT", "MONTH_DAY_FORMAT", "F", "N", "M", "b", "E"]
)
def test_every_burmese_month_name_the_date_filter_writes_is_burmese(burmese_catalogue, month, shown):
    moment = MOMENT.replace(month=month)
    written = render(f'{{{{ moment|date:"{shown}" }}}}', "my", moment=moment)
    assert not LATIN.search(written), written


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("th", "6 ธันวาคม 2026"),
        ("zh-hans", "2026年12月6日"),
        ("vi", "ngày 6 tháng 12 năm 2026"),  # lower case: it is read mid-sentence ("từ ngày …"); Latin letters
        ("id", "6 Des. 2026"),
        ("en", "6 Dec 2026"),
    ],
)
def test_the_other_languages_dates_read_as_their_readers_write_them(language, written):
    assert render("{{ day|date }}", language, day=DAY) == written
