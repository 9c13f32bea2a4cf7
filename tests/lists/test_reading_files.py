"""read_table: encodings, delimiters, workbooks, heading rows, and the files it refuses."""

import hashlib
import io

import pytest

from lists.reading import Limits, UnreadableFile, read_table

from .builders import HEADERS, PEOPLE, csv_bytes, with_cached_formula_values, xlsx_bytes

THAI = [["ลำดับ", "ชื่อ-นามสกุล", "สัญชาติ", "อายุ", "เพศ"], ["1", "สมชาย รักดี", "ไทย", "29", "ชาย"],
        ["2", "สมหญิง ใจดี", "ลาว", "31", "หญิง"]]  # fmt: skip
CHINESE = [["序号", "姓名", "国籍", "年龄", "性别", "护照号"], ["1", "李伟", "中国", "29", "男", "E1234567"],
           ["2", "王芳", "中国", "35", "女", "E7654321"], ["3", "陈小明", "越南", "22", "男", "E1112223"]]  # fmt: skip
VIETNAMESE = [["STT", "Họ tên", "Quốc tịch", "Năm sinh", "Giới tính"],
              ["1", "Phạm Xuân Khoa", "Việt Nam", "1990", "Nam"],
              ["2", "Đặng Thu Hà", "Việt Nam", "1995", "Nữ"]]  # fmt: skip


@pytest.mark.parametrize(
    ("rows", "encoding"),
    [
        (VIETNAMESE, "utf-8"),
        (VIETNAMESE, "utf-8-sig"),
        (VIETNAMESE, "utf-16"),  # Excel's "Unicode text" has a BOM
        (VIETNAMESE, "utf-16-le"),  # and some tools leave it out
        (CHINESE, "gb18030"),
        (CHINESE, "big5"),
        (THAI, "cp874"),
    ],
)
def test_csv_in_each_common_encoding_reads_the_names_as_written(rows, encoding):
    if encoding == "big5":
        rows = [[cell.replace("国", "國").replace("伟", "偉").replace("陈", "陳") for cell in r] for r in rows]
        rows[0] = ["序號", "姓名", "國籍", "年齡", "性別", "護照號"]
    table = read_table(csv_bytes(rows, encoding=encoding), "list.csv")
    assert table.headers == tuple(rows[0])
    assert [cells for _line, cells in table.rows] == [tuple(r) for r in rows[1:]]


def test_a_legacy_encoding_is_named_so_the_user_can_check_the_names():
    table = read_table(csv_bytes(THAI, encoding="cp874"), "list.csv")
    assert table.encoding == "cp874"
    assert "Thai" in table.notes[0]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_found(delimiter):
    table = read_table(csv_bytes([HEADERS, *PEOPLE], delimiter=delimiter), "list.csv")
    assert table.delimiter == delimiter
    assert table.headers == tuple(HEADERS)
    assert table.rows[1][1][1] == "Nguyễn Thị Mai"


def test_a_quoted_cell_with_the_delimiter_and_a_line_break_stays_one_cell():
    data = b'Name,Notes\r\n"Li, Wei","seen in KK Park\nmoved to Shwe Kokko"\r\nMai,\r\n'
    table = read_table(data, "list.csv")
    assert table.rows[0][1] == ("Li, Wei", "seen in KK Park\nmoved to Shwe Kokko")
    assert table.rows[1][0] == 3


def test_the_sha256_is_that_of_the_file_as_uploaded():
    data = csv_bytes([HEADERS, *PEOPLE])
    assert read_table(io.BytesIO(data), "list.csv").sha256 == hashlib.sha256(data).hexdigest()
    assert read_table(data, "list.csv").size == len(data)


def test_a_path_and_an_open_file_read_the_same(tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx_bytes([HEADERS, *PEOPLE]))
    with path.open("rb") as handle:
        from_handle = read_table(handle, "list.xlsx")
    assert read_table(path, "list.xlsx").rows == from_handle.rows


