"""Values read the way lists write them: sex, nationality, birth as age, year or date, passports, phones."""

from datetime import date, datetime

import pytest

from lists.reading import CellError, parse_birth, parse_nationality, parse_passport, parse_phones, parse_sex

PUBLISHED = date(2025, 2, 20)


@pytest.mark.parametrize(
    "written", ["M", "m", "Male", "MALE", "ชาย", "男", "男性", "Nam", "ကျား", "L", "Laki-laki", "Pria", " M. "]
)
def test_male_in_every_form(written):
    assert parse_sex(written) == "M"


@pytest.mark.parametrize("written", ["F", "Female", "หญิง", "女", "Nữ", "nu", "မ", "P", "Perempuan", "Wanita"])
def test_female_in_every_form(written):
    assert parse_sex(written) == "F"


@pytest.mark.parametrize(
    ("written", "code"),
    [("\u1000\u103a\u102c\u1038", "M"), ("\u1019\u102d\u1014\u1039\u1038\u1019", "F")],
    ids=["kyar-zawgyi", "meinma-zawgyi"],
)
def test_sex_written_in_burmese_zawgyi_is_read(written, code):
    assert parse_sex(written) == code  # က်ား and မိန္းမ: ya-pin U+103A and asat U+1039 as Zawgyi writes them


def test_a_nationality_written_in_burmese_zawgyi_is_read():
    assert parse_nationality("\u103b\u1019\u1014\u1039\u1019\u102c") == "MM"  # ျမန္မာ, Myanmar in Zawgyi
    assert parse_nationality("\u1010\u1090\u102f\u1010\u1039") == "CN"  # တ႐ုတ္, China in Zawgyi


def test_an_unknown_sex_lists_the_accepted_forms():
    with pytest.raises(CellError, match="M/F, Male/Female, ชาย/หญิง, 男/女"):
        parse_sex("X")
    assert parse_sex("  ") is None


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("China", "CN"), ("CHN", "CN"), ("cn", "CN"), ("中国", "CN"), ("中國", "CN"), ("จีน", "CN"), ("တရုတ်", "CN"),
        ("Trung Quốc", "CN"), ("Chinese", "CN"), ("P.R. China", "CN"),
        ("Viet Nam", "VN"), ("Vietnam", "VN"), ("VNM", "VN"), ("Việt Nam", "VN"), ("越南", "VN"), ("เวียดนาม", "VN"),
        ("Burma", "MM"), ("Myanmar", "MM"), ("พม่า", "MM"), ("မြန်မာ", "MM"), ("緬甸", "MM"),
        ("Ethiopian", "ET"), ("埃塞俄比亚", "ET"), ("India", "IN"), ("Ấn Độ", "IN"), ("Filipino", "PH"),
        ("Indonesia", "ID"), ("印尼", "ID"), ("Taiwan", "TW"), ("臺灣", "TW"), ("Sri Lanka", "LK"),
        ("NGA", "NG"), ("Nga", "RU"),  # capitals are a code (Nigeria), a word is Vietnamese (Russia)
        ("สัญชาติจีน", "CN"), ("Stateless", "XX"), ("無國籍", "XX"),
    ],
)  # fmt: skip
def test_nationality_as_name_or_code_in_each_language(written, code):
    assert parse_nationality(written) == code


def test_countries_beyond_the_table_come_from_the_callers_list():
    assert parse_nationality("Peru") is None
    countries = {"PE": "Peru", "FR": "France"}
    assert parse_nationality("Peru", countries) == "PE"
    assert parse_nationality("FR", countries) == "FR"


