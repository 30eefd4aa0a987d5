"""The claims' exports: the claims in scope (a county's year: hundreds of thousands of rows, so
streamed, the person's id as the user's role may see it) and the empty import template."""

import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from consortia.exports import Export, cell, print_setup, register, sheet_title
from consortia.models import Institution, InsuranceType
from consortia.selectors import person_id_shown

from .columns import ALLOWED, COLUMNS, DATE_COLUMNS, EXAMPLE, EXAMPLE_CLAIM_NO, MONEY_COLUMNS, OPTIONAL
from .importers import template_header
from .models import Claim


@register
class ClaimsExport(Export):
    identifier = "claims"
    title = _("Claims")
    columns = (_("claim number"), _("insured person id"), _("insurance type"), _("institution"), _("place of care"),
               _("visit type"), _("admission or visit date"), _("settlement date"), _("total cost"), _("fund paid"),
               _("full self-pay"))
    streaming = True
    tolerates_lag = True

    def __init__(self, *, user, claims=None):
        """`claims`: the filtered claims of the list; all in the user's scope if not given."""
        self.user = user
        if claims is None:
            from .selectors import claims_of

            claims = claims_of(user).order_by("-settled_on", "-id")
        self.claims = claims

    def rows(self):
        from .selectors import in_chunks

        placements, visits = dict(Institution.Placement.choices), dict(Claim.VisitType.choices)
        types = dict(InsuranceType.choices)
        for settled, _id, *c in in_chunks(self.claims, "claim_no", "person_id", "insurance_type", "institution__name",
                                          "placement", "visit_type", "admitted_on", "total_cost", "fund_paid",
                                          "self_pay_full"):
            yield [c[0], person_id_shown(self.user, c[1]), types[c[2]], c[3], placements[c[4]], visits[c[5]], c[6],
                   settled, *c[7:]]


@register
class ClaimsTemplateExport(Export):
    """The template: the Chinese headers on the first row (the English names are accepted too), an
    example row the import skips, and in the workbook a second sheet saying what each column allows."""

    identifier = "claims-template"
    title = _("Claims import template")

    @property
    def columns(self):
        return template_header()[0]

    def rows(self):
        return [[_typed(name) for name in COLUMNS]]

    def workbook(self, book) -> None:
        from openpyxl.styles import Font

        super().workbook(book)
        sheet = book.create_sheet(sheet_title(_("How to fill in")))
        print_setup(sheet, title=_("How to fill in"))
        bold = Font(bold=True)
        sheet.append([cell(sheet, label, font=bold) for label in (
            _("column"), _("required"), _("what it takes"), _("example"), _("also accepted as header"))])
        for name, aliases in COLUMNS.items():
            sheet.append([cell(sheet, value) for value in (
                aliases[0], _("no") if name in OPTIONAL else _("yes"), ALLOWED[name], _typed(name),
                "、".join(aliases[1:]) or "—")])
        sheet.append([cell(sheet, _("The row whose claim number is %(example)s is an example; the import skips it.")
                           % {"example": EXAMPLE_CLAIM_NO})])


def _typed(name: str):
    """The example's value as a spreadsheet keeps it: amounts as numbers, dates as dates."""
    value = EXAMPLE[name]
    if value and name in MONEY_COLUMNS:
        return Decimal(value)
    if value and name in DATE_COLUMNS:
        return datetime.date.fromisoformat(value)
    return value


@register
class ReconciliationExport(Export):
    """The reconciliation's result as the bureau files it: every line of the platform's totals
    beside our claims, and what we hold that the platform does not name."""

    identifier = "reconciliation"
    title = _("Reconciliation with the national platform")
    columns = (_("institution code"), _("institution"), _("insurance type"), _("from"), _("to"),
               _("claims on the platform"), _("claims here"), _("difference in claims"),
               _("total cost on the platform"), _("total cost here"), _("difference in total cost"),
               _("all funds paid on the platform"), _("all funds paid here"), _("difference in all funds paid"),
               _("result"))

    def __init__(self, reconciliation):
        self.reconciliation = reconciliation

    def filename(self) -> str:
        return f"{self.identifier}-{self.reconciliation.pk}"

    def rows(self):
        from .reconciliation import compare

        for r in compare(self.reconciliation.county, list(self.reconciliation.lines.all())):
            platform = r.platform
            yield [r.line.institution_code if r.line else r.institution.code,
                   r.institution.name if r.institution else "", r.insurance_label, r.period_start, r.period_end,
                   platform.claims if platform else None, r.ours.claims, r.claims_difference,
                   platform.total_cost if platform else None, r.ours.total_cost, r.total_difference,
                   platform.fund_pay_total if platform else None,
                   None if r.ours.without_all_funds else r.ours.fund_pay_total, r.fund_difference,
                   _("matches the platform") if r.matched else "；".join(r.problems)]