def test_a_title_above_the_headings_is_kept_apart_and_row_numbers_match_the_file():
    rows = [["Released by BGF, published 20 Feb 2025"], [], HEADERS, *PEOPLE]
    for table in (read_table(csv_bytes(rows), "list.csv"), read_table(xlsx_bytes(rows), "list.xlsx")):
        assert table.header_line == 3
        assert table.headers == tuple(HEADERS)
        assert table.preamble == (("Released by BGF, published 20 Feb 2025",),)
        assert [line for line, _cells in table.rows] == [4, 5, 6, 7]


def test_empty_rows_between_people_are_skipped_but_numbers_stay_true():
    table = read_table(xlsx_bytes([HEADERS, PEOPLE[0], [], [None, None], PEOPLE[1]]), "list.xlsx")
    assert [line for line, _cells in table.rows] == [2, 5]


def test_a_merged_heading_over_two_sub_headings_names_both_columns():
    rows = [["No.", "Name", None, "Nationality"], [None, "Family", "Given", None], [1, "Li", "Wei", "China"]]
    table = read_table(xlsx_bytes(rows, merge=["B1:C1", "A1:A2", "D1:D2"]), "list.xlsx")
    assert table.headers == ("No.", "Name Family", "Name Given", "Nationality")
    assert table.rows == [(3, (1, "Li", "Wei", "China"))]


def test_header_line_can_be_forced_and_zero_means_no_headings():
    rows = [["1", "Li Wei", "China"], ["2", "Mai", "Vietnam"]]
    table = read_table(csv_bytes(rows), "list.csv", header_line=0)
    assert table.headers == ("", "", "")
    assert len(table) == 2
    assert table.column_label(1) == "B"


def test_xlsx_cells_keep_their_types_and_dates():
    from datetime import datetime

    rows = [HEADERS, [1, "Li Wei", "China", datetime(1999, 1, 20), "M", "E1234567"]]
    table = read_table(xlsx_bytes(rows), "list.xlsx")
    assert table.rows[0][1] == (1, "Li Wei", "China", datetime(1999, 1, 20), "M", "E1234567")
    assert table.format == "xlsx" and table.sheet == "Sheet1"


def test_the_first_sheet_with_data_is_read_and_the_others_are_named():
    data = xlsx_bytes([HEADERS, *PEOPLE], title="List", before=[("Cover", []), ("Old", [["Name"], ["X"]])],
                      hidden_first=False)  # fmt: skip
    table = read_table(data, "list.xlsx")
    assert table.sheet == "Old"
    assert "List" in table.notes[0]
    assert read_table(data, "list.xlsx", sheet="List").headers == tuple(HEADERS)


def test_a_hidden_sheet_is_passed_over_for_a_visible_one():
    data = xlsx_bytes([HEADERS, *PEOPLE], title="List", before=[("Hidden", [["Name"], ["X"]])], hidden_first=True)
    assert read_table(data, "list.xlsx").sheet == "List"


def test_formulas_read_as_the_values_excel_saved():
    rows = [["Name", "Profile"], ["Li Wei", '=HYPERLINK("http://example.org/p/1","Li Wei profile")']]
    data = with_cached_formula_values(xlsx_bytes(rows), {"B2": "Li Wei profile"})
    assert read_table(data, "list.xlsx").rows[0][1] == ("Li Wei", "Li Wei profile")


def test_a_wrong_declared_size_does_not_cut_the_sheet_short():
    import re
    import zipfile

    data = xlsx_bytes([HEADERS, *PEOPLE])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B2"', content)
            target.writestr(info, content)
    assert len(read_table(out.getvalue(), "list.xlsx")) == 4


# --- refusals -------------------------------------------------------------------------------------------------


