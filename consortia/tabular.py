"""Reading uploaded tables (CSV or XLSX) row by row, safely and without holding the file whole.

Headers are matched by canonical English name or a usual Chinese alias. Every problem is reported
as a `RowError` with the spreadsheet row number, so a clerk can find it.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Iterator

from django.utils.translation import gettext as _

MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
ENCODINGS = ("utf-8-sig", "gb18030")
# A settlement row is well under a kilobyte; no cell may grow past this (an unterminated quote or a
# file without line breaks would otherwise be read whole into one cell).
MAX_CELL_CHARS = 64 * 1024
csv.field_size_limit(MAX_CELL_CHARS)


@dataclass(frozen=True)
class RowError:
    row: int  # as the clerk sees it in the spreadsheet; 0 for the file as a whole
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": str(self.message)}


class TableError(Exception):
    """The file cannot be read as a table at all (from `row` on, where it says)."""

    def __init__(self, message: str, row: int = 0):
        super().__init__(message)
        self.message = message
        self.row = row


def refuse_unless_whole(errors: list[RowError], rows: int, *, shown: int = 200) -> None:
    """For a small file kept whole or not at all (reconciliation totals, a catalogue): raises a
    ValidationError with each row's problem (第 3 行，险种类型：…) when it has any, or no data rows."""
    from django.core.exceptions import ValidationError

    if not errors and not rows:
        errors = [RowError(0, "", _("The file has no data rows."))]
    if errors:
        raise ValidationError([_("Row %(row)s, %(column)s: %(message)s") % e.as_dict() if e.row else e.message
                               for e in errors[:shown]])


def header_map(header: list, aliases: dict[str, tuple[str, ...]], optional=frozenset()) -> dict[str, int]:
    found: dict[str, int] = {}
    names = [str(h).strip().lower() if h is not None else "" for h in header]
    for canonical, alternatives in aliases.items():
        for index, name in enumerate(names):
            if name == canonical.lower() or name in {a.lower() for a in alternatives}:
                found[canonical] = index
                break
    missing = [c for c in aliases if c not in found and c not in optional]
    if missing:
        raise TableError(
            _("Missing column(s): %(columns)s. The first row must hold the column names.")
            % {"columns": ", ".join(f"{c}（{aliases[c][0]}）" for c in missing)}
        )
    return found


def csv_encoding(stream: IO[bytes]) -> str | None:
    """The encoding of a CSV file (utf-8-sig or gb18030) judged by its first 64 KiB, or None;
    a later bad byte still stops the reading. The stream is left at its start."""
    head = stream.read(64 * 1024)
    stream.seek(0)
    for encoding in ENCODINGS:
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def _csv_rows(stream: IO[bytes]) -> Iterator[list]:
    encoding = csv_encoding(stream)
    if encoding is not None:
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        reader = csv.reader(text)
        try:
            yield from reader
        except UnicodeDecodeError:
            raise TableError(
                _("The file is not valid UTF-8 or GB18030 text throughout (from about line %(line)s); save it "
                  "again as CSV UTF-8.") % {"line": reader.line_num + 1}, row=reader.line_num + 1
            ) from None
        except csv.Error:
            raise TableError(
                _("From line %(line)s the file cannot be read as CSV: a quote is not closed, or a line is longer "
                  "than %(kb)s KB. Save the file again from the settlement system or Excel as CSV.")
                % {"line": reader.line_num, "kb": MAX_CELL_CHARS // 1024}, row=reader.line_num
            ) from None
        finally:
            text.detach()
        return
    raise TableError(_("The file is not valid UTF-8 or GB18030 text; save it again as CSV UTF-8."))


def _has_merged_cells(archive: zipfile.ZipFile) -> bool:
    """Whether a worksheet declares merged cells, read in chunks (a sheet may be very large)."""
    for name in archive.namelist():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        with archive.open(name) as sheet:
            tail = b""
            while chunk := sheet.read(1024 * 1024):
                window = tail + chunk
                if b"<mergeCell " in window or b":mergeCell " in window:
                    return True
                tail = window[-16:]
    return False


def _xlsx_rows(stream: IO[bytes]) -> Iterator[list]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(stream) as archive:
            total = sum(info.file_size for info in archive.infolist())
            packed = sum(info.compress_size for info in archive.infolist()) or 1
            if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
                raise TableError(_("The workbook unpacks to far more than its size; it is refused."))
            if _has_merged_cells(archive):
                raise TableError(_("The workbook has merged cells; unmerge them so every row has its own values."))
    except zipfile.BadZipFile:
        raise TableError(_("The file is not a valid Excel (.xlsx) workbook.")) from None
    stream.seek(0)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a broken or hostile file
        raise TableError(_("The file is not a valid Excel (.xlsx) workbook.")) from None
    try:
        if workbook.epoch.year == 1904:
            raise TableError(_("The workbook uses the 1904 date system; save it with the 1900 date system."))
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            if any(isinstance(v, str) and v.startswith("=") for v in row):
                raise TableError(_("The workbook contains formulas; paste the values only and import again."))
            yield list(row)
    finally:
        workbook.close()


def read_table(
    stream: IO[bytes], filename: str, aliases: dict[str, tuple[str, ...]], optional=frozenset()
) -> Iterator[tuple[int, dict]]:
    """Yields (row number, {canonical column: raw value}) for each non-empty data row; an
    `optional` column may be absent from the file."""
    if filename.lower().endswith(".xlsx"):
        rows = _xlsx_rows(stream)
    elif filename.lower().endswith((".csv", ".txt")):
        rows = _csv_rows(stream)
    else:
        raise TableError(_("Upload a .csv or .xlsx file."))
    columns = None
    try:
        for number, row in enumerate(rows, start=1):
            if columns is None:
                columns = header_map(row, aliases, optional)
                width = len(row)
                continue
            if all(v is None or str(v).strip() == "" for v in row):
                continue
            if len(row) > width and any(v is not None and str(v).strip() != "" for v in row[width:]):
                raise TableError(_("Row %(row)s has %(values)s values but the first row names %(columns)s columns: "
                                   "a comma inside a value needs quotes, or a column is missing its name.")
                                 % {"row": number, "values": len(row), "columns": width}, row=number)
            yield number, {name: (row[index] if index < len(row) else None) for name, index in columns.items()}
    finally:
        rows.close()  # while the file is still open, whatever stopped the reading
    if columns is None:
        raise TableError(_("The file is empty."))


def text_cell(value) -> str:
    return "" if value is None else str(value).strip()


DATE = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?(?:[ T].*)?$")


def date_cell(value) -> datetime.date:
    """A date as a spreadsheet holds it or as people write it (2025-03-31, 2025/3/31, 20250331,
    2025年3月31日, with or without a time after it)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    match = DATE.match(text_cell(value))
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except (TypeError, ValueError):  # no match, or a day the calendar has not
        raise ValueError(_("not a date (write 2025-03-31)")) from None


def money_cell(value) -> Decimal:
    """An amount in yuan with at most two decimals, non-negative. Floats from Excel are read
    through their shortest representation, so 12.3 stays 12.30 exactly."""
    if isinstance(value, bool):
        raise ValueError(_("not an amount"))
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValueError(_("not an amount")) from None
    if not amount.is_finite():
        raise ValueError(_("not an amount"))
    if amount < 0:
        raise ValueError(_("negative amount"))
    if amount.as_tuple().exponent < -2:
        raise ValueError(_("more than two decimals"))
    return amount.quantize(Decimal("0.01"))
