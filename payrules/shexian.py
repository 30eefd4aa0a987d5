"""shexian-2025: 歙县 county-consortium package payment (docs/rules.md S1-S11)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .core import Member, Result, Trace
from .money import ZERO, allocate, even_split, exact, money
from .parameters import TIER_GROUPS, Spec, rate, specs_by_name
from .reading import MISSING, Reader, paid_and_score, read_actuals, read_members, read_prepaid, read_refused
from .scheme import Scheme
from .words import Problem, gettext_noop

SCHEME = "shexian-2025"
# S7: the lead group holds the lead, the other county and the private hospitals.
GROUP_OF_TIER = {"lead": "lead", "county": "lead", "private": "lead", "township": "township", "village": "village"}


@dataclass(frozen=True)
class Inputs:
    year: int
    raised: Decimal  # F
    risk_adjustment_remittance: Decimal
    critical_illness_premium: Decimal
    prior_year_expenditure: Decimal  # T2
    prior_year_deficit_subsidy: Decimal  # D
    members: tuple[Member, ...]
    in_consortium: dict[str, Decimal]
    out_of_consortium: Decimal
    prepaid: Decimal | None = None  # what was actually paid; the schedule's sum when not given
    refused: Decimal = ZERO  # J7: spot-check refusals, scaled up, of the consortium's members


def _distribute(t: Trace, total: Decimal, members: tuple[Member, ...], tier_ratio: dict) -> list[Decimal]:
    """S7: to tier groups by tier_ratio, a group without members dropping out; inside a group by
    prior_year_paid × score. Both steps M4."""
    groups = [g for g in TIER_GROUPS if any(GROUP_OF_TIER[m.tier] == g for m in members)]
    group_totals = allocate(total, [Decimal(tier_ratio[g]) for g in groups])
    shares = [ZERO] * len(members)
    for group, group_total in zip(groups, group_totals, strict=True):
        t.record("group_share", "S7",
                 gettext_noop("(surplus + finance_reward) by tier_ratio"), group_total, member=group,
                 total=total, ratio=tier_ratio[group])
        indexes = [i for i, m in enumerate(members) if GROUP_OF_TIER[m.tier] == group]
        parts = allocate(group_total, [members[i].prior_year_paid * members[i].score for i in indexes])
        for index, part in zip(indexes, parts, strict=True):
            shares[index] = part
    return shares


def compute(inputs: Inputs, parameters: dict) -> Result:
    t = Trace()
    rate = {k: Decimal(parameters[k]) for k in
            ("advance_rate", "assessment_reserve_rate", "finance_reward_rate", "training_fund_rate")}
    members = inputs.members
    with exact():
        T1 = t.record("target_one", "S1", gettext_noop("T1 = F − remittance − premium"),
                      inputs.raised - inputs.risk_adjustment_remittance - inputs.critical_illness_premium,
                      F=inputs.raised, remittance=inputs.risk_adjustment_remittance,
                      premium=inputs.critical_illness_premium)
        T2 = t.record("target_two", "S1", gettext_noop("T2 = prior-year expenditure"), inputs.prior_year_expenditure)
        advance = t.record("advance", "S2", gettext_noop("T1 × advance_rate"), money(T1 * rate["advance_rate"]),
                           T1=T1, advance_rate=parameters["advance_rate"])
        reserve = t.record("assessment_reserve", "S2", gettext_noop("T1 × assessment_reserve_rate"),
                           money(T1 * rate["assessment_reserve_rate"]),
                           T1=T1, assessment_reserve_rate=parameters["assessment_reserve_rate"])
        insurer_reserve = t.record("insurer_reserve", "S2",
                                   gettext_noop("T1 − advance"), T1 - advance, T1=T1, advance=advance)
        quarters = even_split(advance - reserve, 4)
        prepayments = []
        for quarter, amount in enumerate(quarters, start=1):
            period = f"{inputs.year}-Q{quarter}"
            t.record("prepayment", "S2, M3", gettext_noop("(advance − assessment_reserve) split over Q1-Q4"), amount,
                     member=period, advance=advance, assessment_reserve=reserve)
            prepayments.append({"period": period, "amount": amount})

        budgets = allocate(T1, [m.prior_year_paid for m in members])  # S3
        pools = allocate(reserve, [m.prior_year_paid for m in members])  # S3
        releases = [money(pool * m.score / 100) for pool, m in zip(pools, members, strict=True)]  # S9

        I = t.record("in_consortium", "S4", gettext_noop("I = Σ claims inside the consortium"),
                     sum(inputs.in_consortium.values(), ZERO), inputs=inputs.in_consortium)
        O = inputs.out_of_consortium
        X = t.record("expenditure", "S4", gettext_noop("X = I + O"), I + O, I=I, O=O)
        ceiling = max(T1, T2)
        if X <= T1:
            insurer_total = T1
        elif X <= ceiling:
            insurer_total = X
        else:
            insurer_total = ceiling
        t.record("insurer_total", "S4", gettext_noop("T1 if X ≤ T1; X if T1 < X ≤ max(T1, T2); max(T1, T2) above"),
                 insurer_total, X=X, T1=T1, T2=T2)
        one_met = t.record("target_one_met", "S4", gettext_noop("X ≤ T1"), X <= T1, X=X, T1=T1)
        two_met = t.record("target_two_met", "S4", gettext_noop("X ≤ T2"), X <= T2, X=X, T2=T2)
        dprev = inputs.prior_year_deficit_subsidy
        # S5: any cut in the deficit earns the finance reward, whether or not a target is met
        # (歙县方案 六、(一) rewards target two "met or partly met"); the training fund needs a target.
        deficit_reduction = t.record(
            "deficit_reduction", "S5", gettext_noop("max(0, D − max(0, X − T1))"),
            max(ZERO, dprev - max(ZERO, X - T1)), D=dprev, X=X, T1=T1,
        )
        reward = t.record("finance_reward", "S5", gettext_noop("deficit_reduction × finance_reward_rate"),
                          money(deficit_reduction * rate["finance_reward_rate"]),
                          deficit_reduction=deficit_reduction, finance_reward_rate=parameters["finance_reward_rate"])
        training = t.record("training_fund", "S5",

                            gettext_noop("deficit_reduction × training_fund_rate when target one or two is met, else 0"),
                            money(deficit_reduction * rate["training_fund_rate"]) if (one_met or two_met) else ZERO,
                            deficit_reduction=deficit_reduction, training_fund_rate=parameters["training_fund_rate"],
                            target_one_met=one_met, target_two_met=two_met)
        surplus = t.record("surplus", "S6", gettext_noop("max(0, insurer_total − X)"), max(ZERO, insurer_total - X),
                           insurer_total=insurer_total, X=X)
        overspend = t.record("consortium_overspend_share", "S6", gettext_noop("max(0, X − insurer_total)"),
                             max(ZERO, X - insurer_total), X=X, insurer_total=insurer_total)
        prepaid = t.record("prepaid", "S6",
                           gettext_noop("prepayments paid"), sum(quarters, ZERO) if inputs.prepaid is None
                           else inputs.prepaid)
        refused = inputs.refused
        final = t.record("final_payment", "S6, J7", gettext_noop("insurer_total − O − prepaid − refused"),
                         insurer_total - O - prepaid - refused, insurer_total=insurer_total, O=O, prepaid=prepaid,
                         refused=refused)
        surplus_shares = _distribute(t, surplus + reward, members, parameters["tier_ratio"])
        overspend_shares = allocate(  # S8
            overspend, [inputs.in_consortium[m.code] * (2 - m.score / 100) for m in members]
        )
        retained = t.record("assessment_retained", "S9", gettext_noop("assessment_reserve − Σ assessment_release"),
                            reserve - sum(releases, ZERO), assessment_reserve=reserve)

    lines = []
    for m, budget, pool, release, share, burden in zip(
        members, budgets, pools, releases, surplus_shares, overspend_shares, strict=True
    ):
        t.record("budget", "S3, M4", gettext_noop("T1 by prior_year_paid"), budget, member=m.code, T1=T1,
                 prior_year_paid=m.prior_year_paid)
        t.record("assessment_pool", "S3, M4",
                 gettext_noop("assessment_reserve by prior_year_paid"), pool, member=m.code,
                 assessment_reserve=reserve, prior_year_paid=m.prior_year_paid)
        t.record("assessment_release", "S9", gettext_noop("assessment_pool × score / 100"), release, member=m.code,
                 assessment_pool=pool, score=str(m.score))
        t.record("surplus_share", "S7, M4",
                 gettext_noop("group share by prior_year_paid × score"), share, member=m.code,
                 prior_year_paid=m.prior_year_paid, score=str(m.score))
        t.record("overspend_share", "S8, M4", gettext_noop("consortium overspend by actual × (2 − score/100)"), burden,
                 member=m.code, actual=inputs.in_consortium[m.code], score=str(m.score))
        lines.append({
            "code": m.code,
            "budget": budget,
            "assessment_pool": pool,
            "assessment_release": release,
            "surplus_share": share,
            "overspend_share": burden,
        })
    return Result(
        scheme=SCHEME,
        year=inputs.year,
        package={
            "target_one": T1,
            "target_two": T2,
            "advance": advance,
            "assessment_reserve": reserve,
            "insurer_reserve": insurer_reserve,
        },
        prepayments=prepayments,
        clearing={
            "expenditure": X,
            "in_consortium": I,
            "out_of_consortium": O,
            "target_one_met": one_met,
            "target_two_met": two_met,
            "insurer_total": insurer_total,
            "surplus": surplus,
            "consortium_overspend_share": overspend,
            "deficit_reduction": deficit_reduction,
            "finance_reward": reward,
            "training_fund": training,
            "prepaid": prepaid,
            "refused": refused,
            "final_payment": final,
            "assessment_retained": retained,
        },
        members=lines,
        trace=t,
    )


FUND_FIELDS = (
    ("raised", gettext_noop("Funds raised (Shexian)")),
    ("risk_adjustment_remittance", gettext_noop("Risk-adjustment remittance (Shexian)")),
    ("critical_illness_premium", gettext_noop("Critical-illness insurance premium (Shexian)")),
    ("prior_year_expenditure", gettext_noop("Prior-year cleared expenditure (Shexian)")),
    ("prior_year_deficit_subsidy", gettext_noop("Prior-year finance deficit subsidy (Shexian)")),
)
FUND = tuple(key for key, _label in FUND_FIELDS)


def read(r: Reader, year: int):
    fund = r.section(r.data, "", "fund")
    values = {key: r.field(fund, "fund", key, r.amount) if fund is not MISSING else None for key in FUND}
    members = read_members(r, paid_and_score)
    in_consortium, outside = read_actuals(r, members)
    if None not in values.values():
        if values["raised"] < values["risk_adjustment_remittance"] + values["critical_illness_premium"]:
            r.fail("fund.raised", gettext_noop(
                "%(field)s must cover the risk-adjustment remittance and the critical-illness premium."))
    prepaid = read_prepaid(r)
    refused = sum(read_refused(r, [m.code for m in members]).values(), ZERO)
    return lambda: Inputs(
        year=year, members=members, in_consortium=in_consortium, out_of_consortium=outside, prepaid=prepaid,
        refused=refused, **values
    )


def _cross_check(cleaned: dict) -> list[Problem]:
    if Decimal(cleaned["assessment_reserve_rate"]) > Decimal(cleaned["advance_rate"]):  # S2
        return [Problem("assessment_reserve_rate", gettext_noop(
            "The assessment reserve rate may not exceed the advance rate: the reserve is held back from the "
            "advance (S2)."))]
    return []


SHEXIAN = Scheme(
    id=SCHEME,
    label=gettext_noop("Shexian 2025 consortium package with two targets"),
    parameters=specs_by_name(
        rate("advance_rate", gettext_noop("Advance rate"), "0.95", "S2"),
        rate("assessment_reserve_rate", gettext_noop("Assessment reserve rate"), "0.10", "S2"),
        rate("finance_reward_rate", gettext_noop("Finance reward rate"), "0.50", "S5"),
        rate("training_fund_rate", gettext_noop("Training fund rate"), "0.20", "S5"),
        Spec("tier_ratio", gettext_noop("Tier ratio lead:township:village"), "tier_ratio",
             {"lead": "6", "township": "3", "village": "1"}, Decimal("0"), None, "S7"),
        Spec("disbursement_workdays", gettext_noop("Working days to pass money on to members"), "integer", 10,
             Decimal("1"), Decimal("60"), "S3"),
    ),
    cross_check=_cross_check,
    read=read,
    compute=compute,
    fund_fields=FUND_FIELDS,
    package_key="target_one",
    cadence="quarter",  # S2: at quarter start, into the co-managed account
    co_managed=True,
    member_figures=("prior_year_paid",),
    member_inputs=("prior_year_paid",),
)
