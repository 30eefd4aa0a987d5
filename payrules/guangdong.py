"""guangdong-2019: Annex 1 of 粤医保发〔2019〕25号 (docs/rules.md G1-G8)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .core import Member, Result, Trace
from .money import ZERO, even_split, exact, money
from .parameters import rate, specs_by_name
from .reading import MISSING, Reader, paid_and_score, read_actuals, read_members, read_prepaid, read_refused, read_score
from .scheme import Scheme
from .words import Problem, gettext_noop

SCHEME = "guangdong-2019"


@dataclass(frozen=True)
class Inputs:
    year: int
    revenue: Decimal  # R
    score: Decimal  # s, 0-100
    members: tuple[Member, ...]
    in_consortium: dict[str, Decimal]  # I per member
    out_of_consortium: Decimal  # O
    prepaid: Decimal | None = None  # what was actually paid; the schedule's sum when not given
    refused: Decimal = ZERO  # J7: spot-check refusals, scaled up, of the consortium's members


def compute(inputs: Inputs, parameters: dict) -> Result:
    t = Trace()
    rate = {k: Decimal(v) for k, v in parameters.items()}
    with exact():
        R = inputs.revenue
        A = t.record("adjustment_fund", "G1",
                     gettext_noop("A = R × adjustment_fund_rate"), money(R * rate["adjustment_fund_rate"]),
                     R=R, adjustment_fund_rate=parameters["adjustment_fund_rate"])
        # Rounded half-up each, A and K could together pass R by a fen when the two rates add up
        # to 1 (R 4.50 at 0.31 and 0.69: 1.40 + 3.11): K then takes what A leaves, no more.
        K = t.record("risk_fund", "G1", gettext_noop("K = min(R × risk_fund_rate, R − A)"),
                     min(money(R * rate["risk_fund_rate"]), R - A), R=R, A=A,
                     risk_fund_rate=parameters["risk_fund_rate"])
        P = t.record("package", "G1", gettext_noop("P = R − A − K"), R - A - K, R=R, A=A, K=K)
        prepay_total = t.record("prepayment_total", "G2",
                                gettext_noop("P × prepay_rate"), money(P * rate["prepay_rate"]),
                                P=P, prepay_rate=parameters["prepay_rate"])
        months = even_split(prepay_total, 12)
        prepayments = []
        for month, amount in enumerate(months, start=1):
            period = f"{inputs.year}-{month:02d}"
            t.record("prepayment", "G2, M3", gettext_noop("even split of the prepayment total over 12 months"), amount,
                     member=period, total=prepay_total)
            prepayments.append({"period": period, "amount": amount})

        I = t.record("in_consortium", "G5", gettext_noop("I = Σ claims inside the consortium"),
                     sum(inputs.in_consortium.values(), ZERO), inputs=inputs.in_consortium)
        O = inputs.out_of_consortium
        E = t.record("expenditure", "G5", gettext_noop("E = I + O"), I + O, I=I, O=O)
        released = t.record("risk_fund_released", "G4", gettext_noop("K × s / 100"), money(K * inputs.score / 100),
                            K=K, s=str(inputs.score))
        W = t.record("entitlement", "G4",
                     gettext_noop("W = P + risk_fund_released"), P + released, P=P, released=released)
        if E <= W:
            surplus, overspend, fund_share = W - E, ZERO, ZERO
            t.record("surplus", "G5", gettext_noop("W − E (retained by the consortium)"), surplus, W=W, E=E)
        else:
            surplus, overspend = ZERO, E - W
            t.record("overspend", "G5", gettext_noop("E − W"), overspend, E=E, W=W)
            fund_share = t.record(
                "fund_overspend_share", "G5", gettext_noop("min(A, overspend × overspend_fund_share_rate)"),
                min(A, money(overspend * rate["overspend_fund_share_rate"])),
                A=A, overspend=overspend, overspend_fund_share_rate=parameters["overspend_fund_share_rate"],
            )
        consortium_share = t.record("consortium_overspend_share", "G5",
                                    gettext_noop("overspend − fund_overspend_share"),
                                    overspend - fund_share, overspend=overspend, fund_share=fund_share)
        prepaid = t.record("prepaid", "G6",
                           gettext_noop("prepayments paid"), sum(months, ZERO) if inputs.prepaid is None
                           else inputs.prepaid)
        refused = inputs.refused
        final = t.record("final_payment", "G6, J7", gettext_noop("W + fund_overspend_share − O − prepaid − refused"),
                         W + fund_share - O - prepaid - refused, W=W, fund_share=fund_share, O=O, prepaid=prepaid,
                         refused=refused)
    return Result(
        scheme=SCHEME,
        year=inputs.year,
        package={"revenue": R, "adjustment_fund": A, "risk_fund": K, "package": P, "prepayment_total": prepay_total},
        prepayments=prepayments,
        clearing={
            "expenditure": E,
            "in_consortium": I,
            "out_of_consortium": O,
            "risk_fund_released": released,
            "entitlement": W,
            "surplus": surplus,
            "overspend": overspend,
            "fund_overspend_share": fund_share,
            "consortium_overspend_share": consortium_share,
            "prepaid": prepaid,
            "refused": refused,
            "final_payment": final,
        },
        members=None,
        trace=t,
    )


def read(r: Reader, year: int):
    fund = r.section(r.data, "", "fund")
    revenue = r.field(fund, "fund", "revenue", r.amount) if fund is not MISSING else None
    members = read_members(r, paid_and_score)
    in_consortium, outside = read_actuals(r, members)
    score = read_score(r)
    prepaid = read_prepaid(r)
    refused = sum(read_refused(r, [m.code for m in members]).values(), ZERO)
    return lambda: Inputs(
        year=year, revenue=revenue, score=score, members=members,
        in_consortium=in_consortium, out_of_consortium=outside, prepaid=prepaid, refused=refused,
    )


def _cross_check(cleaned: dict) -> list[Problem]:
    if Decimal(cleaned["adjustment_fund_rate"]) + Decimal(cleaned["risk_fund_rate"]) > 1:  # G1
        return [Problem("risk_fund_rate", gettext_noop(
            "The adjustment fund rate and the risk fund rate together may not exceed 1: the package is what "
            "remains of the revenue (G1)."))]
    return []


GUANGDONG = Scheme(
    id=SCHEME,
    label=gettext_noop("Guangdong 2019 county consortium package (Yangxi model)"),
    parameters=specs_by_name(
        rate("adjustment_fund_rate", gettext_noop("Adjustment fund rate"), "0.02", "G1"),
        rate("risk_fund_rate", gettext_noop("Risk fund rate"), "0.08", "G1"),
        rate("prepay_rate", gettext_noop("Prepayment rate"), "0.80", "G2"),
        rate("overspend_fund_share_rate", gettext_noop("Fund's share of an overspend"), "0.50", "G5"),
    ),
    cross_check=_cross_check,
    read=read,
    compute=compute,
    fund_fields=(("revenue", gettext_noop("Fund revenue of the year (Guangdong)")),),
    member_inputs=("prior_year_paid",),  # the members share the surplus by it
    package_key="package",
    cadence="month",  # G2: monthly, to the lead hospital
    points_outside=True,  # G8
)
