"""De-identified statistics: counts by age band, sex, citizenship, exploitation and control, small groups hidden.

Groups of fewer than STATISTICS_MIN_GROUP people are shown as SUPPRESSED, so no published figure singles anyone out.
"""

from collections import Counter
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from places.codes import COUNTRY_NAMES, EXPLOITATION_CHOICES, HTCDS_SEX_CHOICES, MEANS_OF_CONTROL_CHOICES

from .exports import Labels
from .models import Victim

# CTDC's age bands (years at registration); anything older than the last band is "48+".
AGE_BANDS: tuple[tuple[int, int], ...] = (
    (0, 8),
    (9, 17),
    (18, 20),
    (21, 23),
    (24, 26),
    (27, 29),
    (30, 38),
    (39, 47),
)
STATISTICS_MIN_GROUP = 11  # k: a published group of fewer people could single someone out
SUPPRESSED = "<11"


def age_band(age: int | None) -> str:
    if age is None:
        return _("Unknown")
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return f"{AGE_BANDS[-1][1] + 1}+"


def age_at(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_at_registration(*, date_of_birth: date | None, estimated_age: int | None, registered_on: date) -> int | None:
    """Age when the case was registered: from the date of birth if known, else the caseworker's estimate."""
    if date_of_birth is not None:
        return max(age_at(date_of_birth, registered_on), 0)
    return estimated_age


STATISTICS_TABLES = {
    # table name: the group columns it fills, in the order of STATISTICS_GROUP_COLUMNS
    "demographics": ("age_band", "sex", "citizenship"),
    "exploitation": ("exploitation_type",),
    "means_of_control": ("means_of_control",),
}
STATISTICS_GROUP_COLUMNS = ("age_band", "sex", "citizenship", "exploitation_type", "means_of_control")


def statistics_header() -> list[str]:
    return [
        _("table"),
        _("year of registration"),
        _("age band"),
        _("sex"),
        _("citizenship"),
        _("type of exploitation"),
        _("means of control"),
        _("people"),
    ]


def statistics(*, organization: Organization) -> tuple[list[list[Any]], int]:
    """The organisation's cases counted by year of registration and one dimension set per table (CTDC style).

    Tables: demographics (age band × sex × citizenship), exploitation type, means of control (a person with
    several types counts once in each). Any group of fewer than k people is left out; each table then ends with
    one "suppressed" line per year giving how many people those groups held ("<11" when fewer than k).
    One query; returns (rows, number of people counted).
    """
    unknown = _("Unknown")
    sex_label = Labels(HTCDS_SEX_CHOICES)  # coded to HTCDS, whatever the pages say
    exploitation_label = dict(EXPLOITATION_CHOICES)
    control_label = dict(MEANS_OF_CONTROL_CHOICES)
    tz = organization.tzinfo
    counters: dict[str, Counter] = {name: Counter() for name in STATISTICS_TABLES}
    people = 0
    records = (
        Victim.objects.visible_to(organization)
        .order_by()
        .values_list(
            "created_at",
            "date_of_birth",
            "estimated_age",
            "sex",
            "citizenship",
            "exploitation_types",
            "means_of_control",
        )
    )
    for created_at, born, estimated, sex, citizenship, exploitation, control in records.iterator(chunk_size=2000):
        people += 1
        registered_on = timezone.localtime(created_at, tz).date()
        year = registered_on.year
        band = age_band(age_at_registration(date_of_birth=born, estimated_age=estimated, registered_on=registered_on))
        counters["demographics"][(year, band, sex_label(sex) or unknown, COUNTRY_NAMES.get(citizenship, unknown))] += 1
        for code in exploitation or [""]:
            counters["exploitation"][(year, str(exploitation_label.get(code, unknown)) if code else unknown)] += 1
        for code in control or [""]:
            counters["means_of_control"][(year, str(control_label.get(code, unknown)) if code else unknown)] += 1

    rows: list[list[Any]] = []
    for table, columns in STATISTICS_TABLES.items():
        hidden_by_year: Counter = Counter()
        for key in sorted(counters[table], key=lambda k: tuple(str(part) for part in k)):
            count = counters[table][key]
            year, *group = key
            if count < STATISTICS_MIN_GROUP:
                hidden_by_year[year] += count
                continue
            cells = dict(zip(columns, group, strict=True))
            rows.append([table, year, *(cells.get(name, "") for name in STATISTICS_GROUP_COLUMNS), count])
        for year in sorted(hidden_by_year):
            hidden = hidden_by_year[year]
            shown = SUPPRESSED if hidden < STATISTICS_MIN_GROUP else hidden
            rows.append([table, year, *([_("suppressed groups")] + [""] * (len(STATISTICS_GROUP_COLUMNS) - 1)), shown])
    return rows, people
