"""tianjin-2021: 津医保局发〔2021〕116号, capitation for family-doctor enrollees (POLICY T1-T5)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .core import Result, Trace
from .money import ZERO, exact, money

SCHEME = "tianjin-2021"
MICRO = Decimal("0.000001")


@dataclass(frozen=True)
class Inputs:
    year: int
    purchase_total: Decimal
    baseline_year_total: Decimal
    monthly_baseline: tuple[Decimal, ...]  # 12 sums of enrollees' baseline annual costs
    monthly_headcount: tuple[int, ...]  # 12 head counts
    enrollee_expenditure: Decimal  # X
    score: Decimal


def compute(inputs: Inputs, parameters: dict) -> Result:
    t = Trace()
    with exact():
        g = t.record("growth_factor", "T1", "round(purchase_total / baseline_year_total, 6)",
                     (inputs.purchase_total / inputs.baseline_year_total).quantize(MICRO, rounding=ROUND_HALF_UP),
                     purchase_total=inputs.purchase_total, baseline_year_total=inputs.baseline_year_total)
        prepayments = []
        for month, baseline in enumerate(inputs.monthly_baseline, start=1):
            period = f"{inputs.year}-{month:02d}"
            quota = t.record("monthly_quota", "T2", "baseline × g / 12", money(baseline * g / 12), member=period,
                             baseline=baseline, g=format(g, "f"))
            prepayments.append({"period": period, "quota": quota})
        Q = t.record("quota", "T2", "Q = Σ monthly quotas", sum((row["quota"] for row in prepayments), ZERO))
        X = inputs.enrollee_expenditure
        s = inputs.score
        if X <= Q:
            surplus = t.record("surplus", "T3", "Q − X", Q - X, Q=Q, X=X)
            retained = t.record("surplus_retained", "T3", "surplus × s / 100", money(surplus * s / 100),
                                surplus=surplus, s=str(s))
            recovered = t.record("fund_recovered", "T3", "surplus − surplus_retained", surplus - retained,
                                 surplus=surplus, surplus_retained=retained)
            overspend = fund_share = ZERO
        else:
            surplus = retained = recovered = ZERO
            overspend = t.record("overspend", "T3", "X − Q", X - Q, X=X, Q=Q)
            fund_share = t.record("fund_overspend_share", "T3", "overspend × overspend_fund_share_rate",
                                  money(overspend * Decimal(parameters["overspend_fund_share_rate"])),
                                  overspend=overspend, rate=parameters["overspend_fund_share_rate"])
        consortium_share = t.record("consortium_overspend_share", "T3", "overspend − fund_overspend_share",
                                    overspend - fund_share, overspend=overspend, fund_share=fund_share)
        final = t.record("final_payment", "T3", "surplus_retained − consortium_overspend_share",
                         retained - consortium_share, surplus_retained=retained,
                         consortium_overspend_share=consortium_share)
        heads = sum(inputs.monthly_headcount)
        fee = t.record("family_doctor_fee", "T4", "Σ head count × fee / 12",
                       money(Decimal(heads) * Decimal(parameters["family_doctor_fee_per_year"]) / 12),
                       head_months=heads, fee=parameters["family_doctor_fee_per_year"])
    return Result(
        scheme=SCHEME,
        year=inputs.year,
        package={"growth_factor": g, "quota": Q},
        prepayments=prepayments,
        clearing={
            "expenditure": X,
            "surplus": surplus,
            "surplus_retained": retained,
            "fund_recovered": recovered,
            "overspend": overspend,
            "fund_overspend_share": fund_share,
            "consortium_overspend_share": consortium_share,
            "final_payment": final,
            "family_doctor_fee": fee,
        },
        members=None,
        trace=t,
    )
