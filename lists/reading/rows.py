"""validate: every row of a table as cleaned values plus a message per cell that could not be read."""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .headers import FIELDS, check_mapping
from .nationalities import parse_nationality
from .tables import Table, cell_text
from .values import CellError, clean_text, parse_birth, parse_number, parse_passport, parse_phones, parse_sex

FIELD_LABELS = {
    "number": gettext_lazy("number"),
    "external_reference": gettext_lazy("reference"),
    "full_name": gettext_lazy("name"),
    "family_name": gettext_lazy("family name"),
    "given_name": gettext_lazy("given name"),
    "other_names": gettext_lazy("other names"),
    "nationality": gettext_lazy("nationality"),
    "birth": gettext_lazy("birth date or age"),
    "sex": gettext_lazy("sex"),
    "passport_number": gettext_lazy("passport number"),
    "phone": gettext_lazy("phone"),
    "compound": gettext_lazy("compound"),
    "notes": gettext_lazy("notes"),
}
TEXT_FIELDS = ("external_reference", "full_name", "family_name", "given_name", "compound")
JOINED_FIELDS = {"other_names": " / ", "notes": "; "}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Message:
    """One cell that could not be read (error) or was read in a way the user should check (warning)."""

    line: int
    field: str
    column: int  # 0-based index into the table's columns
    value: str  # the cell as written
    text: str  # the whole sentence: "row 14: sex 'X' is not one of M/F, ..."
    level: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        return self.text


@dataclass
class Row:
    """One row of the list: its number in the file, every cell as written, and what was read from them.

    values holds only fields that had something in them: full_name, family_name, given_name, other_names,
    external_reference, compound, notes (str); number (int or str); nationality (ISO alpha-2) with
    nationality_as_written (str); birth (values.Birth); sex ("M" or "F"); passport_number (str);
    phone (tuple of str).
    """

    line: int
    raw: tuple[str, ...]
    values: dict[str, Any] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)

    @property
    def errors(self) -> list[Message]:
        return [m for m in self.messages if m.level == "error"]

    @property
    def warnings(self) -> list[Message]:
        return [m for m in self.messages if m.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


def _message(line: int, field_name: str, column: int, value: str, reason: str, level: str = "error") -> Message:
    text = _("row %(line)s: %(field)s '%(value)s' %(reason)s") % {
        "line": line, "field": FIELD_LABELS[field_name], "value": value, "reason": reason}  # fmt: skip
    return Message(line, field_name, column, value, text, level)


def _compose_name(family: str, given: str) -> str:
    """A full name from its parts: family first without a space in Chinese script, else given then family."""
    if _CJK.search(family + given):
        return family + given
    return " ".join(part for part in (given, family) if part)


def validate(
    table: Table,
    mapping: Mapping[int, str],
    *,
    published: date | None = None,
    countries: Mapping[str, str] | None = None,
    day_first: bool = True,
) -> Iterator[Row]:
    """Yield one Row per row of the table, in order. Raises MappingError first if no column holds names.

    published: the list's date, from which ages become birth years (today when unknown).
    countries: code -> English name for every country beyond the built-in table (any ISO code is then read).
    """
    check_mapping(dict(mapping))
    return _rows(table, dict(mapping), published or date.today(), countries, day_first)


def _rows(table: Table, mapping: dict[int, str], published: date, countries, day_first: bool) -> Iterator[Row]:
    columns_by_field: dict[str, list[int]] = {}
    for index, field_name in sorted(mapping.items()):
        columns_by_field.setdefault(field_name, []).append(index)
    ordered = [(f, columns_by_field[f]) for f in FIELDS if f in columns_by_field]
    width = len(table.headers)
    for line, cells in table.rows:
        raw = tuple(c if type(c) is str else cell_text(c) for c in cells) + ("",) * (width - len(cells))
        row = Row(line=line, raw=raw)
        for field_name, indexes in ordered:
            present = [(i, cells[i]) for i in indexes if i < len(cells) and raw[i].strip()]
            if present:
                _read_field(row, field_name, present, published, countries, day_first)
        _finish_names(row, mapping)
        yield row


def _read_field(row: Row, field_name: str, present, published: date, countries, day_first: bool) -> None:
    values = row.values
    if field_name in JOINED_FIELDS:
        values[field_name] = JOINED_FIELDS[field_name].join(clean_text(row.raw[i]) for i, _c in present)
        return
    if field_name == "phone":
        numbers: list[str] = []
        for index, cell in present:
            try:
                numbers.extend(parse_phones(cell))
            except CellError as error:
                row.messages.append(_message(row.line, field_name, index, row.raw[index], str(error)))
        if numbers:
            values["phone"] = tuple(numbers)
        return
    index, cell = present[0]  # single-value fields: the first column with something in it
    written = row.raw[index]
    try:
        if field_name in TEXT_FIELDS:
            text = clean_text(written)
            if text:
                values[field_name] = text
        elif field_name == "number":
            values["number"] = parse_number(cell)
        elif field_name == "sex":
            values["sex"] = parse_sex(cell)
        elif field_name == "passport_number":
            values["passport_number"] = parse_passport(cell)
        elif field_name == "nationality":
            values["nationality_as_written"] = clean_text(written)
            code = parse_nationality(clean_text(written), countries)
            if code is None:
                raise CellError(
                    _("is not a country we recognise; write the country's name or its code (for example CN or VNM)")
                )
            values["nationality"] = code
        elif field_name == "birth":
            birth = parse_birth(cell, published=published, day_first=day_first)
            values["birth"] = birth
            if birth is not None and birth.note:
                row.messages.append(_message(row.line, field_name, index, written, birth.note, "warning"))
    except CellError as error:
        row.messages.append(_message(row.line, field_name, index, written, str(error)))


def _finish_names(row: Row, mapping: dict[int, str]) -> None:
    values = row.values
    if "full_name" not in values and ("family_name" in values or "given_name" in values):
        values["full_name"] = _compose_name(values.get("family_name", ""), values.get("given_name", ""))
    if "full_name" not in values:
        name_columns = [i for i, f in mapping.items() if f in ("full_name", "family_name", "given_name")]
        column = name_columns[0]
        text = _("row %(line)s: the name is empty") % {"line": row.line}
        row.messages.append(Message(row.line, "full_name", column, "", text))
