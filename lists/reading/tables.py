"""read_table: a CSV or XLSX upload as headings and rows, with its SHA-256, or a refusal the user understands."""

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import BinaryIO

from django.utils.translation import gettext as _

from . import text_files, workbooks
from .files import Limits, UnreadableFile, check_unpacked_size, identify, read_content
from .headers import column_letter, guess_field

Cell = workbooks.Cell
HEADER_SCAN = 30  # the heading row is looked for among the first rows that have data


@dataclass(frozen=True)
class Table:
    """One sheet of a file: headings, rows as (row number, cells), and where it came from."""

    filename: str
    format: str  # "csv" or "xlsx"
    sha256: str
    size: int
    headers: tuple[str, ...]
    header_line: int  # the heading row's number in the file; 0 when the file has no heading row
    rows: list[tuple[int, tuple[Cell, ...]]]  # empty rows left out; numbers as a spreadsheet shows them
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    preamble: tuple[tuple[str, ...], ...] = ()  # rows above the headings: titles, dates, sources
    notes: tuple[str, ...] = field(default=())  # things the user should check (encoding guessed, sheets skipped)

    def __len__(self) -> int:
        return len(self.rows)

    def column_label(self, index: int) -> str:
        """'C (Nationality)' or 'C' for a column without a heading."""
        heading = self.headers[index] if index < len(self.headers) else ""
        return f"{column_letter(index)} ({heading})" if heading else column_letter(index)


