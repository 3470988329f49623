"""Reading spreadsheets (XLSX or CSV) row by row, and reporting problems by row number.

Every bulk import in the product (officers, power lists, exam results, questions) goes
through here, so they all report errors the same way: each bad row with its number and
reason, and nothing imported when anything is wrong.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

#: Rows one import may hold; a city's officers or a year's exam results fit many times over.
MAX_ROWS = 50_000


class TableError(ValueError):
    """The file as a whole cannot be read (wrong format, no header, empty)."""


@dataclass(frozen=True)
class RowProblem:
    row: int
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ImportReport:
    """What an import did, or would have done, and every problem found."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add_problem(self, row: int, message: str) -> None:
        self.problems.append(RowProblem(row=row, message=message))


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, str]

    def get(self, key: str) -> str:
        return self.values.get(key, "")


def _clean(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()


def _normalise_header(cells: Iterable, aliases: dict[str, str]) -> list[str]:
    header = []
    for cell in cells:
        name = _clean(cell)
        header.append(aliases.get(name, aliases.get(name.lower(), name.lower())))
    return header


def read_rows(
    source: IO[bytes] | Path | str,
    *,
    filename: str,
    aliases: dict[str, str],
    required: Iterable[str],
) -> list[Row]:
    """Rows of the first sheet (XLSX) or of a CSV file, keyed by canonical column names.

    `aliases` maps header text (Chinese or English) to canonical keys. The header is the
    first row and counts as row 1, so the first data row is row 2 — the number a person
    sees in their spreadsheet program. Blank rows are skipped.
    """
    suffix = Path(filename).suffix.lower()
    data = Path(source).read_bytes() if isinstance(source, str | Path) else source.read()
    if suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as error:
                raise TableError(_("The CSV file is not UTF-8 or GB18030 text.")) from error
        raw_rows = list(csv.reader(io.StringIO(text)))
    elif suffix in (".xlsx", ".xlsm"):
        raw_rows = _xlsx_rows(data)
    else:
        raise TableError(
            _("Unsupported file type %(suffix)s: use .xlsx or .csv.") % {"suffix": suffix or "?"}
        )
    if len(raw_rows) > MAX_ROWS + 1:
        raise TableError(
            _("The file has more than %(limit)s rows; split it into smaller files.")
            % {"limit": MAX_ROWS}
        )

    if not raw_rows:
        raise TableError(_("The file is empty."))
    header = _normalise_header(raw_rows[0], aliases)
    missing = [key for key in required if key not in header]
    if missing:
        raise TableError(_("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)})
    rows = []
    for index, raw in enumerate(raw_rows[1:], start=2):
        values = {key: _clean(raw[i]) if i < len(raw) else "" for i, key in enumerate(header)}
        if not any(values.values()):
            continue
        rows.append(Row(number=index, values=values))
    return rows


def _xlsx_rows(data: bytes) -> list[list]:
    """Rows of the first sheet, read one at a time and only as wide as the header.

    A workbook can declare a huge sheet in a few bytes; the declared size is ignored, the
    width is the header's, and reading stops past MAX_ROWS, so memory stays small.
    """
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise TableError(_("The file is not a readable XLSX workbook.")) from error
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return []
        header = list(header)
        while header and (header[-1] is None or str(header[-1]).strip() == ""):
            header.pop()
        width = max(len(header), 1)
        collected = [header]
        for row in rows:
            values = list(row[:width])
            if not any(v is not None and str(v).strip() for v in values):
                continue
            collected.append(values)
            if len(collected) > MAX_ROWS + 1:
                break
        return collected
    except Exception as error:
        raise TableError(_("The file is not a readable XLSX workbook.")) from error
    finally:
        workbook.close()


def upload_validate(upload, *, extensions: tuple[str, ...] = (".xlsx", ".csv"), max_mb: int = 5):
    """Form-level check of an uploaded spreadsheet: its type and size, before it is read."""
    from django import forms

    name = upload.name.lower()
    if not name.endswith(extensions):
        raise forms.ValidationError(
            _("Choose a file of type %(types)s.") % {"types": ", ".join(extensions)}
        )
    if upload.size > max_mb * 1024 * 1024:
        raise forms.ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": max_mb})
    return upload


def parse_bool(value: str) -> bool | None:
    """Yes/no in the forms people type into spreadsheets; None when it is neither."""
    text = value.strip().lower()
    if text in {"1", "y", "yes", "true", "是", "√", "在岗"}:
        return True
    if text in {"0", "n", "no", "false", "否", "×", ""}:
        return False
    return None
