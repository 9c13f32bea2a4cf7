"""Synthetic list files for the reading tests: CSV in any encoding and XLSX written with openpyxl."""

import csv
import io
import re
import zipfile

import openpyxl


def csv_bytes(rows, *, encoding="utf-8", delimiter=","):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, *, title="Sheet1", before=(), hidden_first=False, merge=()):
    """A workbook whose first sheet holds rows; `before` sheets come first (name, rows)."""
    workbook = openpyxl.Workbook()
    first = workbook.active
    sheets = []
    for position, (name, sheet_rows) in enumerate(before):
        sheet = workbook.create_sheet(name, position)
        for row in sheet_rows:
            sheet.append(row)
        sheets.append(sheet)
    first.title = title
    for row in rows:
        first.append(row)
    for cells in merge:
        first.merge_cells(cells)
    if hidden_first and sheets:
        sheets[0].sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_cached_formula_values(data, values):
    """Give formula cells the value Excel saves beside them (openpyxl writes formulas without one)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                for ref, value in values.items():
                    text = re.sub(
                        rf'<c r="{ref}"><f>(.*?)</f><v\s*/>',
                        lambda m, v=value, r=ref: f'<c r="{r}" t="str"><f>{m.group(1)}</f><v>{v}</v>',
                        text,
                    )
                content = text.encode()
            target.writestr(info, content)
    return out.getvalue()


HEADERS = ["No.", "Name", "Nationality", "Age/DOB", "Sex", "Passport No."]
PEOPLE = [
    [1, "Li Wei", "China", 29, "M", "E1234567"],
    [2, "Nguyễn Thị Mai", "Viet Nam", "20/01/1999", "Nữ", "C7654321"],
    [3, "สมชาย รักดี", "ไทย", 2542, "ชาย", ""],
    [4, "Aung Kyaw", "Myanmar", "1986", "ကျား", ""],
]
