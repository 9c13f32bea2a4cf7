"""XLSX workbooks, read streaming (openpyxl read-only) with formulas as their saved values."""

import io
import warnings
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

import openpyxl
from django.utils.translation import gettext as _

from .files import UnreadableFile

Cell = str | int | float | datetime | None
# After this many empty rows in a row, the list has ended (Excel keeps formatted empty rows to row 1,048,576).
EMPTY_RUN_END = 10_000


def open_workbook(data: bytes) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about data validation and default styles
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise UnreadableFile(_("The Excel workbook is damaged or incomplete; it cannot be opened.")) from error


def _cell(value: object) -> Cell:
    kind = type(value)
    if value is None or kind is str or kind is int or kind is float or kind is datetime:
        return value  # type: ignore[return-value]
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


def _has_data(rows: Iterator[tuple]) -> bool:
    for count, row in enumerate(rows):
        if any(value not in (None, "") for value in row):
            return True
        if count > 200:
            return False
    return False


def choose_sheet(workbook: Any, name: str | None) -> tuple[Any, list[str]]:
    """The sheet to read (the named one, else the first visible sheet with data) and the others with data."""
    sheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
    if name is not None:
        for sheet in sheets:
            if sheet.title == name:
                return sheet, []
        raise UnreadableFile(
            _("The workbook has no sheet named '%(name)s'. Its sheets are: %(names)s.")
            % {"name": name, "names": ", ".join(s.title for s in sheets)}
        )
    with_data = [s for s in sheets if _has_data(s.iter_rows(values_only=True))]
    visible = [s for s in with_data if getattr(s, "sheet_state", "visible") == "visible"]
    chosen = (visible or with_data or [None])[0]
    if chosen is None:
        raise UnreadableFile(_("The workbook has no sheet with data in it."))
    return chosen, [s.title for s in with_data if s is not chosen]


def sheet_records(sheet: Any) -> Iterator[tuple[int, list[Cell]]]:
    """(row number, cells) for each row of the sheet, empty rows included, until a long empty run."""
    empty_run = 0
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_cell(v) for v in row]
        if any(c not in (None, "") for c in cells):
            empty_run = 0
        else:
            empty_run += 1
            if empty_run > EMPTY_RUN_END:
                return
        yield number, cells


def count_filled_rows(sheet: Any, stop_after: int) -> int:
    """Rows with a value in the sheet's XML, counted without parsing it (stops once past stop_after).

    Parsing a sheet costs far more than scanning its bytes, so an oversized sheet is refused in a fraction
    of the time it would take to read it.
    """
    count, carry = 0, b""
    with sheet.parent._archive.open(sheet._worksheet_path) as source:
        while chunk := source.read(1 << 20):
            parts = (carry + chunk).split(b"<row")
            carry = parts.pop()
            count += sum(1 for part in parts if b"<v" in part or b"<is" in part)
            if count > stop_after:
                return count
    return count + (1 if b"<v" in carry or b"<is" in carry else 0)
