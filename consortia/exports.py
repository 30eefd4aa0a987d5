"""Exports: each a class with an identifier, a Chinese title and either columns and rows or a
workbook it fills; one base writes both CSV and XLSX from that definition and answers the download.
Every text cell is neutralised so a spreadsheet never runs it, and every export is registered
under its identifier; each app's `exporters.py` registers its own (found at start-up, as the admin
finds `admin.py`)."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, ClassVar
from urllib.parse import quote

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may take for a formula
AMOUNT_FORMAT = "#,##0.00"
RATE_FORMAT = "0.00%"
A4 = "9"  # the paper size code of A4 in a workbook
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_BATCH = 1000  # rows per streamed chunk: few writes, little memory
ILLEGAL_IN_XLSX = re.compile(r"[\000-\010\013\014\016-\037]")  # control characters XML cannot hold
UNSAFE_IN_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|;]+')


def csv_cell(value):
    """A CSV value that a spreadsheet will not run: text that looks like a formula gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class Rate:
    """A share for a cell: a number shown as a percentage (0.0512 reads 5.12%), so a spreadsheet
    can still average it; no figure reads as a dash."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = None if value is None or value == "" else Decimal(str(value))

    def __str__(self) -> str:
        from consortia.templatetags.money import percent

        return percent(self.value)  # as the pages write a share: 5.12%, — for none


def _plain(value):
    """What a cell holds: flags in words, translations as text."""
    if isinstance(value, Rate):
        return str(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Promise):
        return str(value)
    return value


def fill(cell, value):
    """Writes one openpyxl cell: numbers stay numbers (Decimal amounts with two decimals shown as
    money, shares shown as percentages), dates stay dates, text is never a formula."""
    if isinstance(value, Rate) and value.value is not None:
        cell.value = value.value
        cell.number_format = RATE_FORMAT
        return cell
    value = _plain(value)
    if isinstance(value, Decimal):
        cell.value = value
        if value.as_tuple().exponent >= -2:
            cell.number_format = AMOUNT_FORMAT
    elif isinstance(value, int | float):
        cell.value = value
    elif isinstance(value, datetime.datetime):
        cell.value = timezone.make_naive(value) if timezone.is_aware(value) else value  # Excel has no zones
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif value is None:
        cell.value = None
    else:
        text = ILLEGAL_IN_XLSX.sub("", str(value))
        cell.value = text
        if text.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True
    return cell


def put(sheet, row: int, column: int, value, *, bold: bool = False):
    """Writes one cell of an ordinary (not write-only) sheet."""
    from openpyxl.styles import Font

    cell = fill(sheet.cell(row=row, column=column), value)
    if bold:
        cell.font = Font(bold=True)
    return cell


def cell(sheet, value, *, font=None):
    """A cell for a write-only sheet's `append`, written as `put` writes."""
    from openpyxl.cell import WriteOnlyCell

    made = fill(WriteOnlyCell(sheet), value)
    if font is not None:
        made.font = font
    return made


def print_setup(sheet, *, title: str, header_rows: str = "1:1", landscape: bool = True) -> None:
    """Prints as a bureau files paper: A4, as wide as the page, the header rows on every page, the
    title at the top and the page number at the foot."""
    sheet.page_setup.paperSize = A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.print_title_rows = header_rows
    sheet.oddHeader.center.text = ILLEGAL_IN_XLSX.sub("", str(title))[:200]
    sheet.oddFooter.center.text = _("Page &P of &N")


def signature_line() -> list[str]:
    """The signature line a filed statement carries (制表人, 审核人, 负责人, 日期), each label
    followed by an empty cell to sign in."""
    line: list[str] = []
    for label in (_("Prepared by:"), _("Checked by:"), _("Head of unit:"), _("Date:")):
        line += [label, ""]
    return line


def signatures(sheet, row: int) -> int:
    """Writes the signature line at `row` of an ordinary sheet; returns the row after it."""
    for column, label in enumerate(signature_line(), start=1):
        if label:
            put(sheet, row, column, label, bold=True)
    return row + 1


def sheet_title(text) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", str(text))[:31].strip() or "Sheet"


def attachment(filename: str) -> str:
    """A Content-Disposition for a download: the name without path, quotes or line breaks; a
    Chinese name as RFC 6266 `filename*=UTF-8''`, beside an ASCII fallback for old clients."""
    name = UNSAFE_IN_FILENAME.sub("_", filename.rsplit("/", 1)[-1]).strip(" .") or "export"
    if name.isascii():
        return f'attachment; filename="{name}"'
    fallback = re.sub(r"[^\x20-\x7e]+", "_", name).strip("_") or "export"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


class _Line:
    """csv.writer's file: hands back each line instead of keeping it."""

    def write(self, line: str) -> str:
        return line


