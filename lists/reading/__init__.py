"""Reading released-people lists and case spreadsheets (CSV, XLSX): no models, no database.

read_table -> guess_mapping (+ apply_overrides) -> validate, which yields one Row per row with its messages.
"""

from .files import Limits, UnreadableFile
from .headers import FIELDS, MappingError, apply_overrides, column_letter, describe_columns, guess_field, guess_mapping
from .nationalities import parse_nationality
from .rows import Message, Row, validate
from .tables import Table, cell_text, read_table
from .values import Birth, CellError, parse_birth, parse_passport, parse_phones, parse_sex

__all__ = [
    "FIELDS",
    "Birth",
    "CellError",
    "Limits",
    "MappingError",
    "Message",
    "Row",
    "Table",
    "UnreadableFile",
    "apply_overrides",
    "cell_text",
    "column_letter",
    "describe_columns",
    "guess_field",
    "guess_mapping",
    "parse_birth",
    "parse_nationality",
    "parse_passport",
    "parse_phones",
    "parse_sex",
    "read_table",
    "validate",
]
