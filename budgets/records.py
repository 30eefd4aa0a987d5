"""A budget's figures about past years taken from what the system already holds, each with where it
came from: the prior-year cleared expenditure (S1 target two), each member's prior-year paid amount
(S3) and three years of history (J2). A year's approved clearing is the figure the bureau stood by
and wins; otherwise the year's imported claims (their monthly roll-ups) give the fund-paid amounts.
Nothing is stored here: the budget page fills its fields for the clerk to check and save."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from consortia.glossary import word
from consortia.models import ServiceAgreement
from payrules import SCHEMES

from .models import Clearing

ZERO = Decimal("0.00")


@dataclass
class YearPaid:
    """What one past year says: per member, the total the package bore, and where it came from."""

    members: dict[str, Decimal]
    outside: Decimal  # what the package bore outside the consortium
    expenditure: Decimal
    source: str


@dataclass
class Found:
    fund: dict[str, Decimal] = field(default_factory=dict)
    members: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # code -> {field: amount}
    sources: list[dict] = field(default_factory=list)  # {"figure": what, "source": where from}
    missing: list[str] = field(default_factory=list)  # what the system does not hold, said

    def __bool__(self) -> bool:
        return bool(self.fund or self.members)


def year_paid(*, consortium, year: int) -> YearPaid | None:
    """A past year's payments of the consortium: the approved clearing's, else the actuals the
    bureau entered for the year, else the imported claims', else None."""
    from claims.selectors import fund_paid_by_member

    from .models import YearActuals

    clearing = Clearing.objects.filter(agreement__consortium=consortium, agreement__year=year,
                                       status=Clearing.Status.APPROVED).first()
    if clearing is not None:
        actuals = clearing.inputs.get("actuals") or {}
        members = {code: Decimal(amount) for code, amount in (actuals.get("in_consortium") or {}).items()}
        outside = Decimal(actuals.get("out_of_consortium") or "0")
        expenditure = clearing.result.get("clearing", {}).get("expenditure")
        return YearPaid(members, outside,
                        Decimal(expenditure) if expenditure is not None else sum(members.values(), outside),
                        _("the approved clearing of %(year)s (No. %(n)s)") % {"year": year, "n": clearing.pk})
    entered = YearActuals.objects.filter(agreement__consortium=consortium, agreement__year=year,
                                         source=YearActuals.Source.ENTERED).first()
    if entered is not None and entered.in_consortium:
        members = {code: Decimal(str(amount)) for code, amount in entered.in_consortium.items()}
        return YearPaid(members, entered.out_of_consortium, sum(members.values(), entered.out_of_consortium),
                        _("the actuals of %(year)s entered by the bureau") % {"year": year})
    inside, outside, claims = fund_paid_by_member(consortium=consortium, year=year)
    if not claims:
        return None
    return YearPaid(inside, outside, sum(inside.values(), outside),
                    _("the claims of %(year)s imported into the system (%(n)s claims, fund paid)")
                    % {"year": year, "n": f"{claims:,}"})


def fills_from_records(agreement: ServiceAgreement) -> bool:
    """Whether the agreement's budget asks for anything past years' records can give."""
    scheme = SCHEMES[agreement.scheme]
    return bool(scheme.member_figures) or "prior_year_expenditure" in dict(scheme.fund_fields)


def figures_found(*, agreement: ServiceAgreement, codes: list[str]) -> Found:
    """The past-year figures the agreement's scheme asks for, for the members `codes`."""
    scheme = SCHEMES[agreement.scheme]
    year = agreement.year
    wanted = [("prior_year_paid", year - 1)] if "prior_year_paid" in scheme.member_figures else []
    if "history" in scheme.member_figures:
        wanted += [("h1", year - 3), ("h2", year - 2), ("h3", year - 1)]
    return _found(agreement.consortium, year, codes, expenditure="prior_year_expenditure" in dict(scheme.fund_fields),
                  wanted=wanted, label=lambda key: word(key, agreement.scheme))


def member_figures_found(*, consortium, year: int, codes: list[str]) -> Found:
    """Every past-year figure a member row can take, whatever the scheme (the feasibility study):
    the prior-year paid amount and three years of history."""
    return _found(consortium, year, codes, expenditure=False, label=word,
                  wanted=[("prior_year_paid", year - 1), ("h1", year - 3), ("h2", year - 2), ("h3", year - 1)])


def _found(consortium, year: int, codes: list[str], *, expenditure: bool, wanted: list, label) -> Found:
    found = Found()
    years: dict[int, YearPaid | None] = {}

    def paid(y: int) -> YearPaid | None:
        if y not in years:
            years[y] = year_paid(consortium=consortium, year=y)
        return years[y]

    if expenditure:
        last = paid(year - 1)
        said = label("prior_year_expenditure")
        if last is None:
            found.missing.append(_("%(figure)s: nothing of %(year)s in the system") % {"figure": said,
                                                                                      "year": year - 1})
        else:
            found.fund["prior_year_expenditure"] = last.expenditure
            found.sources.append({"figure": said, "source": last.source})
    for key, y in wanted:
        said = _("%(figure)s (%(year)s)") % {"figure": _member_label(key), "year": y}
        past = paid(y)
        if past is None:
            found.missing.append(_("%(figure)s: nothing of %(year)s in the system") % {"figure": said, "year": y})
            continue
        for code in codes:
            found.members.setdefault(code, {})[key] = past.members.get(code, ZERO)
        absent = [code for code in codes if code not in past.members]
        source = past.source
        if absent:
            source += _("; %(n)s member(s) without any: 0.00") % {"n": len(absent)}
        found.sources.append({"figure": said, "source": source})
    return found


def _member_label(key: str) -> str:
    from .forms import MemberForm

    return str(MemberForm.base_fields[key].label)


def rows_filled(rows: list[dict], found: Found) -> list[dict]:
    """The page's member rows with the figures found put in (others left as they were)."""
    return [{**row, **{k: format(v, "f") for k, v in found.members.get(row.get("code"), {}).items()}}
            for row in rows]
