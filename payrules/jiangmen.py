"""jiangmen-2016: 江人社发〔2016〕440号, total-budget control per institution (docs/rules.md J1-J8)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .core import InputError, Member, Result, Trace
from .money import ZERO, allocate, exact, money, text
from .parameters import GRADES, ONE, Spec, rate, specs_by_name
from .reading import MISSING, Reader, read_actuals, read_members, read_refused
from .scheme import Scheme
from .words import Problem, gettext_noop

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
        deductions = t.record("deductions", "J1",
                              gettext_noop("Σ deductions by item"), sum(inputs.deductions.values(), ZERO),
                              inputs=inputs.deductions)
        reserve = t.record("control_reserve", "J1", gettext_noop("B × control_reserve_rate"),
                           money(B * Decimal(p["control_reserve_rate"])), B=B,
                           control_reserve_rate=p["control_reserve_rate"])
        T = t.record("control_target", "J1",
                     gettext_noop("T = B − Σ deductions − control_reserve"), B - deductions - reserve,
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
            t.record("base", "J2",
                     gettext_noop("w1·h1 + w2·h2 + w3·h3"), base, member=code, h1=m.history[0], h2=m.history[1],
                     h3=m.history[2], weights="/".join(p["history_weights"]))
            t.record("allocation", "J2, M4",
                     gettext_noop("T by base × coefficient"), allocation, member=code, T=T, base=base,
                     coefficient=str(m.coefficient))
            wc = t.record("working_capital", "J3", gettext_noop("allocation × working_capital_rate"),
                          money(allocation * Decimal(p["working_capital_rate"])), member=code, allocation=allocation)
            extra = t.record(
                "extra_working_capital", "J3",
                gettext_noop("allocation × extra_working_capital_rate if compliant two years"),
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
                retained = t.record("surplus_retained", "J4",
                                    gettext_noop("(allocation − actual) × surplus_retention_rate"),
                                    money((allocation - actual) * Decimal(p["surplus_retention_rate"])),
                                    member=code, allocation=allocation, actual=actual)
                fund_share = ZERO
                settled = t.record("settled", "J4",
                                   gettext_noop("actual + surplus_retained"), actual + retained, member=code,
                                   actual=actual, surplus_retained=retained)
            else:
                retained = ZERO
                fund_share = t.record("fund_overspend_share", "J4", gettext_noop("Σ band part × band fund share"),
                                      overspend_fund_share(actual - allocation, allocation, p["overspend_bands"]),
                                      member=code, overspend=actual - allocation, allocation=allocation)
                settled = t.record("settled", "J4",
                                   gettext_noop("allocation + fund_overspend_share"), allocation + fund_share,
                                   member=code, allocation=allocation, fund_overspend_share=fund_share)
            deposit = t.record("deposit", "J5",
                               gettext_noop("settled × deposit_rate"), money(settled * Decimal(p["deposit_rate"])),
                               member=code, settled=settled)
            forfeit_rate = Decimal(p["deposit_forfeit_rate_by_grade"][m.grade])
            forfeited = t.record("deposit_forfeited", "J5", gettext_noop("deposit × forfeit rate of the grade"),
                                 money(deposit * forfeit_rate), member=code, deposit=deposit, grade=m.grade)
            paid = wc + extra if inputs.working_capital_paid is None else inputs.working_capital_paid.get(code, ZERO)
            refused = (inputs.refused or {}).get(code, ZERO)
            # J7: J4-J6 ran on the actual as paid; what the fund paid but did not owe comes off
            # the final payment, exactly.
            final = t.record(
                "final_payment", "J6, J7",

                gettext_noop("settled − deposit_forfeited − assessment_deduction − actual − working capital paid − refused"),
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


def _member_fields(r: Reader, item: dict, path: str) -> dict:
    """A member's three years of history, adjustment coefficient, compliance and grade (J2-J5)."""
    fields: dict = {}
    history = r.get(item, path, "history")
    if history is not MISSING:
        if not isinstance(history, list) or len(history) != 3:
            r.fail(f"{path}.history", gettext_noop("%(field)s must hold three yearly amounts, oldest first."))
        else:
            fields["history"] = tuple(r.amount(h, f"{path}.history[{i}]") for i, h in enumerate(history))
    coefficient = r.field(item, path, "coefficient", r.number)
    if coefficient is not None and coefficient < 0:
        r.fail(f"{path}.coefficient", gettext_noop("%(field)s must not be negative."))
    fields["coefficient"] = coefficient
    compliant = r.get(item, path, "compliant_two_years")
    if compliant is not MISSING and not isinstance(compliant, bool):
        r.fail(f"{path}.compliant_two_years", gettext_noop("%(field)s must be true or false."))
    fields["compliant_two_years"] = compliant is True
    grade = r.get(item, path, "grade")
    if grade is not MISSING and grade not in GRADES:
        r.fail(f"{path}.grade", gettext_noop("%(field)s must be A, B or C."))
    fields["grade"] = grade
    fields["assessment_deduction"] = r.field(item, path, "assessment_deduction", r.amount, required=False)
    return fields


