"""Cell values read the way lists write them: sex, birth (age, year or date), passport and phone numbers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .headers import fold, separators_to_spaces


class CellError(ValueError):
    """A cell that cannot be read; the message ends the sentence "row 14: sex 'X' ..."."""


# Thai, Burmese, Arabic-Indic and other decimal digits -> ASCII, so "๒๙" and "၂၉" read as 29.
_DIGITS = {c: str(unicodedata.digit(chr(c))) for c in range(0x0660, 0x1C60) if unicodedata.category(chr(c)) == "Nd"}


def plain(value: object) -> str:
    """A cell as clean text: NFKC digits and spaces, ASCII digits, whitespace collapsed."""
    text = str(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_DIGITS)
    return " ".join(text.split())


_HYPERLINK = re.compile(r'^=\s*HYPERLINK\s*\(\s*"[^"]*"\s*(?:[,;]\s*"([^"]*)"\s*)?\)\s*$', re.IGNORECASE)


def clean_text(value: object) -> str:
    """Text kept as written, trimmed; a CSV cell holding =HYPERLINK("url","Name") becomes its Name."""
    text = " ".join(str(value).split())
    match = _HYPERLINK.match(text) if text.startswith("=") else None
    if match:
        return match.group(1) or ""
    return text


SEX_FORMS = "M/F, Male/Female, ชาย/หญิง, 男/女, Nam/Nữ, ကျား/မ, L/P"
_SEX = {
    "M": ("m", "male", "man", "boy", "ชาย", "ช", "เพศชาย", "男", "男性", "nam", "ကျား", "l", "lakilaki", "laki",
          "lelaki", "pria"),
    "F": ("f", "female", "woman", "girl", "w", "หญิง", "ญ", "เพศหญิง", "女", "女性", "nu", "မ", "မိန်းမ", "p",
          "perempuan", "wanita"),
}  # fmt: skip
_SEX_LOOKUP = {form: code for code, forms in _SEX.items() for form in forms}


def parse_sex(value: object) -> str | None:
    """'M' or 'F'; None for an empty cell."""
    code = _sex_code(str(value))
    if code == "?":
        raise CellError(_("is not one of %(forms)s") % {"forms": SEX_FORMS})
    return code


@lru_cache(maxsize=4096)  # a sex column holds a handful of distinct values
def _sex_code(value: str) -> str | None:
    text = plain(value)
    if not text:
        return None
    return _SEX_LOOKUP.get(separators_to_spaces(fold(text)).replace(" ", ""), "?")


@dataclass(frozen=True)
class Birth:
    """What a list says about birth. `year` is always set; `date` only when the list gave a full date."""

    year: int
    date: date | None = None
    age: int | None = None  # the age as written, when the list gave an age
    approximate: bool = False  # the year is estimated from an age (it may be one year earlier)
    note: str = ""  # how an unusual form was read, for the user to check


BUDDHIST_ERA = 543
EXCEL_EPOCH = date(1899, 12, 30)
MONTHS = {
    **{m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                   "dec"], start=1)},
    **{m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august",
                                   "september", "october", "november", "december"], start=1)},
    **{m: i for i, m in enumerate(["มค", "กพ", "มีค", "เมย", "พค", "มิย", "กค", "สค", "กย", "ตค", "พย", "ธค"], start=1)},
    **{m: i for i, m in enumerate(["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
                                   "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"], start=1)},
    "sept": 9,
}  # fmt: skip
_AGE_UNITS = r"(?:y|yr|yrs|year|years|years old|yo|y/o|ปี|岁|歲|tuoi|thn|th|tahun|နှစ်)"
_AGE_PREFIX = r"(?:age|aged|อายุ|年龄|年齡|tuoi|umur|usia|အသက်)"
_AGE = re.compile(rf"^(?:{_AGE_PREFIX}\s*:?\s*)?(\d{{1,3}})\s*(?:{_AGE_UNITS}\.?)?$")
_YEAR = re.compile(r"^(?:พ\.?ศ\.?|ค\.?ศ\.?|nam|tahun)?\s*(\d{4})\s*(?:年|ปี)?$")
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4}|\d{2})$")
_YEAR_MONTH = re.compile(r"^(?:(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?|(\d{1,2})\s*[-/.]\s*(\d{4}))$")
_DAY_MONTH_NAME = re.compile(r"^(\d{1,2})\s*[- .]?\s*([^\s\d,.-]+)\s*[-,. ]?\s*(\d{4}|\d{2})$")
_MONTH_NAME_DAY = re.compile(r"^([^\s\d,.-]+)\s*[- .]?\s*(\d{1,2})\s*[-,. ]+\s*(\d{4})$")

NOT_BIRTH = gettext_noop("is not an age, a birth year or a date (for example 29, 1986, 1999-01-20 or 20/01/1999)")


def _era(year: int, published: date) -> tuple[int, str]:
    """A Buddhist-era year (2542) as the common era (1999); other years unchanged."""
    if published.year + 100 < year <= published.year + BUDDHIST_ERA:
        common = year - BUDDHIST_ERA
        return common, _("read as %(common)s (Buddhist era %(year)s)") % {"common": common, "year": year}
    return year, ""


def _full_year(year: int, digits: int, published: date) -> int:
    if digits == 2:
        return 2000 + year if 2000 + year <= published.year else 1900 + year
    return year


def _checked(birth: Birth, published: date) -> Birth:
    if birth.year > published.year or (birth.date and birth.date > published):
        raise CellError(_("is after the list's date (%(date)s)") % {"date": published.isoformat()})
    if birth.year < published.year - 120:
        raise CellError(_("is more than 120 years before the list's date"))
    return birth


def _make_date(year: int, month: int, day: int, published: date, note: str = "") -> Birth:
    year, era_note = _era(year, published)
    try:
        exact = date(year, month, day)
    except ValueError as error:
        raise CellError(_("is not a real date")) from error
    return _checked(Birth(year=year, date=exact, note="; ".join(n for n in (note, era_note) if n)), published)


def _from_number(number: float, published: date) -> Birth:
    if not number.is_integer():
        raise CellError(_(NOT_BIRTH))
    whole = int(number)
    if 0 <= whole <= 120:
        return Birth(year=published.year - whole, age=whole, approximate=True)
    if 1800 <= whole <= published.year + 100 or published.year + 100 < whole <= published.year + BUDDHIST_ERA:
        year, note = _era(whole, published)
        return _checked(Birth(year=year, note=note), published)
    if 3000 <= whole <= (published - EXCEL_EPOCH).days:
        exact = EXCEL_EPOCH + timedelta(days=whole)
        note = _("read as %(date)s (an Excel date number)") % {"date": exact.isoformat()}
        return _checked(Birth(year=exact.year, date=exact, note=note), published)
    raise CellError(_(NOT_BIRTH))


def _numeric_date(first: int, second: int, year: int, published: date, day_first: bool) -> Birth:
    """01/02/1999: the order is plain when one part is over 12; otherwise read day first and say so."""
    if first > 12 or first == second:
        return _make_date(year, second, first, published)
    if second > 12:
        return _make_date(year, first, second, published, _("read as month/day"))
    day, month = (first, second) if day_first else (second, first)
    birth = _make_date(year, month, day, published)
    assert birth.date is not None
    other = date(birth.date.year, day, month)
    if day_first:
        note = _("read as %(read)s (day/month); it could be %(other)s")
    else:
        note = _("read as %(read)s (month/day); it could be %(other)s")
    note = note % {"read": birth.date.isoformat(), "other": other.isoformat()}
    return Birth(year=birth.year, date=birth.date, note="; ".join(n for n in (note, birth.note) if n))


def parse_birth(value: object, *, published: date, day_first: bool = True) -> Birth | None:
    """An age (29), a year (1986, 2529 BE), a date (1999-01-20, 20/01/1999, 20 Jan 1999, Excel cell or serial).

    Ages become a birth year counted back from `published`, marked approximate. Day/month that could be swapped
    is read day first (the custom across South-East Asia) unless day_first is False, and says so in `note`.
    """
    birth, problem = _birth_cached(value, published, day_first)
    if problem is not None:
        raise CellError(problem)
    return birth


@lru_cache(maxsize=65536)  # ages and years repeat across a list; the same cell text is read once
def _birth_cached(value: object, published: date, day_first: bool) -> tuple[Birth | None, str | None]:
    try:
        return _parse_birth(value, published=published, day_first=day_first), None
    except CellError as error:
        return None, str(error)


def _parse_birth(value: object, *, published: date, day_first: bool = True) -> Birth | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        exact = value.date() if isinstance(value, datetime) else value
        return _checked(Birth(year=exact.year, date=exact), published)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_number(float(value), published)
    text = plain(value)
    if not text:
        return None
    folded = fold(text)
    if re.fullmatch(r"\d+(?:\.0+)?", text):
        return _from_number(float(text), published)
    if match := _AGE.match(folded):
        age = int(match.group(1))
        if age > 120:
            raise CellError(_(NOT_BIRTH))
        return Birth(year=published.year - age, age=age, approximate=True)
    if match := _YEAR.match(folded):
        return _from_number(float(match.group(1)), published)
    if match := _YMD.match(folded):
        return _make_date(int(match.group(1)), int(match.group(2)), int(match.group(3)), published)
    if match := _NUMERIC_DATE.match(folded):
        first, second, year_text = match.groups()
        year = _full_year(int(year_text), len(year_text), published)
        return _numeric_date(int(first), int(second), year, published, day_first)
    if match := _DAY_MONTH_NAME.match(folded.replace(".", "")) or _MONTH_NAME_DAY.match(folded):
        groups = match.groups()
        day_text, month_text = (groups[0], groups[1]) if groups[0].isdigit() else (groups[1], groups[0])
        month = MONTHS.get(month_text.rstrip("."))
        if month is not None:
            year = _full_year(int(groups[2]), len(groups[2]), published)
            return _make_date(year, month, int(day_text), published)
    if match := _YEAR_MONTH.match(folded):
        year_text = match.group(1) or match.group(4)
        year, note = _era(int(year_text), published)
        return _checked(Birth(year=year, note=note), published)
    raise CellError(_(NOT_BIRTH))


_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")


def parse_passport(value: object) -> str | None:
    """Upper-case letters and digits without spaces or dashes ('e 1234-567' -> 'E1234567')."""
    text = re.sub(r"[\s\-./]", "", plain(value)).upper()
    if not text:
        return None
    if not _PASSPORT.match(text):
        raise CellError(_("is not a passport number (5 to 20 letters and digits)"))
    return text


_PHONE_SPLIT = re.compile(r"\s*[,;/\n]\s*|\s+(?:or|และ|hoặc|或)\s+")


def parse_phones(value: object) -> tuple[str, ...]:
    """Every number in the cell ('081 234 5678 / +95 9 123 456 789'), as digits with a leading + kept."""
    text = plain(value)
    if not text:
        return ()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    numbers = []
    for part in _PHONE_SPLIT.split(text):
        digits = re.sub(r"\D", "", part)
        if not digits:
            continue
        if len(digits) < 6 or len(digits) > 15:
            raise CellError(_("is not a phone number (6 to 15 digits)"))
        numbers.append(("+" if part.lstrip().startswith("+") else "") + digits)
    return tuple(numbers)


def parse_number(value: object) -> int | str | None:
    """The list's own row number: an integer when it is one, else the text as written."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    text = plain(value)
    return int(text) if text.isdigit() else (text or None)
