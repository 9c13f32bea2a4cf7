"""validate: cleaned values per row, a message per bad cell, and the raw row always kept."""

from datetime import date

import pytest

from lists.reading import MappingError, guess_mapping, read_table, validate

from .builders import HEADERS, PEOPLE, csv_bytes, xlsx_bytes

PUBLISHED = date(2025, 2, 20)


def rows_of(data, filename="list.csv", **kwargs):
    table = read_table(data, filename)
    return table, list(validate(table, guess_mapping(table.headers), published=PUBLISHED, **kwargs))


@pytest.mark.parametrize("build", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_a_good_list_reads_every_person(build):
    _table, rows = rows_of(build([HEADERS, *PEOPLE]), "list.csv" if build is csv_bytes else "list.xlsx")
    assert [row.ok for row in rows] == [True] * 4
    first, second, third, fourth = (row.values for row in rows)
    assert first["full_name"] == "Li Wei" and first["nationality"] == "CN" and first["sex"] == "M"
    assert first["birth"].year == 1996 and first["birth"].approximate
    assert first["passport_number"] == "E1234567" and first["number"] == 1
    assert second["nationality_as_written"] == "Viet Nam" and second["birth"].date == date(1999, 1, 20)
    assert second["sex"] == "F"
    assert third["birth"].year == 1999 and third["nationality"] == "TH"
    assert fourth["nationality"] == "MM" and fourth["sex"] == "M" and "passport_number" not in fourth


def test_each_bad_cell_gets_a_message_naming_the_row_the_field_and_the_value():
    _table, rows = rows_of(csv_bytes([HEADERS, *PEOPLE, [5, "Bad Row", "Atlantis", "abc", "X", "12"]]))
    bad = rows[-1]
    assert not bad.ok and bad.line == 6
    assert [str(m) for m in bad.errors] == [
        "row 6: nationality 'Atlantis' is not a country we recognise; write the country's name or its code "
        "(for example CN or VNM)",
        "row 6: birth date or age 'abc' is not an age, a birth year or a date "
        "(for example 29, 1986, 1999-01-20 or 20/01/1999)",
        "row 6: sex 'X' is not one of M/F, Male/Female, ชาย/หญิง, 男/女, Nam/Nữ, ကျား/မ, L/P",
        "row 6: passport number '12' is not a passport number (5 to 20 letters and digits)",
    ]
    assert [m.column for m in bad.errors] == [2, 3, 4, 5]
    assert bad.values["full_name"] == "Bad Row"  # what could be read still is


def test_nothing_is_lost_the_raw_row_keeps_every_cell_as_written():
    data = csv_bytes([["Name", "Sex", "Shoe size", "Extra"], ["Li Wei", "X", "42"], ["Mai", "F", "", "", "spill"]])
    table, rows = rows_of(data)
    assert rows[0].raw == ("Li Wei", "X", "42", "", "")
    assert rows[1].raw == ("Mai", "F", "", "", "spill")
    assert len(table.headers) == 5


def test_an_ambiguous_date_is_a_warning_not_an_error():
    _table, rows = rows_of(csv_bytes([["Name", "DOB"], ["Li Wei", "03/04/1999"]]))
    assert rows[0].ok
    assert [str(m) for m in rows[0].warnings] == [
        "row 2: birth date or age '03/04/1999' read as 1999-04-03 (day/month); it could be 1999-03-04"
    ]


def test_a_row_without_a_name_is_an_error():
    _table, rows = rows_of(csv_bytes([["Name", "Age"], ["", "29"], ["Mai", "30"]]))
    assert [str(m) for m in rows[0].errors] == ["row 2: the name is empty"]
    assert rows[1].ok


def test_family_and_given_names_make_the_full_name_in_the_order_of_their_script():
    data = csv_bytes([["姓", "名", "Nationality"], ["李", "伟", "CN"]])
    assert rows_of(data)[1][0].values["full_name"] == "李伟"
    data = csv_bytes([["First name", "Last name"], ["Gopal", "Tak"]])
    assert rows_of(data)[1][0].values["full_name"] == "Gopal Tak"


def test_the_first_filled_birth_column_is_read_and_notes_are_joined():
    data = csv_bytes([["Name", "DOB", "Age", "Remarks", "Notes"], ["Li Wei", "", "29", "KK Park", "injured"]])
    row = rows_of(data)[1][0]
    assert row.values["birth"].age == 29
    assert row.values["notes"] == "KK Park; injured"


def test_a_hyperlink_formula_in_a_csv_reads_as_its_text():
    data = csv_bytes([["Name"], ['=HYPERLINK("http://example.org/p/1","Li Wei")']])
    assert rows_of(data)[1][0].values["full_name"] == "Li Wei"


def test_every_iso_country_is_read_when_the_caller_passes_the_list():
    data = csv_bytes([["Name", "Nationality"], ["Ana Quispe", "Peru"]])
    assert rows_of(data, countries={"PE": "Peru"})[1][0].values["nationality"] == "PE"
    assert not rows_of(data)[1][0].ok


def test_a_mapping_without_a_name_column_is_refused_before_any_row():
    table = read_table(csv_bytes([["Age", "Sex"], ["29", "M"]]), "list.csv")
    with pytest.raises(MappingError, match="name"):
        validate(table, {0: "birth", 1: "sex"})


def test_a_thai_list_in_windows_874_reads_end_to_end():
    rows = [["ลำดับ", "ชื่อ-นามสกุล", "สัญชาติ", "อายุ", "เพศ"], ["1", "สมชาย รักดี", "ไทย", "29 ปี", "ชาย"]]
    _table, read = rows_of(csv_bytes(rows, encoding="cp874"))
    assert read[0].values["full_name"] == "สมชาย รักดี"
    assert (read[0].values["nationality"], read[0].values["sex"], read[0].values["birth"].year) == ("TH", "M", 1996)


def test_a_burmese_list_reads_end_to_end():
    rows = [["စဉ်", "အမည်", "နိုင်ငံသား", "အသက်", "ကျား/မ"], ["၁", "မောင်မောင်", "မြန်မာ", "၂၉", "ကျား"]]
    _table, read = rows_of(xlsx_bytes(rows), "list.xlsx")
    values = read[0].values
    assert (values["number"], values["nationality"], values["sex"], values["birth"].age) == (1, "MM", "M", 29)