def cell_text(value: Cell) -> str:
    """A cell as the user sees it: dates without a midnight time, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    return str(value)


def _blank(cells: Sequence[Cell]) -> bool:
    for cell in cells:  # a loop that stops at the first filled cell: most rows end on their first
        if cell is not None and (type(cell) is not str or cell.strip()):
            return False
    return True


def _trimmed(cells: Sequence[Cell]) -> tuple[Cell, ...]:
    if cells and cells[-1] is not None and cells[-1] != "":
        return tuple(cells)
    end = len(cells)
    while end and (cells[end - 1] is None or cells[end - 1] == ""):
        end -= 1
    return tuple(cells[:end])


def _heading(value: Cell) -> str:
    return " ".join(cell_text(value).split())


def _header_score(cells: Sequence[Cell]) -> tuple[int, int]:
    texts = [_heading(c) for c in cells if not _blank([c])]
    recognised = sum(1 for t in texts if guess_field(t))
    return recognised, sum(1 for c in cells if isinstance(c, str) and c.strip())


def find_header(first: list[tuple[int, tuple[Cell, ...]]]) -> int:
    """Index (in `first`) of the heading row: the one naming most known fields; else the first wide text row."""
    best, best_score = -1, (0, 0)
    for position, (_number, cells) in enumerate(first):
        score = _header_score(cells)
        if score[0] > best_score[0]:
            best, best_score = position, score
    if best >= 0:
        return best
    widest = max((len(cells) for _n, cells in first), default=0)
    for position, (_number, cells) in enumerate(first):
        if _header_score(cells)[1] >= max(2, widest // 2):
            return position
    return 0


def _merge_headings(top: Sequence[Cell], sub: Sequence[Cell]) -> tuple[str, ...]:
    """Two heading rows (a merged 'Name' over 'Family' and 'Given') as one: 'Name Family', 'Name Given'."""
    width = max(len(top), len(sub))
    merged, carried = [], ""
    for index in range(width):
        upper = _heading(top[index]) if index < len(top) else ""
        lower = _heading(sub[index]) if index < len(sub) else ""
        if upper:
            carried = upper
        elif lower:
            upper = carried  # a merged cell keeps its text in its first column only
        merged.append(f"{upper} {lower}".strip() if lower else upper)
    return tuple(merged)


def _is_subheading(cells: Sequence[Cell]) -> bool:
    texts = [_heading(c) for c in cells if not _blank([c])]
    return bool(texts) and all(guess_field(t) for t in texts)


def _assemble(
    records: Iterator[tuple[int, Sequence[Cell]]], limits: Limits, header_line: int | None
) -> tuple[tuple[str, ...], int, list, tuple]:
    first: list[tuple[int, tuple[Cell, ...]]] = []
    for number, cells in records:
        if _blank(cells):
            continue
        first.append((number, _trimmed(cells)))
        if len(first) >= HEADER_SCAN:
            break
    if not first:
        raise UnreadableFile(_("The file is empty."))
    if header_line == 0:
        position, headers = -1, ()
    elif header_line is not None:
        position = next((i for i, (n, _c) in enumerate(first) if n == header_line), None)
        if position is None:
            missing = _("Row %(row)s is empty or missing; it cannot be the heading row.")
            raise UnreadableFile(missing % {"row": header_line})
        headers = tuple(_heading(c) for c in first[position][1])
    else:
        position = find_header(first)
        headers = tuple(_heading(c) for c in first[position][1])
        if position + 1 < len(first) and _is_subheading(first[position + 1][1]):
            position += 1
            headers = _merge_headings(first[position - 1][1], first[position][1])
    number = first[position][0] if position >= 0 else 0
    preamble = tuple(tuple(cell_text(c) for c in cells) for _n, cells in first[: max(position, 0)])
    rows = first[position + 1 :]
    wanted = limits.max_rows + 1 - len(rows)  # one more than allowed tells us the file is over the limit
    if wanted > 0:
        rows.extend(islice(((line, _trimmed(cells)) for line, cells in records if not _blank(cells)), wanted))
    if len(rows) > limits.max_rows:
        raise _over_row_limit(limits)
    if not rows:
        raise UnreadableFile(_("The file has headings but no rows of people under them."))
    width = max(len(headers), max(len(cells) for _n, cells in rows))
    if width > limits.max_columns:
        raise UnreadableFile(
            _("The list has %(width)s columns; at most %(limit)s are read. Delete the empty or unused columns.")
            % {"width": width, "limit": limits.max_columns}
        )
    return headers + ("",) * (width - len(headers)), number, rows, preamble


def _over_row_limit(limits: Limits) -> UnreadableFile:
    return UnreadableFile(
        _("The list has more than %(limit)s rows. Split it into files of at most %(limit)s rows.")
        % {"limit": f"{limits.max_rows:,}"}
    )


def read_table(
    file: BinaryIO | bytes | str | os.PathLike,
    filename: str,
    *,
    limits: Limits | None = None,
    encoding: str | None = None,
    header_line: int | None = None,
    sheet: str | None = None,
) -> Table:
    """Read a CSV or XLSX list; raise UnreadableFile with a message for the user when it cannot be used.

    header_line forces the heading row (its row number; 0 for a file without headings); sheet picks a sheet.
    """
    limits = limits or Limits()
    content = read_content(file, limits)
    kind = identify(content.data, filename)
    notes: list[str] = []
    if kind == "xlsx":
        check_unpacked_size(content.data, limits)
        workbook = workbooks.open_workbook(content.data)
        try:
            chosen, others = workbooks.choose_sheet(workbook, sheet)
            if others:
                notes.append(
                    _("Read the sheet '%(sheet)s'; the workbook also has data in: %(others)s.")
                    % {"sheet": chosen.title, "others": ", ".join(others)}
                )
            if workbooks.count_filled_rows(chosen, limits.max_rows + HEADER_SCAN) > limits.max_rows + HEADER_SCAN:
                raise _over_row_limit(limits)
            chosen.reset_dimensions()  # the size a workbook declares can be wrong; read what is there
            headers, number, rows, preamble = _assemble(workbooks.sheet_records(chosen), limits, header_line)
        finally:
            workbook.close()
        return Table(filename, "xlsx", content.sha256, len(content.data), headers, number, rows,
                     sheet=chosen.title, preamble=preamble, notes=tuple(notes))  # fmt: skip
    text, used = text_files.decode(content.data, encoding)
    text_files.check_is_text(text)
    if not text.strip():
        raise UnreadableFile(_("The file is empty."))
    if used not in ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32") and not encoding:
        notes.append(
            _("The file is not UTF-8; it was read as %(encoding)s. Check that the names look right.")
            % {"encoding": text_files.ENCODING_NAMES.get(used, used)}
        )
    delimiter = text_files.sniff_delimiter(text)
    headers, number, rows, preamble = _assemble(text_files.records(text, delimiter), limits, header_line)
    return Table(filename, "csv", content.sha256, len(content.data), headers, number, rows,
                 encoding=used, delimiter=delimiter, preamble=preamble, notes=tuple(notes))  # fmt: skip
