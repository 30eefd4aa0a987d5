"""Exports of the fund cycle: the payment orders in scope, and the workbooks of the feasibility
study (one sheet per scheme) and the clearing statement, every number with its rule trace, laid
out to print."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortia.exports import Export, WorkbookExport, print_setup, put, register, sheet_title, signatures
from consortia.selectors import scope_queryset
from consortia.templatetags.money import period

from .models import PaymentOrder
from .simulations import Outcome, comparison, present, present_output


@register
class PaymentOrdersExport(Export):
    """The payment orders the list shows (its filters applied), as the finance officer files them."""

    identifier = "payment-orders"
    title = gettext_lazy("payment orders")
    columns = (gettext_lazy("period"), gettext_lazy("consortium"), gettext_lazy("kind"), gettext_lazy("payee"),
               gettext_lazy("amount"), gettext_lazy("status"), gettext_lazy("channel"), gettext_lazy("paid on"),
               gettext_lazy("bank reference"))

    def __init__(self, *, user, orders=None):
        """`orders`: the list's filtered orders; all in the user's scope if not given."""
        if orders is None:
            orders = scope_queryset(user, PaymentOrder.objects.all()).order_by("-period", "kind", "payee_code")
        self.orders = orders.select_related("agreement__consortium")

    def rows(self):
        for o in self.orders.iterator():
            yield [period(o.period), o.agreement.consortium.name, o.get_kind_display(), o.payee_name, o.amount,
                   o.get_status_display(), o.get_channel_display(), o.paid_on or "", o.bank_reference]


class ResultWorkbook(WorkbookExport):
    """Engine results, one sheet each: package, schedule, clearing, member lines, trace."""

    def __init__(self, shown: list[dict], name: str = ""):
        self.shown = shown
        self.name = name

    def workbook(self, book) -> None:
        from openpyxl.styles import Alignment, Font

        book.remove(book.active)
        for shown in self.shown:
            sheet = book.create_sheet(title=sheet_title(shown["title"] or shown["scheme"] or "?"))  # the scheme in Chinese
            print_setup(sheet, title=f"{self.title}：{shown['title']} {self.name}", header_rows="1:2")
            title = put(sheet, 1, 1, f"{self.title}：{shown['title']}")
            title.font = Font(bold=True, size=14)
            put(sheet, 2, 1, self.name)
            row = 4
            if shown["errors"]:
                put(sheet, row, 1, _("The scenario has errors."), bold=True)
                for error in shown["errors"]:
                    row += 1
                    put(sheet, row, 1, error["message"])
                continue
            row = self._pairs(sheet, row, _("Package"), shown["package"])
            row = self._table(sheet, row, _("Prepayment schedule"), shown["prepayment_columns"], shown["prepayments"])
            row = self._pairs(sheet, row, _("Year-end clearing"), shown["clearing"])
            if shown.get("members"):
                row = self._table(sheet, row, _("Members"), shown["member_columns"], shown["members"])
            trace = [[step["rule"], step["label"], step["member"], step["explanation"]] for step in shown["trace"]]
            row = self._table(sheet, row, _("How each number was computed"),
                              [_("rule"), _("item"), _("member or period"), _("computation")], trace)
            signatures(sheet, row)
            widths = {"A": 22, "B": 22, "C": 18, "D": 18}
            for letter, width in widths.items():
                sheet.column_dimensions[letter].width = width
            for letter in "EFGHIJKLM":
                sheet.column_dimensions[letter].width = 16
            for cells in sheet.iter_rows(min_row=4):
                for cell in cells:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")

    @staticmethod
    def _pairs(sheet, row, heading, pairs):
        put(sheet, row, 1, heading, bold=True)
        for label, value in pairs:
            row += 1
            put(sheet, row, 1, label)
            put(sheet, row, 2, value)
        return row + 2

    @staticmethod
    def _table(sheet, row, heading, columns, rows):
        put(sheet, row, 1, heading, bold=True)
        row += 1
        for column, name in enumerate(columns, start=1):
            put(sheet, row, column, name, bold=True)
        for values in rows:
            row += 1
            for column, value in enumerate(values, start=1):
                put(sheet, row, column, value)
        return row + 2


@register
class FeasibilityWorkbook(ResultWorkbook):
    identifier = "feasibility"
    title = gettext_lazy("Feasibility study")

    def __init__(self, outcomes: list[Outcome], name: str = "", stamp: str = ""):
        super().__init__([present(o) for o in outcomes], name)
        self.stamp = stamp  # the study's year
        self.table = comparison(outcomes)

    def filename(self) -> str:
        return f"feasibility-{self.stamp}"

    def workbook(self, book) -> None:
        super().workbook(book)
        if self.table is not None:
            self._comparison_sheet(book)

    def _comparison_sheet(self, book) -> None:
        """First sheet: the schemes side by side (a scheme per column, the key amounts per row, the
        difference to the first below), with a bar chart Excel draws from the same cells."""
        from openpyxl.chart import BarChart, Reference
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        sheet = book.create_sheet(title=sheet_title(_("Schemes compared")), index=0)
        schemes, rows = self.table["schemes"], self.table["rows"]
        print_setup(sheet, title=f"{self.title}：{_('Schemes compared')} {self.name}", header_rows="1:4")
        put(sheet, 1, 1, f"{self.title}：{_('Schemes compared')}").font = Font(bold=True, size=14)
        put(sheet, 2, 1, self.name)
        put(sheet, 4, 1, _("amount"), bold=True)
        for column, scheme in enumerate(schemes, start=2):
            put(sheet, 4, column, scheme, bold=True)
        for index, row in enumerate(rows, start=5):
            put(sheet, index, 1, row["label"])
            for column, cell in enumerate(row["cells"], start=2):
                put(sheet, index, column, cell["value"])
        first = 5 + len(rows) + 1
        put(sheet, first, 1, _("Difference to the first scheme"), bold=True)
        for index, row in enumerate(rows, start=first + 1):
            put(sheet, index, 1, row["label"])
            for column, cell in enumerate(row["cells"], start=2):
                put(sheet, index, column, cell["difference"])
        chart = BarChart()
        chart.type, chart.title = "col", str(_("The schemes' key amounts side by side"))
        chart.y_axis.title, chart.y_axis.numFmt = str(_("yuan")), "#,##0"
        chart.add_data(Reference(sheet, min_col=2, max_col=1 + len(schemes), min_row=4, max_row=4 + len(rows)),
                       titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=5, max_row=4 + len(rows)))
        chart.width, chart.height = 22, 10
        sheet.add_chart(chart, f"A{first + len(rows) + 3}")
        sheet.column_dimensions["A"].width = 26
        for column in range(2, 2 + len(schemes)):
            sheet.column_dimensions[get_column_letter(column)].width = 30
        signatures(sheet, first + len(rows) + 26)


@register
class ClearingStatementWorkbook(ResultWorkbook):
    """The year-end clearing statement a consortium's finance officer reads and files."""

    identifier = "clearing-statement"
    title = gettext_lazy("Year-end clearing statement")

    def __init__(self, clearing):
        status = clearing.get_status_display()
        name = _("%(agreement)s · %(status)s · inputs %(hash)s") % {
            "agreement": clearing.agreement, "status": status, "hash": clearing.inputs_hash[:12]}
        super().__init__([present_output(clearing.agreement.scheme, clearing.result)], name)
        self.clearing = clearing

    def filename(self) -> str:
        return f"clearing-{self.clearing.agreement.consortium.code}-{self.clearing.agreement.year}"
