"""The rules that price single claims or check single events, beside the package schemes:
referral deductibles (G7, B4), DIP pricing (G8, D1-D3), disbursement deadlines (S3), audit
recoveries (S10), the co-managed account (S11), spot checks (J7), the fourth-quarter volume check
(J8) and the capitation cost-shift monitor (T5). Pure functions; the workflows call them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, Iterable

from .words import Problem, gettext_noop

from .core import InputError
from .money import ZERO, exact, money

POINT_VALUE_PLACES = Decimal("0.000001")  # a DIP point value is a rate: six places, half-up


def referral_pair_deductibles(first: Decimal, second: Decimal) -> tuple[Decimal, Decimal]:
    """G7, B4: a referral pair of admissions counts as one hospitalisation and pays one
    deductible. Our reading: the first admission pays its own; the second only what its
    deductible exceeds the first's, so the pair pays the higher of the two, once."""
    return money(first), max(ZERO, money(second) - money(first))


def dip_point_value(points_budget: Decimal, total_points: Decimal) -> Decimal:
    """D1: point value = points budget / the period's total points (six places, half-up)."""
    if total_points <= 0:
        raise InputError([Problem("total_points", gettext_noop("%(field)s must be greater than zero."),
                                  {"field": "total_points"})])
    with exact():
        return (Decimal(points_budget) / Decimal(total_points)).quantize(POINT_VALUE_PLACES, rounding=ROUND_HALF_UP)


def dip_case_score(group: str, group_scores: dict[str, Decimal], basic_groups: dict[str, Decimal]) -> Decimal:
    """D3: a basic-level disease has one score at every level of institution."""
    if group in basic_groups:
        return basic_groups[group]
    return group_scores[group]


def dip_case_payment(score: Decimal, institution_coefficient: Decimal, point_value: Decimal) -> Decimal:
    """D2: score × institution coefficient × point value, to the fen."""
    with exact():
        return money(score * institution_coefficient * point_value)


@dataclass(frozen=True)
class OutsideClaim:
    """A claim of the county's insured outside the consortium, for G8."""

    placement: str  # in_county (private hospitals), in_city, out_of_city
    settled: Decimal  # fund paid as settled
    dip_score: Decimal | None = None
    institution_coefficient: Decimal = Decimal("1")


def out_of_consortium_total(claims: Iterable[OutsideClaim], point_value: Decimal) -> Decimal:
    """G8: county private hospitals and in-city hospitals outside the county are paid by DIP
    points (a case without a score as settled); out-of-city care as settled. The sum is O,
    deducted from the package (G3). `claims` is read once, so a year's claims can stream in."""
    total = ZERO
    with exact():
        for claim in claims:
            if claim.placement == "out_of_city" or claim.dip_score is None:
                total += money(claim.settled)
            else:
                total += dip_case_payment(claim.dip_score, claim.institution_coefficient, point_value)
    return total


def workday_deadline(received: datetime.date, workdays: int, is_workday: Callable[[datetime.date], bool]) -> datetime.date:
    """S3: the last day to pass money on: `workdays` Chinese working days after receipt, counted
    with the official calendar (holidays off, make-up weekend workdays on)."""
    day, counted = received, 0
    while counted < workdays:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day


def recoveries_and_penalties(recoveries: Decimal, penalties: Decimal) -> dict[str, Decimal]:
    """S10: recoveries from the lead hospital's own audits are credited to the consortium in
    full, and its penalties are charged in full: two lines, never netted against each other."""
    return {"credited_to_consortium": money(recoveries), "penalty_charged": money(penalties)}


CO_MANAGED_SOURCES = frozenset({"bureau"})
CO_MANAGED_DESTINATIONS = frozenset({"member", "bureau"})


def co_managed_transfer_check(*, direction: str, counterparty: str, approvals: set[str]) -> None:
    """S11: the co-managed account receives only from the bureau, pays only members and back to
    the bureau, and every payment carries a lead-hospital finance officer's and a bureau
    auditor's approval."""
    problems = []
    if direction == "in" and counterparty not in CO_MANAGED_SOURCES:
        problems.append(Problem("counterparty", gettext_noop(
            "The co-managed account receives money from the bureau only.")))
    if direction == "out":
        if counterparty not in CO_MANAGED_DESTINATIONS:
            problems.append(Problem("counterparty", gettext_noop(
                "The co-managed account pays only consortium members and the bureau.")))
        missing = {"finance_officer", "bureau_auditor"} - approvals
        if missing:
            problems.append(Problem("approvals", gettext_noop(
                "A payment from the co-managed account needs the approval of a lead-hospital finance "
                "officer and of a bureau auditor.")))
    if problems:
        raise InputError(problems)


def spot_check_refusal(violation_amount: Decimal, sample_ratio: Decimal) -> Decimal:
    """J7: what a spot check found refused, scaled up to the whole by the sample ratio."""
    if not Decimal(0) < sample_ratio <= 1:
        raise InputError([Problem("sample_ratio", gettext_noop("%(field)s must be above 0 and at most 1."),
                                  {"field": "sample_ratio"})])
    with exact():
        return money(violation_amount / sample_ratio)


def fourth_quarter_outside_band(q1: Decimal, q2: Decimal, q3: Decimal, q4: Decimal,
                                band: Decimal = Decimal("0.15")) -> bool:
    """J8: fourth-quarter visits more than `band` above or below the mean of Q1-Q3 are flagged."""
    with exact():
        mean = (Decimal(q1) + Decimal(q2) + Decimal(q3)) / 3
        return abs(Decimal(q4) - mean) > mean * band


def cost_shift_ratio(baseline_inpatient: Decimal, current_inpatient: Decimal, growth_factor: Decimal) -> Decimal | None:
    """T5: enrollees' inpatient costs against their baseline grown by g; above 1 means costs
    moved to the uncovered inpatient side faster than the quota grew. None without a baseline."""
    if baseline_inpatient <= 0:
        return None
    with exact():
        return (Decimal(current_inpatient) / (Decimal(baseline_inpatient) * growth_factor)).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP)