@pytest.mark.parametrize(
    ("written", "year", "age"),
    [(29, 1996, 29), ("29", 1996, 29), ("29 yrs", 1996, 29), ("29 ปี", 1996, 29), ("29岁", 1996, 29),
     ("29 tuổi", 1996, 29), ("อายุ 29 ปี", 1996, 29), ("๒๙", 1996, 29), ("၂၉", 1996, 29), ("２９", 1996, 29),
     (29.0, 1996, 29)],
)  # fmt: skip
def test_an_age_becomes_an_approximate_birth_year_from_the_published_date(written, year, age):
    birth = parse_birth(written, published=PUBLISHED)
    assert (birth.year, birth.age, birth.approximate, birth.date) == (year, age, True, None)


@pytest.mark.parametrize("written", [1986, "1986", "1986年", "ค.ศ. 1986", 2529, "2529", "พ.ศ. 2529", "năm 1986"])
def test_a_birth_year_in_either_era(written):
    birth = parse_birth(written, published=PUBLISHED)
    assert (birth.year, birth.date, birth.approximate) == (1986, None, False)


def test_a_buddhist_era_year_says_how_it_was_read():
    assert parse_birth("2542", published=PUBLISHED).note == "read as 1999 (Buddhist era 2542)"


@pytest.mark.parametrize(
    "written",
    ["1999-01-20", "1999/1/20", "1999.01.20", "1999年1月20日", "20/01/1999", "20-01-1999", "20.1.1999", "20/01/99",
     "20 Jan 1999", "20-Jan-1999", "January 20, 1999", "20 ม.ค. 2542", "20 มกราคม 2542", "20/01/2542",
     datetime(1999, 1, 20), date(1999, 1, 20), 36180, "36180"],
)  # fmt: skip
def test_the_same_date_in_every_form(written):
    birth = parse_birth(written, published=PUBLISHED)
    assert (birth.year, birth.date, birth.approximate) == (1999, date(1999, 1, 20), False)


def test_month_first_is_read_when_the_day_cannot_be_a_month_and_says_so():
    birth = parse_birth("1/20/1999", published=PUBLISHED)
    assert birth.date == date(1999, 1, 20)
    assert birth.note == "read as month/day"


def test_an_ambiguous_day_and_month_is_read_day_first_and_flagged():
    birth = parse_birth("03/04/1999", published=PUBLISHED)
    assert birth.date == date(1999, 4, 3)
    assert birth.note == "read as 1999-04-03 (day/month); it could be 1999-03-04"
    assert parse_birth("03/04/1999", published=PUBLISHED, day_first=False).date == date(1999, 3, 4)
    assert parse_birth("04/04/1999", published=PUBLISHED).note == ""


def test_an_excel_date_number_says_how_it_was_read():
    assert "Excel" in parse_birth(36180, published=PUBLISHED).note


def test_a_year_and_month_gives_the_year():
    assert parse_birth("1999-01", published=PUBLISHED).year == 1999
    assert parse_birth("01/1999", published=PUBLISHED).year == 1999


@pytest.mark.parametrize(
    ("written", "reason"),
    [("abc", "is not an age, a birth year or a date"), ("31/02/1999", "is not a real date"),
     ("2030", "is after the list's date"), ("1850", "more than 120 years"), (500, "is not an age"),
     ("29.5", "is not an age"), ("13/13/1999", "is not a real date"), (date(2026, 1, 1), "after the list's date")],
)  # fmt: skip
def test_a_birth_that_cannot_be_read_says_why(written, reason):
    with pytest.raises(CellError, match=reason):
        parse_birth(written, published=PUBLISHED)


def test_passports_lose_spaces_and_dashes_and_bad_ones_are_refused():
    assert parse_passport("e 1234-567") == "E1234567"
    assert parse_passport("") is None
    for bad in ("12", "E12345678901234567890X", "护照123456"):
        with pytest.raises(CellError, match="is not a passport number"):
            parse_passport(bad)


def test_every_phone_number_in_a_cell_is_kept():
    assert parse_phones("081 234 5678 / +95 9 123 456 789") == ("0812345678", "+959123456789")
    assert parse_phones(66812345678.0) == ("66812345678",)
    with pytest.raises(CellError, match="is not a phone number"):
        parse_phones("12 34")
