"""CSV files that open safely in a spreadsheet: the one way the project writes CSV.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (a tab or a
carriage return in front does not stop it), so a name such as `=HYPERLINK(...)` typed into
the app could act on the computer of whoever opens the export. Such a cell gets a single
quote in front, which spreadsheets show as text; an import of our own files takes it off
again (`unquote`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """The cell as text that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def unquote(cell: str) -> str:
    """A cell of a file we exported, as it was before `spreadsheet_safe`."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_STARTS:
        return cell[1:]
    return cell


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """The rows (the header first) as CSV text, every cell spreadsheet-safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()