def read(r: Reader, year: int):
    fund = r.section(r.data, "", "fund")
    budget = r.field(fund, "fund", "budget", r.amount) if fund is not MISSING else None
    raw = r.get(fund, "fund", "deductions") if fund is not MISSING else MISSING
    deductions = {}
    if raw is not MISSING:
        if not isinstance(raw, dict):
            r.fail("fund.deductions", gettext_noop("%(field)s must give an amount for each item."))
        else:
            deductions = {key: r.amount(value, f"fund.deductions.{key}") for key, value in raw.items()}
    members = read_members(r, _member_fields)
    in_consortium, _outside = read_actuals(r, members)
    actuals = r.data.get("actuals") if isinstance(r.data, dict) else None
    paid = None
    if isinstance(actuals, dict) and "working_capital_paid" in actuals:
        paid = r.amounts_by_code(actuals["working_capital_paid"], "actuals.working_capital_paid",
                                 [m.code for m in members])
    refused = read_refused(r, [m.code for m in members])
    return lambda: Inputs(
        year=year, budget=budget, deductions=deductions, members=members, actual=in_consortium,
        working_capital_paid=paid, refused=refused,
    )


JIANGMEN = Scheme(
    id=SCHEME,
    label=gettext_noop("Jiangmen 2016 total-budget control per institution"),
    parameters=specs_by_name(
        # 江人社发〔2016〕440号 reserves "not more than 15% of the budget" (docs/rules.md J1).
        rate("control_reserve_rate", gettext_noop("Control reserve rate"), "0.10", "J1", maximum=Decimal("0.15")),
        Spec("history_weights", gettext_noop("Weights of the three history years"), "weights",
             ["0.1", "0.2", "0.7"], rule="J2"),
        rate("working_capital_rate", gettext_noop("Working capital rate"), "0.08", "J3"),
        rate("extra_working_capital_rate", gettext_noop("Extra working capital rate"), "0.08", "J3"),
        rate("deposit_rate", gettext_noop("Deposit rate"), "0.05", "J5"),
        Spec("deposit_forfeit_rate_by_grade", gettext_noop("Deposit forfeited by grade"), "grade_rates",
             {"A": "0", "B": "0.5", "C": "1"}, Decimal("0"), ONE, "J5"),
        rate("surplus_retention_rate", gettext_noop("Surplus retention rate"), "0.50", "J4"),
        Spec("overspend_bands", gettext_noop("Overspend bands"), "bands",
             [{"up_to": "0.10", "fund_share": "0.50"}, {"up_to": None, "fund_share": "0"}], rule="J4"),
    ),
    read=read,
    compute=compute,
    fund_fields=(("budget", gettext_noop("Fund budget (Jiangmen)")),),
    deduction_items=(  # J1: what comes off the budget before the control target
        ("out_of_area", gettext_noop("out-of-area care")),
        ("critical_illness", gettext_noop("critical-illness insurance")),
        ("special_outpatient", gettext_noop("special outpatient care")),
        ("general_outpatient", gettext_noop("general outpatient pooling")),
        ("personal_accounts", gettext_noop("personal accounts")),
    ),
    package_key="control_target",
    member_figures=("history",),
    member_inputs=("history", "coefficient", "compliant_two_years", "grade", "assessment_deduction"),
    cadence="month",  # J3: working capital in January and March, to each member
    working_capital=True,
    final_to_members=True,  # J6
    consumption="inside",  # each member's own claims against its allocation
    volume_check=True,  # J8
    quarterly_indicators=True,  # E4
)
