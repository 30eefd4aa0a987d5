"""The county's own year under every scheme: a feasibility scenario built from what the system
holds of one consortium's year — the budget approved for it (fund figures, members), the year's
expenditure (its approved clearing, else the actuals the bureau entered, else its imported claims),
the confirmed evaluation — so the schemes are compared on the county's real figures instead of typed
ones.

Where a scheme asks for something the county's own scheme never recorded, the study says what it
took instead: the year's fund is one figure under three names (筹集资金, 基金收入, 基金预算), items the
county did not have are 0.00, neutral values stand for grades and coefficients. Every figure's
source and every assumption is listed beside the results."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from payrules import FORMAT, SCHEMES

from .forms import DEDUCTIONS, FUND_FIELDS
from .records import year_paid
from .selectors import budget_in_force

THE_YEARS_FUND = ("raised", "revenue", "budget")  # the year's fund, as each scheme names it
NOT_HAD = ("risk_adjustment_remittance", "critical_illness_premium", "prior_year_deficit_subsidy")
FULL_SCORE = "100"


@dataclass
class OwnYear:
    scenario: dict | None
    schemes: list[str] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)  # {"figure", "source"}
    assumed: list[str] = field(default_factory=list)  # what stands in for a figure the system lacks
    problems: list[str] = field(default_factory=list)  # why it cannot run at all


def own_year(*, consortium, year: int) -> OwnYear:
    agreement = consortium.agreements.filter(year=year).first()
    budget = budget_in_force(agreement=agreement) if agreement is not None else None
    paid = year_paid(consortium=consortium, year=year)
    problems = []
    if budget is None:
        problems.append(_("%(consortium)s has no approved budget for %(year)s: its fund figures are not in the "
                          "system.") % {"consortium": consortium.name, "year": year})
    if paid is None:
        problems.append(_("The system holds no claims or approved clearing of %(year)s.") % {"year": year})
    if problems:
        return OwnYear(None, problems=problems)
    found = OwnYear(None)
    scheme = agreement.scheme
    fund = {key: value for key, value in budget.fund.items()}
    found.sources.append({"figure": _("fund figures"), "source": _("%(budget)s (%(scheme)s)") % {
        "budget": budget, "scheme": agreement.get_scheme_display()}})
    the_fund = next((fund[key] for key in THE_YEARS_FUND if key in fund), None)
    if the_fund is None:
        return OwnYear(None, problems=[_("The budget of %(year)s names no fund of the year the other schemes can "
                                         "take.") % {"year": year}])
    for key in THE_YEARS_FUND:
        if key not in fund:
            fund[key] = the_fund
            found.assumed.append(_("%(figure)s: the year's fund of the budget, %(amount)s") % {
                "figure": FUND_FIELDS[key][0], "amount": f"¥{Decimal(the_fund):,.2f}"})
    not_had = [str(FUND_FIELDS[key][0]) for key in NOT_HAD if key not in fund]
    fund.update({key: "0.00" for key in NOT_HAD if key not in fund})
    if "deductions" not in fund:
        fund["deductions"] = {key: "0.00" for key in DEDUCTIONS}
        not_had.append(_("deductions (Jiangmen)"))
    if not_had:
        found.assumed.append(_("0.00, not items of the county's own scheme: %(items)s") % {"items": "、".join(not_had)})
    if "prior_year_expenditure" not in fund:
        before = year_paid(consortium=consortium, year=year - 1)
        if before is not None:
            fund["prior_year_expenditure"] = format(before.expenditure, "f")
            found.sources.append({"figure": FUND_FIELDS["prior_year_expenditure"][0], "source": before.source})

    members = _members(consortium, budget, found)
    inside = {m["code"]: format(paid.members.get(m["code"], Decimal("0.00")), "f") for m in members}
    found.sources.append({"figure": _("the year's expenditure inside and outside the consortium"),
                          "source": paid.source})
    scenario = {
        "format": FORMAT, "name": _("%(consortium)s, %(year)s as it was") % {"consortium": consortium.name,
                                                                             "year": year},
        "scheme": scheme, "year": year, "fund": fund, "members": members,
        "actuals": {"in_consortium": inside, "out_of_consortium": format(paid.outside, "f")},
        "evaluation": {"score": _score(consortium, year, found)},
    }
    found.scenario = scenario
    # Every scheme but those that pay by head count: they need the enrollment rosters of a year.
    found.schemes = list(dict.fromkeys([scheme, *(key for key, rules in SCHEMES.items() if not rules.capitation)]))
    return found


def _members(consortium, budget, found: OwnYear) -> list[dict]:
    """The budget's members with what each scheme asks of a member; history and neutral values
    where the system has none."""
    from consortia.selectors import consortium_members

    rows = [dict(m) for m in budget.members] or [
        {"code": m.code, "name": m.name, "tier": m.tier} for m in consortium_members(consortium)]
    scores = _member_scores(budget.agreement)
    took_paid_as_history = took_score = took_neutral = False
    for row in rows:
        row.setdefault("prior_year_paid", (row.get("history") or [None])[-1] or "0.00")
        if not row.get("history"):
            row["history"] = [row["prior_year_paid"]] * 3
            took_paid_as_history = True
        if "score" not in row:
            row["score"] = scores.get(row["code"], FULL_SCORE)
            took_score = took_score or row["code"] not in scores
        if "coefficient" not in row:
            row.update(coefficient="1", grade="A", compliant_two_years=True)
            took_neutral = True
    if took_paid_as_history:
        found.assumed.append(_("three years of history (J2): each member's prior-year paid amount, for each year"))
    if took_score:
        found.assumed.append(_("a member's score without one recorded: 100"))
    if took_neutral:
        found.assumed.append(_("adjustment coefficient 1, grade A, compliant for two years (J2-J5): neutral"))
    return rows


def _member_scores(agreement) -> dict[str, str]:
    from .models import YearActuals

    actuals = YearActuals.objects.filter(agreement=agreement).first()
    return {code: format(Decimal(str(score)), "f") for code, score in ((actuals.member_scores if actuals else {})
                                                                      or {}).items()}


def _score(consortium, year: int, found: OwnYear) -> str:
    from evaluation.services import confirmed_score

    score = confirmed_score(consortium=consortium, year=year)
    if score is not None:
        found.sources.append({"figure": _("evaluation score"),
                              "source": _("the confirmed evaluation of %(year)s") % {"year": year}})
        return format(score, "f")
    found.assumed.append(_("evaluation score: 100, the evaluation of %(year)s is not confirmed") % {"year": year})
    return FULL_SCORE
