"""tianjin-2021: 津医保局发〔2021〕116号, capitation for family-doctor enrollees (docs/rules.md T1-T5)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Sequence

from .core import Result, Trace
from .money import ZERO, exact, money
from .parameters import Spec, rate, specs_by_name
from .reading import MISSING, Reader, read_refused, read_score
from .scheme import Scheme
from .words import gettext_noop

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
    refused: Decimal = ZERO  # J7: spot-check refusals, scaled up


def family_doctor_fees(headcounts: Sequence[int | None], fee: Decimal | Sequence[Decimal],
                       ordered: dict[int, Decimal] | None = None) -> list[Decimal | None]:
    """T4: each month's fee `money(headcount × fee / 12)`, known once the month's roster is in
    (None before). The last month takes the difference, so the twelve sum exactly to the annual
    fee `money(Σ headcount × fee / 12)`; it waits until every month's roster is in. `fee` may be
    given month by month (a parameter changed in the year); months already `ordered` (1-11) keep
    the amount of their order, and the last month evens out any roster corrected since."""
    fees = list(fee) if isinstance(fee, (list, tuple)) else [fee] * 12
    ordered = ordered or {}
    with exact():
        months = [ordered[m] if m in ordered else (None if heads is None else money(Decimal(heads) * fees[m - 1] / 12))
                  for m, heads in enumerate(headcounts[:11], start=1)]
        if any(heads is None for heads in headcounts):
            return [*months, None]
        annual = money(sum((Decimal(h) * f for h, f in zip(headcounts, fees, strict=True)), Decimal(0)) / 12)
        return [*months, annual - sum(months, ZERO)]


def compute(inputs: Inputs, parameters: dict) -> Result:
    t = Trace()
    with exact():
        g = t.record("growth_factor", "T1", gettext_noop("round(purchase_total / baseline_year_total, 6)"),
                     (inputs.purchase_total / inputs.baseline_year_total).quantize(MICRO, rounding=ROUND_HALF_UP),
                     purchase_total=inputs.purchase_total, baseline_year_total=inputs.baseline_year_total)
        prepayments = []
        fee_per_year = Decimal(parameters["family_doctor_fee_per_year"])
        fees = family_doctor_fees(list(inputs.monthly_headcount), fee_per_year)
        for month, (baseline, heads, fee) in enumerate(zip(inputs.monthly_baseline, inputs.monthly_headcount, fees,
                                                           strict=True), start=1):
            period = f"{inputs.year}-{month:02d}"
            quota = t.record("monthly_quota", "T2",
                             gettext_noop("baseline × g / 12"), money(baseline * g / 12), member=period,
                             baseline=baseline, g=format(g, "f"))
            t.record("family_doctor_fee", "T4",
                     gettext_noop("head count × fee / 12 (the last month takes the difference)"), fee,
                     member=period, head_count=heads, fee=parameters["family_doctor_fee_per_year"])
            prepayments.append({"period": period, "quota": quota, "family_doctor_fee": fee})
        Q = t.record("quota", "T2",
                     gettext_noop("Q = Σ monthly quotas"), sum((row["quota"] for row in prepayments), ZERO))
        X = inputs.enrollee_expenditure
        s = inputs.score
        if X <= Q:
            surplus = t.record("surplus", "T3", gettext_noop("Q − X"), Q - X, Q=Q, X=X)
            retained = t.record("surplus_retained", "T3", gettext_noop("surplus × s / 100"), money(surplus * s / 100),
                                surplus=surplus, s=str(s))
            recovered = t.record("fund_recovered", "T3", gettext_noop("surplus − surplus_retained"), surplus - retained,
                                 surplus=surplus, surplus_retained=retained)
            overspend = fund_share = ZERO
        else:
            surplus = retained = recovered = ZERO
            overspend = t.record("overspend", "T3", gettext_noop("X − Q"), X - Q, X=X, Q=Q)
            fund_share = t.record("fund_overspend_share", "T3", gettext_noop("overspend × overspend_fund_share_rate"),
                                  money(overspend * Decimal(parameters["overspend_fund_share_rate"])),
                                  overspend=overspend, rate=parameters["overspend_fund_share_rate"])
        consortium_share = t.record("consortium_overspend_share", "T3",
                                    gettext_noop("overspend − fund_overspend_share"),
                                    overspend - fund_share, overspend=overspend, fund_share=fund_share)
        refused = inputs.refused
        final = t.record("final_payment", "T3, J7",
                         gettext_noop("surplus_retained − consortium_overspend_share − refused"),
                         retained - consortium_share - refused, surplus_retained=retained,
                         consortium_overspend_share=consortium_share, refused=refused)
        heads = sum(inputs.monthly_headcount)
        fee = t.record("family_doctor_fee", "T4",
                       gettext_noop("Σ head count × fee / 12 (paid month by month, outside the quota)"),
                       money(Decimal(heads) * fee_per_year / 12),
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
            "refused": refused,
            "final_payment": final,
            "family_doctor_fee": fee,
        },
        members=None,
        trace=t,
    )


def read(r: Reader, year: int):
    fund = r.section(r.data, "", "fund")
    purchase = r.field(fund, "fund", "purchase_total", r.amount) if fund is not MISSING else None
    baseline_total = r.field(fund, "fund", "baseline_year_total", r.positive_amount) if fund is not MISSING else None
    enrollment = r.section(r.data, "", "enrollment")
    baselines, heads = (), ()
    if enrollment is not MISSING:
        raw = r.get(enrollment, "enrollment", "monthly_baseline")
        if raw is not MISSING:
            if not isinstance(raw, list) or len(raw) != 12:
                r.fail("enrollment.monthly_baseline", gettext_noop("%(field)s must hold 12 monthly amounts."))
            else:
                baselines = tuple(r.amount(v, f"enrollment.monthly_baseline[{i}]") for i, v in enumerate(raw))
        raw = r.get(enrollment, "enrollment", "monthly_headcount")
        if raw is not MISSING:
            if not isinstance(raw, list) or len(raw) != 12:
                r.fail("enrollment.monthly_headcount", gettext_noop("%(field)s must hold 12 monthly head counts."))
            else:
                counts = []
                for i, v in enumerate(raw):
                    n = r.number(v, f"enrollment.monthly_headcount[{i}]")
                    if n is not None and (n < 0 or n != n.to_integral_value()):
                        r.fail(f"enrollment.monthly_headcount[{i}]", gettext_noop("%(field)s must be a whole number."))
                    counts.append(int(n) if n is not None and n == n.to_integral_value() else 0)
                heads = tuple(counts)
    actuals = r.section(r.data, "", "actuals")
    spent = r.field(actuals, "actuals", "enrollee_expenditure", r.amount) if actuals is not MISSING else None
    score = read_score(r)
    refused = sum(read_refused(r, None).values(), ZERO)
    return lambda: Inputs(
        year=year, purchase_total=purchase, baseline_year_total=baseline_total, monthly_baseline=baselines,
        monthly_headcount=heads, enrollee_expenditure=spent, score=score, refused=refused,
    )


TIANJIN = Scheme(
    id=SCHEME,
    label=gettext_noop("Tianjin 2021 capitation for family-doctor enrollees"),
    parameters=specs_by_name(
        Spec("family_doctor_fee_per_year", gettext_noop("Family-doctor fee per enrollee and year"), "money", "40.00",
             Decimal("0"), None, "T4"),
        rate("overspend_fund_share_rate", gettext_noop("Fund's share of an overspend"), "0", "T3"),
    ),
    read=read,
    compute=compute,
    fund_fields=(("purchase_total", gettext_noop("Purchase total of the year (Tianjin)")),
                 ("baseline_year_total", gettext_noop("Purchase total of the baseline year (Tianjin)"))),
    package_key="quota",
    cadence="month",  # T4: the family-doctor fee, month by month
    members=False,
    capitation=True,
    family_doctor_fee=family_doctor_fees,
    consumption="enrollees",
)