class Export:
    """An export from columns and rows: CSV (UTF-8 with a BOM, so Excel reads Chinese) and XLSX
    (one write-only sheet) alike. Subclasses set the identifier, the title and the column labels,
    and yield rows; `streaming` ones are sent as they are written (a year of claims)."""

    identifier: ClassVar[str] = ""
    title: ClassVar[Promise | str] = ""
    columns: Sequence = ()  # the header's labels, in order
    formats: ClassVar[tuple[str, ...]] = ("csv", "xlsx")
    streaming: ClassVar[bool] = False
    write_only: ClassVar[bool] = True
    # Whether its reads may come from the streaming replica (consortia.database): a streamed file
    # is read after the view returned, outside the request's own setting.
    tolerates_lag: ClassVar[bool] = False

    def rows(self) -> Iterable[Sequence]:
        raise NotImplementedError

    def filename(self) -> str:
        """The download's name, without the extension."""
        return self.identifier

    def header(self) -> list[str]:
        return [str(label) for label in self.columns]

    def csv_chunks(self) -> Iterator[bytes]:
        """The CSV in pieces of many rows, in the language of the caller (a streamed response is
        written after the view has returned)."""
        language = translation.get_language()

        def chunks():
            from contextlib import nullcontext

            from consortia.database import lag_tolerated

            with translation.override(language), (lag_tolerated() if self.tolerates_lag else nullcontext()):
                writer = csv.writer(_Line())
                lines = ["\ufeff" + writer.writerow([csv_cell(label) for label in self.header()])]
                for row in self.rows():
                    lines.append(writer.writerow([csv_cell(_plain(value)) for value in row]))  # None: empty
                    if len(lines) >= CSV_BATCH:
                        yield "".join(lines).encode("utf-8")
                        lines = []
                if lines:
                    yield "".join(lines).encode("utf-8")

        return chunks()

    def csv(self) -> bytes:
        return b"".join(self.csv_chunks())

    def workbook(self, book) -> None:
        """Fills the workbook: one sheet, the header in bold and frozen, a row per row."""
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        sheet = book.create_sheet(sheet_title(self.title or self.identifier))
        header = self.header()
        for number, label in enumerate(header, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = max(12, 2 * len(label) + 2)
        sheet.freeze_panes = "A2"
        print_setup(sheet, title=self.title or self.identifier, landscape=len(header) > 5)
        bold = Font(bold=True)
        sheet.append([cell(sheet, label, font=bold) for label in header])
        for row in self.rows():
            sheet.append([cell(sheet, value) for value in row])

    def xlsx_write(self, out: IO[bytes]) -> None:
        from openpyxl import Workbook

        book = Workbook(write_only=self.write_only)
        self.workbook(book)
        book.save(out)

    def xlsx(self) -> bytes:
        buffer = io.BytesIO()
        self.xlsx_write(buffer)
        return buffer.getvalue()

    def response(self, fmt: str = "csv"):
        """The export as a download."""
        from django.http import HttpResponse, StreamingHttpResponse

        if fmt not in self.formats:
            raise ValueError(f"{self.identifier} is not offered as {fmt}")
        if fmt == "csv" and self.streaming:
            response = StreamingHttpResponse(self.csv_chunks(), content_type=CSV_TYPE)
        elif fmt == "csv":
            response = HttpResponse(self.csv(), content_type=CSV_TYPE)
        else:
            response = HttpResponse(self.xlsx(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = attachment(f"{self.filename()}.{fmt}")
        return response


class WorkbookExport(Export):
    """An export laid out as a document (merged headings, several sheets, print settings): it
    fills an ordinary workbook with `put` and comes as XLSX only."""

    formats = ("xlsx",)
    write_only = False

    def workbook(self, book) -> None:
        raise NotImplementedError


EXPORTS: dict[str, type[Export]] = {}


def register(export_class: type[Export]) -> type[Export]:
    """Adds an export to the registry (usable as a class decorator); identifiers are unique."""
    identifier = export_class.identifier
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", identifier or ""):
        raise ImproperlyConfigured(f"{export_class.__qualname__} needs an identifier like 'payment-orders'")
    known = EXPORTS.get(identifier)
    if known is not None and _path(known) != _path(export_class):  # the same class, imported again, is fine
        raise ImproperlyConfigured(f"Two exports are called {identifier!r}: {_path(known)} and {_path(export_class)}")
    EXPORTS[identifier] = export_class
    return export_class


def _path(export_class) -> str:
    return f"{export_class.__module__}.{export_class.__qualname__}"


def exports_discover() -> None:
    """Imports every app's `exporters` module, which registers its exports (as the admin does)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("exporters")
