"""guess_mapping in every language of the border, and the user's COLUMN=FIELD overrides."""

import pytest

from lists.reading import MappingError, apply_overrides, column_letter, guess_mapping


@pytest.mark.parametrize(
    ("headers", "fields"),
    [
        (["No.", "Name", "Nationality", "DOB/Age", "Sex", "Passport No.", "Phone", "Compound", "Remarks"],
         ["number", "full_name", "nationality", "birth", "sex", "passport_number", "phone", "compound", "notes"]),
        (["序号", "姓名", "国籍", "年龄", "性别", "护照号", "电话", "园区", "备注"],
         ["number", "full_name", "nationality", "birth", "sex", "passport_number", "phone", "compound", "notes"]),
        (["序號", "姓名", "國籍", "年齡", "性別", "護照號碼", "電話", "園區", "備註"],
         ["number", "full_name", "nationality", "birth", "sex", "passport_number", "phone", "compound", "notes"]),
        (["ลำดับ", "ชื่อ-นามสกุล", "สัญชาติ", "อายุ", "เพศ", "เลขที่หนังสือเดินทาง", "เบอร์โทร", "หมายเหตุ"],
         ["number", "full_name", "nationality", "birth", "sex", "passport_number", "phone", "notes"]),
        (["စဉ်", "အမည်", "နိုင်ငံသား", "အသက်", "ကျား/မ", "နိုင်ငံကူးလက်မှတ်", "ဖုန်း", "မှတ်ချက်"],
         ["number", "full_name", "nationality", "birth", "sex", "passport_number", "phone", "notes"]),
        (["STT", "Họ tên", "Quốc tịch", "Ngày sinh", "Giới tính", "Số hộ chiếu", "Số điện thoại", "Ghi chú"],
         ["number", "full_name", "nationality", "birth", "sex", "passport_number", "phone", "notes"]),
        (["No", "Nama", "Kewarganegaraan", "Umur", "Jenis Kelamin", "No. Paspor"],
         ["number", "full_name", "nationality", "birth", "sex", "passport_number"]),
    ],
    ids=["english", "chinese-simplified", "chinese-traditional", "thai", "burmese", "vietnamese", "indonesian"],
)  # fmt: skip
def test_headings_in_each_language_are_recognised(headers, fields):
    assert guess_mapping(headers) == dict(enumerate(fields))


def test_burmese_headings_typed_in_zawgyi_are_recognised():
    # Zawgyi written out by code point (asat as U+1039, ya-pin U+103A, medial wa U+103D, na-ngin U+108F):
    # စဥ္ အမည္ ႏိုင္ငံသား အသက္ က်ား/မ ဖုန္း, the Burmese headings above as a Zawgyi keyboard types them.
    headers = [
        "\u1005\u1025\u1039", "\u1021\u1019\u100a\u1039",
        "\u108f\u102d\u102f\u1004\u1039\u1004\u1036\u101e\u102c\u1038", "\u1021\u101e\u1000\u1039",
        "\u1000\u103a\u102c\u1038/\u1019", "\u1016\u102f\u1014\u1039\u1038",
    ]  # fmt: skip
    assert guess_mapping(headers) == dict(enumerate(["number", "full_name", "nationality", "birth", "sex", "phone"]))


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("Passport Number (if known)", "passport_number"),
        ("PassportNo", "passport_number"),
        ("passport_no", "passport_number"),
        ("Date of Birth", "birth"),
        ("D.O.B.", "birth"),
        ("Ho ten", "full_name"),  # Vietnamese typed without its marks
        ("Full name (English)", "full_name"),
        ("Case no.", "external_reference"),
        ("Reference", "external_reference"),
        ("ID", "external_reference"),
        ("Alias", "other_names"),
        ("#", "number"),
        ("出生日期", "birth"),
        ("วันเดือนปีเกิด", "birth"),
        ("Phone no.", "phone"),
    ],
)
def test_headings_written_in_other_ways_are_recognised(heading, field):
    assert guess_mapping([heading]) == {0: field}


def test_headings_that_name_nothing_are_left_unmapped():
    assert guess_mapping(["Photo", "", None, "Page", "Status"]) == {}


def test_name_beside_a_surname_column_is_the_given_name():
    assert guess_mapping(["ชื่อ", "นามสกุล"]) == {0: "given_name", 1: "family_name"}
    assert guess_mapping(["First name", "Last name"]) == {0: "given_name", 1: "family_name"}
    assert guess_mapping(["姓", "名"]) == {0: "family_name", 1: "given_name"}


def test_a_second_name_column_becomes_other_names_and_both_birth_columns_are_kept():
    mapping = guess_mapping(["Name (English)", "中文姓名", "DOB", "Age", "Sex", "Gender"])
    assert mapping == {0: "full_name", 1: "other_names", 2: "birth", 3: "birth", 4: "sex"}


def test_overrides_name_a_column_by_heading_letter_or_number_and_a_field_by_name_or_heading():
    headers = ["No.", "Person", "Country of birth", "Remarks"]
    mapping = guess_mapping(headers)
    result = apply_overrides(headers, mapping, ["Person=full_name", "C=国籍", "4=ignore", "1=external_reference"])
    assert result == {0: "external_reference", 1: "full_name", 2: "nationality"}


def test_an_override_moves_a_single_field_rather_than_doubling_it():
    headers = ["Name", "English name"]
    assert apply_overrides(headers, {0: "full_name"}, ["B=name"]) == {1: "full_name"}


@pytest.mark.parametrize(
    ("override", "words"),
    [("Nmae=full_name", "No column is headed 'Nmae'"), ("Z=full_name", "The columns are: A No., B Name"),
     ("B=favourite_colour", "is not a field"), ("B", "COLUMN=FIELD")],
)  # fmt: skip
def test_a_bad_override_says_what_is_wrong(override, words):
    with pytest.raises(MappingError, match=words):
        apply_overrides(["No.", "Name"], {}, [override])


def test_column_letters_run_like_a_spreadsheets():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]
