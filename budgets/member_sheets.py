"""A budget's members by workbook instead of by hand (8 figures × 76 members): the clerk downloads
a workbook pre-filled with the consortium's members (the draft's figures, or last year's budget,
or the registry), fills it in Excel, and uploads it. The upload is read whole: every row is checked
as the page's member row would be, and one bad cell refuses the file with each problem named by row
and column (第 5 行 上年度支付额：…); a clean file fills the page's member rows for the clerk to
review and save, nothing stored before that."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortia.exports import Export, register
from consortia.models import Institution
from consortia.tabular import TableError, read_table

from .forms import BudgetMemberForm

REQUIRED = ("code", "tier")


def member_fields(scheme: str | None = None) -> list[tuple[str, str]]:
    """(field name, its label) of a budget's member row under `scheme`, in the page's order."""
    form = BudgetMemberForm(scheme=scheme)
    return [(name, str(field.label)) for name, field in form.fields.items() if name != "DELETE"]


@register
class BudgetMembersExport(Export):
    """The members' workbook of an agreement's budget: one row per member, pre-filled."""

    identifier = "budget-members"
    title = gettext_lazy("Budget members")
    write_only = True

    def __init__(self, *, rows: list[dict], name: str = "budget-members", scheme: str | None = None):
        """`rows`: the page's member rows (member_initial's keys; the registry's give code, name, tier)."""
        self.member_rows, self.name, self.scheme = rows, name, scheme

    @property
    def columns(self):
        return [label for _name, label in member_fields(self.scheme)]

    def filename(self) -> str:
        return self.name

    def rows(self):
        tiers = dict(Institution.Tier.choices)
        for initial in self.member_rows:
            values = []
            for name, _label in member_fields(self.scheme):
                value = initial.get(name)
                if name == "tier":
                    value = str(tiers.get(value, value or ""))
                elif name == "compliant_two_years":
                    value = _("yes") if value else _("no")
                elif value not in (None, "") and name not in ("code", "name", "grade"):
                    value = Decimal(str(value))
                values.append(value)
            yield values


def _places(field, value):
    """An amount as the form writes it (250.5 from Excel → 250.50); the field allows no more."""
    places = getattr(field, "decimal_places", None)
    if isinstance(value, Decimal) and places:
        return value.quantize(Decimal(1).scaleb(-places))
    return value


def members_read(upload, scheme: str | None = None) -> tuple[list[dict], list[str]]:
    """The member rows of an uploaded workbook as the page's initial rows, or the problems, each
    named by its row and column; rows come back only when there is no problem at all."""
    fields = member_fields(scheme)
    aliases = {name: (label,) for name, label in fields}
    tiers = {str(label): value for value, label in Institution.Tier.choices} | {v: v for v in Institution.Tier.values}
    flags = {_("yes"): "on", "是": "on", "true": "on", "1": "on"}
    labels = dict(fields)
    rows, problems = [], []
    try:
        for number, raw in read_table(upload, upload.name, aliases, optional=frozenset(labels) - set(REQUIRED)):
            data = {}
            for name, value in raw.items():
                text = "" if value is None else str(value).strip()
                if name == "tier":
                    text = tiers.get(text, text)
                elif name == "compliant_two_years":
                    text = flags.get(text.lower() if text.isascii() else text, "")
                if text:
                    data[name] = text
            form = BudgetMemberForm(data=data, scheme=scheme)
            if not form.is_valid():
                for name, errors in form.errors.items():
                    where = labels.get(name, "")
                    problems += [_("Row %(row)s, %(column)s: %(problem)s") % {"row": number, "column": where,
                                                                             "problem": e} for e in errors]
                continue
            rows.append({k: _places(form.fields[k], v) for k, v in form.cleaned_data.items() if k != "DELETE"})
    except TableError as error:
        return [], [error.message]
    if not rows and not problems:
        problems.append(_("The file has no member rows."))
    codes = [r["code"] for r in rows]
    problems += [_("Member code %(code)s appears twice.") % {"code": code}
                 for code in sorted({c for c in codes if codes.count(c) > 1})]
    return ([] if problems else rows), problems
