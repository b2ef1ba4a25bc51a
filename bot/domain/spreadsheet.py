"""Spreadsheet files the bot writes (officials' exports, the audit log, the roster error report): values are
data, never formulas.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return (or the full-width `＝ ＋ － ＠`, which
some spreadsheet programs read as the ASCII ones) can run as a formula when the file is opened
(`=HYPERLINK("http://…","klik")` sends the sheet's data away; OWASP "CSV Injection"). Every file goes through
this module:

- CSV: `safe_cell(value)` / `safe_row(values)` prefix such a text with a single quote (OWASP's advice), and
  `csv_bytes(rows)` writes a whole file that way (UTF-8 with BOM, so Excel reads the accents right).
- XLSX: `append_row(sheet, values)` writes every text as an explicit string cell (never a formula or an
  error value), quote-prefixed when risky, so that editing the cell in Excel keeps it text too.

Numbers, dates and None pass through unchanged (they are not text, so they cannot be formulas); a phone number
is text (`+62812…` stays `+62812…` in XLSX, `'+62812…` in CSV).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CSV_PREFIX = "'"


def is_risky(value: object) -> bool:
    """True for a text a spreadsheet program could take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_cell(value: object) -> object:
    """A CSV cell value: risky text gets a leading single quote; anything else is returned as it is."""
    return CSV_PREFIX + value if isinstance(value, str) and is_risky(value) else value


def safe_row(values: Iterable[object]) -> list[object]:
    """`safe_cell` for each value of a CSV row."""
    return [safe_cell(value) for value in values]


def csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """A whole CSV file (header row included), every cell through `safe_cell`; UTF-8 with BOM."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(safe_row(row))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def text_cell(cell: Cell) -> None:
    """Make a cell holding text an explicit string cell (openpyxl turns `=…` into a formula, `#N/A` into an
    error value)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if is_risky(cell.value):
            cell.quotePrefix = True


def append_row(sheet: Worksheet, values: Sequence[object]) -> None:
    """Append a row to an XLSX sheet with every text as a string cell (see `text_cell`)."""
    sheet.append(list(values))
    row = sheet.max_row
    for column in range(1, len(values) + 1):
        text_cell(sheet.cell(row=row, column=column))
