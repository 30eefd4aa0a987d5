"""Writing cells safely: text that a spreadsheet would take for a formula stays text."""

from decimal import Decimal

from django.utils.translation import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may take for a formula
AMOUNT_FORMAT = "#,##0.00"


def csv_cell(value):
    """A CSV value that a spreadsheet will not run: text that looks like a formula gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def put(sheet, row: int, column: int, value, *, bold: bool = False):
    """Writes one cell: Decimal amounts as numbers with two decimals, text never as a formula."""
    from openpyxl.styles import Font

    cell = sheet.cell(row=row, column=column)
    if isinstance(value, bool):
        cell.value = _("yes") if value else _("no")
    elif isinstance(value, Decimal):
        cell.value = value
        if value.as_tuple().exponent >= -2:
            cell.number_format = AMOUNT_FORMAT
    else:
        text = "" if value is None else str(value)
        cell.value = text
        if text.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    return cell
