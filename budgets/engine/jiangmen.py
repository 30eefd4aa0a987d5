"""jiangmen-2016: 江人社发〔2016〕440号, total-budget control per institution (docs/rules.md J1-J8)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from consortia.schemes import Problem, gettext_noop

from .core import InputError, Member, Result, Trace
from .money import ZERO, allocate, exact, money, text

SCHEME = "jiangmen-2016"


@dataclass(frozen=True)
class Inputs:
    year: int
    budget: Decimal  # B
    deductions: dict[str, Decimal]  # by item
    members: tuple[Member, ...]
    actual: dict[str, Decimal]  # fund-payable amount per member
    working_capital_paid: dict[str, Decimal] | None = None  # actually paid; the schedule when not given
    refused: dict[str, Decimal] | None = None  # J7: spot-check refusals, scaled up, per member


def overspend_fund_share(overspend: Decimal, allocation: Decimal, bands: list[dict]) -> Decimal:
    """J4: the overspend cut into bands measured as shares of the allocation; each band's part
    times its fund share, rounded (M2), summed. A band's limit is an amount, rounded to the fen
    before the band's part is taken."""
    total, lower = ZERO, ZERO
    for band in bands:
        upper = None if band["up_to"] is None else money(Decimal(band["up_to"]) * allocation)
        part = max(Decimal(0), (overspend if upper is None else min(overspend, upper)) - lower)
        total += money(part * Decimal(band["fund_share"]))
        if upper is None or overspend <= upper:
            break
        lower = upper
    return total


def compute(inputs: Inputs, parameters: dict) -> Result:
    t = Trace()
    p = parameters
    members = inputs.members
    weights = [Decimal(w) for w in p["history_weights"]]
    with exact():
        B = inputs.budget
        deductions = t.record("deductions", "J1", "Σ deductions by item", sum(inputs.deductions.values(), ZERO),
                              inputs=inputs.deductions)
        reserve = t.record("control_reserve", "J1", "B × control_reserve_rate",
                           money(B * Decimal(p["control_reserve_rate"])), B=B,
                           control_reserve_rate=p["control_reserve_rate"])
        T = t.record("control_target", "J1", "T = B − Σ deductions − control_reserve", B - deductions - reserve,
                     B=B, deductions=deductions, control_reserve=reserve)
        if T < 0:
            raise InputError([Problem("fund.deductions", gettext_noop(
                "The deductions (%(deductions)s) and the control reserve (%(reserve)s) exceed the fund budget "
                "(%(budget)s): the control target would be negative (J1)."),
                {"field": "fund.deductions", "deductions": text(deductions), "reserve": text(reserve),
                 "budget": text(B)})])
        bases = [money(sum((w * h for w, h in zip(weights, m.history, strict=True)), Decimal(0))) for m in members]  # J2
        allocations = allocate(T, [base * m.coefficient for base, m in zip(bases, members, strict=True)])  # J2

        prepayments, lines = [], []
        for m, base, allocation in zip(members, bases, allocations, strict=True):
            code = m.code
            t.record("base", "J2", "w1·h1 + w2·h2 + w3·h3", base, member=code, h1=m.history[0], h2=m.history[1],
                     h3=m.history[2], weights="/".join(p["history_weights"]))
            t.record("allocation", "J2, M4", "T by base × coefficient", allocation, member=code, T=T, base=base,
                     coefficient=str(m.coefficient))
            wc = t.record("working_capital", "J3", "allocation × working_capital_rate",
                          money(allocation * Decimal(p["working_capital_rate"])), member=code, allocation=allocation)
            extra = t.record(
                "extra_working_capital", "J3", "allocation × extra_working_capital_rate if compliant two years",
                money(allocation * Decimal(p["extra_working_capital_rate"])) if m.compliant_two_years else ZERO,
                member=code, allocation=allocation, compliant_two_years=m.compliant_two_years,
            )
            prepayments.append({"period": f"{inputs.year}-01", "member": code, "kind": "working_capital", "amount": wc})
            if m.compliant_two_years:
                prepayments.append(
                    {"period": f"{inputs.year}-03", "member": code, "kind": "extra_working_capital", "amount": extra}
                )
            actual = inputs.actual[code]
            if actual <= allocation:
                retained = t.record("surplus_retained", "J4", "(allocation − actual) × surplus_retention_rate",
                                    money((allocation - actual) * Decimal(p["surplus_retention_rate"])),
                                    member=code, allocation=allocation, actual=actual)
                fund_share = ZERO
                settled = t.record("settled", "J4", "actual + surplus_retained", actual + retained, member=code,
                                   actual=actual, surplus_retained=retained)
            else:
                retained = ZERO
                fund_share = t.record("fund_overspend_share", "J4", "Σ band part × band fund share",
                                      overspend_fund_share(actual - allocation, allocation, p["overspend_bands"]),
                                      member=code, overspend=actual - allocation, allocation=allocation)
                settled = t.record("settled", "J4", "allocation + fund_overspend_share", allocation + fund_share,
                                   member=code, allocation=allocation, fund_overspend_share=fund_share)
            deposit = t.record("deposit", "J5", "settled × deposit_rate", money(settled * Decimal(p["deposit_rate"])),
                               member=code, settled=settled)
            forfeit_rate = Decimal(p["deposit_forfeit_rate_by_grade"][m.grade])
            forfeited = t.record("deposit_forfeited", "J5", "deposit × forfeit rate of the grade",
                                 money(deposit * forfeit_rate), member=code, deposit=deposit, grade=m.grade)
            paid = wc + extra if inputs.working_capital_paid is None else inputs.working_capital_paid.get(code, ZERO)
            refused = (inputs.refused or {}).get(code, ZERO)
            # J7: J4-J6 ran on the actual as paid; what the fund paid but did not owe comes off
            # the final payment, exactly.
            final = t.record(
                "final_payment", "J6, J7",
                "settled − deposit_forfeited − assessment_deduction − actual − working capital paid − refused",
                settled - forfeited - m.assessment_deduction - actual - paid - refused, member=code, settled=settled,
                deposit_forfeited=forfeited, assessment_deduction=m.assessment_deduction, actual=actual,
                working_capital_paid=paid, refused=refused,
            )
            lines.append({
                "code": code,
                "base": base,
                "allocation": allocation,
                "working_capital": wc,
                "extra_working_capital": extra,
                "actual": actual,
                "surplus_retained": retained,
                "fund_overspend_share": fund_share,
                "settled": settled,
                "deposit": deposit,
                "deposit_forfeited": forfeited,
                "assessment_deduction": m.assessment_deduction,
                "refused": refused,
                "final_payment": final,
            })

        def total(key):
            return sum((line[key] for line in lines), ZERO)

        clearing = {
            "allocated": total("allocation"),
            "actual": total("actual"),
            "settled": total("settled"),
            "working_capital": total("working_capital") + total("extra_working_capital"),
            "deposit_forfeited": total("deposit_forfeited"),
            "assessment_deduction": total("assessment_deduction"),
            "refused": total("refused"),
            "final_payment": total("final_payment"),
        }
    return Result(
        scheme=SCHEME,
        year=inputs.year,
        package={"budget": B, "deductions": deductions, "control_reserve": reserve, "control_target": T},
        prepayments=prepayments,
        clearing=clearing,
        members=lines,
        trace=t,
    )