def refusal(data, filename="list.csv", **kwargs):
    with pytest.raises(UnreadableFile) as caught:
        read_table(data, filename, **kwargs)
    return str(caught.value)


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b" \r\n\r\n", b",,,\r\n,,\r\n"])
def test_an_empty_file_is_refused_as_empty(data):
    assert "empty" in refusal(data)


def test_an_empty_workbook_is_refused():
    assert "no sheet with data" in refusal(xlsx_bytes([]), "list.xlsx")


def test_headings_without_people_are_refused():
    assert "no rows" in refusal(csv_bytes([HEADERS]))


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"%PDF-1.7\n...", "PDF"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "picture"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "picture"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "Workbook".encode("utf-16-le"), ".xls"),
        (b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 4, "not a spreadsheet"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_says_what_it_is(data, words):
    assert words in refusal(data)


def test_a_password_protected_workbook_says_so():
    # An encrypted workbook is an OLE container with EncryptionInfo and EncryptedPackage streams.
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "EncryptionInfo".encode("utf-16-le")
    assert "password" in refusal(data, "list.xlsx")


def test_zips_that_are_not_workbooks_are_refused():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    assert ".ods" in refusal(out.getvalue(), "list.ods")
    damaged = xlsx_bytes([HEADERS, *PEOPLE])[:400]
    assert "damaged" in refusal(damaged, "list.xlsx")


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read():
    class Upload(io.BytesIO):
        size = 50 * 1024 * 1024  # what Django's UploadedFile reports

        def read(self, *args):
            raise AssertionError("read although the size was known")

    assert "50 MB" in refusal(Upload(), "big.csv")


def test_a_stream_that_grows_past_the_byte_limit_is_refused():
    class Stream:
        def read(self, size=-1):
            return b"a,b\r\n" * 1000

    assert "at most 1 MB" in refusal(Stream(), "big.csv", limits=Limits(max_bytes=1024 * 1024))


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_more_rows_than_the_limit_is_refused_and_the_limit_itself_is_not(kind):
    rows = [["Name", "Age"]] + [[f"Person {i}", 30] for i in range(50)]
    build = csv_bytes if kind == "csv" else xlsx_bytes
    assert len(read_table(build(rows), f"l.{kind}", limits=Limits(max_rows=50))) == 50
    assert "more than 49 rows" in refusal(build(rows), f"l.{kind}", limits=Limits(max_rows=49))


def test_the_default_row_limit_is_one_hundred_thousand():
    rows = "Name\r\n" + "x\r\n" * 100_001
    assert "more than 100,000 rows" in refusal(rows.encode())


def test_too_many_columns_is_refused():
    assert "columns" in refusal(csv_bytes([[f"c{i}" for i in range(300)], ["x"] * 300]))


def test_a_workbook_that_unpacks_to_far_more_than_its_size_is_refused():
    data = xlsx_bytes([HEADERS, *PEOPLE])
    assert "unpacks" in refusal(data, "list.xlsx", limits=Limits(max_unpacked_bytes=1000))


def test_a_broken_quote_says_which_row():
    data = b"Name,Notes\r\nLi Wei,ok\r\n" + b'Mai,"' + b"x" * 200_000 + b"\r\n"
    assert "Row 3" in refusal(data)


def test_a_sheet_far_over_the_row_limit_is_refused_without_reading_it(monkeypatch):
    from lists.reading import workbooks

    rows = [["Name"]] + [[f"Person {i}"] for i in range(200)]
    monkeypatch.setattr(workbooks, "sheet_records", lambda sheet: pytest.fail("the sheet was parsed"))
    assert "more than 100 rows" in refusal(xlsx_bytes(rows), "l.xlsx", limits=Limits(max_rows=100))


def test_row_counting_ignores_empty_formatted_rows():
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Name"])
    sheet.append(["Li Wei"])
    for row in range(3, 400):
        sheet.cell(row=row, column=1).number_format = "0.00"  # styled but empty, as Excel leaves them
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert len(read_table(buffer.getvalue(), "l.xlsx", limits=Limits(max_rows=100))) == 1
