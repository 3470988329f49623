"""Reading spreadsheets (XLSX or CSV) row by row, and reporting problems by row number.

Every bulk import in the product (officers, power lists, exam results, questions) goes
through here, so they all report errors the same way: each bad row with its number and
reason, and nothing imported when anything is wrong.
"""

import csv
import io
import itertools
import re
import unicodedata
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
    #: Worth saying but not stopping the import (a column nobody reads, for example).
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add_problem(self, row: int, message: str) -> None:
        self.problems.append(RowProblem(row=row, message=message))


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, str]
    #: Keys whose XLSX cell held a number rather than text: Excel keeps only 15 significant
    #: digits of a number, so a long code typed as one has already lost its tail.
    numeric: frozenset[str] = frozenset()

    def get(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass(frozen=True)
class Table:
    """A read spreadsheet: its rows, and how its header was understood."""

    rows: list[Row]
    #: Canonical key → the header text the file uses for it.
    columns: dict[str, str]
    #: Header texts no alias recognises; their cells are read by no one.
    unknown: list[str]


def _clean(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()


def _fold(name: str) -> str:
    """A header as compared: NFKC, no spaces or required-marks (“姓 名”, “工号*”), lower case."""
    return re.sub(r"[\s*]", "", unicodedata.normalize("NFKC", name)).lower()


def _normalise_header(cells: Iterable, aliases: dict[str, str]) -> list[str]:
    folded = {_fold(text): key for text, key in aliases.items()}
    header = []
    for cell in cells:
        name = _clean(cell)
        header.append(
            aliases.get(name, aliases.get(name.lower(), folded.get(_fold(name), name.lower())))
        )
    return header


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def read_rows(
    source: IO[bytes] | Path | str,
    *,
    filename: str,
    aliases: dict[str, str],
    required: Iterable[str],
) -> list[Row]:
    """Rows of the first sheet (XLSX) or of a CSV file, keyed by canonical column names.

    `aliases` maps header text (Chinese or English) to canonical keys. The header is the
    first row and counts as row 1, so the first data row is row 2; each row keeps the
    number a person sees in their spreadsheet program. Blank rows are skipped.
    """
    return read_table(source, filename=filename, aliases=aliases, required=required).rows


def read_table(
    source: IO[bytes] | Path | str,
    *,
    filename: str,
    aliases: dict[str, str],
    required: Iterable[str],
    labels: dict[str, str] | None = None,
) -> Table:
    """`read_rows`, and also which header text each key came from and which it did not know.

    `labels` names a canonical key in messages (a missing column), as people know it.
    """
    labels = labels or {}
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
        raw_rows = list(enumerate(csv.reader(io.StringIO(text)), start=1))
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
    required = list(required)
    header = _normalise_header(raw_rows[0][1], aliases)
    missing = [key for key in required if key not in header]
    if missing:
        raise TableError(_missing_message(raw_rows, missing, aliases, required, labels))
    known = set(aliases.values())
    columns: dict[str, str] = {}
    unknown = []
    for cell, key in zip(raw_rows[0][1], header, strict=False):
        text = _clean(cell)
        if not text:
            continue
        if key in known:
            columns.setdefault(key, text)
        else:
            unknown.append(text)
    rows = []
    for number, raw in raw_rows[1:]:
        values = {key: _clean(raw[i]) if i < len(raw) else "" for i, key in enumerate(header)}
        if not any(values.values()):
            continue
        numeric = frozenset(
            key for i, key in enumerate(header) if i < len(raw) and _is_number(raw[i])
        )
        rows.append(Row(number=number, values=values, numeric=numeric))
    return Table(rows=rows, columns=columns, unknown=unknown)


def _missing_message(raw_rows, missing, aliases, required, labels) -> str:
    """Which columns are missing, and a hint when a title row sits above the header."""
    names = ", ".join(labels.get(key, key) for key in missing)
    message = _("Missing column(s): %(columns)s.") % {"columns": names}
    for number, raw in raw_rows[1:]:
        if number > 5:
            break
        header = _normalise_header(raw, aliases)
        if all(key in header for key in required):
            return " ".join(
                [
                    message,
                    _(
                        "Row %(row)s looks like the header: the header must be the first row, "
                        "so delete the rows above it (a title, for example)."
                    )
                    % {"row": number},
                ]
            )
    filled = [cell for cell in raw_rows[0][1] if _clean(cell)]
    if len(filled) == 1:
        return " ".join(
            [
                message,
                _(
                    "Row 1 holds only “%(text)s”, which looks like a title: the header must be "
                    "the first row, so delete the title row."
                )
                % {"text": _clean(filled[0])[:50]},
            ]
        )
    return message


def _xlsx_rows(data: bytes) -> list[tuple[int, list]]:
    """(Row number as Excel shows it, cells) of the first sheet's first row and non-blank rows.

    A workbook can declare a huge sheet in a few bytes; the declared size is ignored, the
    width is that of the first few rows (the header, or a title and the header below it),
    and reading stops past MAX_ROWS, so memory stays small.
    """
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise TableError(_("The file is not a readable XLSX workbook.")) from error
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        # openpyxl yields a row for every row number, missing (blank) ones included, so
        # counting from 1 gives the numbers Excel shows.
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        top = [(number, _trimmed(row)) for number, row in itertools.islice(rows, 5)]
        if not top:
            return []
        width = max(max(len(cells) for _number, cells in top), 1)
        collected = [top[0]]
        for number, row in itertools.chain(top[1:], rows):
            values = list(row[:width])
            if not any(v is not None and str(v).strip() for v in values):
                continue
            collected.append((number, values))
            if len(collected) > MAX_ROWS + 1:
                break
        return collected
    except Exception as error:
        raise TableError(_("The file is not a readable XLSX workbook.")) from error
    finally:
        workbook.close()


def _trimmed(row) -> list:
    cells = list(row)
    while cells and (cells[-1] is None or str(cells[-1]).strip() == ""):
        cells.pop()
    return cells


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
