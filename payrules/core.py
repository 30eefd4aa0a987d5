"""What every scheme shares: members, the rule trace, the result, and input errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .words import Problem, gettext_noop



class InputError(ValueError):
    """Inputs that break a rule of M6; every problem names its field."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.render() for p in problems))


@dataclass(frozen=True)
class Member:
    """A consortium member as the engine sees it. Schemes read the fields they need."""

    code: str
    tier: str
    name: str = ""
    prior_year_paid: Decimal = Decimal("0.00")
    score: Decimal = Decimal("100")
    history: tuple[Decimal, Decimal, Decimal] = (Decimal("0.00"),) * 3
    coefficient: Decimal = Decimal("1")
    compliant_two_years: bool = False
    grade: str = "A"
    assessment_deduction: Decimal = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Step:
    """One named amount and where it came from: `rule` (the id in docs/rules.md), the formula in symbols and
    the values of the symbols, so a statement can explain the number."""

    name: str
    rule: str
    formula: str
    value: Any
    inputs: dict[str, Any]
    member: str = ""

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "member": self.member,
            "rule": self.rule,
            "formula": self.formula,
            "inputs": {k: _shown(v) for k, v in self.inputs.items()},
            "value": _shown(self.value),
        }

    def explain(self) -> str:
        inputs = ", ".join(f"{k} = {_shown(v)}" for k, v in self.inputs.items())
        return f"{self.rule}: {self.formula} = {_shown(self.value)}" + (f"（{inputs}）" if inputs else "")


def _shown(value: Any) -> Any:
    """Amounts with exactly two decimals; rates and factors with the places they have. (Read off
    the text, not the digits tuple: a county's output has hundreds of thousands of figures.)"""
    if not isinstance(value, Decimal):
        return value
    shown = format(value, "f")
    whole, dot, places = shown.partition(".")
    return f"{whole}.{places:0<2}" if len(places) <= 2 else shown


class Trace:
    """Collects the steps of one computation in the order they were taken."""

    def __init__(self):
        self.steps: list[Step] = []

    def record(self, name: str, rule: str, formula: str, value, /, member: str = "", inputs=None, **named):
        """Notes a step and returns its value. Symbols come as keywords, or as `inputs` when
        they are member codes."""
        self.steps.append(Step(name, rule, formula, value, {**(inputs or {}), **named}, member))
        return value


@dataclass
class Result:
    """A scheme's answer: the package, the prepayment schedule, the clearing and, where the
    scheme distributes, one line per member. Values are Decimal, bool or str."""

    scheme: str
    year: int
    package: dict[str, Any]
    prepayments: list[dict[str, Any]]
    clearing: dict[str, Any]
    members: list[dict[str, Any]] | None
    trace: Trace = field(repr=False, default_factory=Trace)

    def as_dict(self) -> dict:
        """JSON-safe: amounts as strings with exactly two decimals, flags as booleans."""
        out = {
            "scheme": self.scheme,
            "year": self.year,
            "package": _json(self.package),
            "prepayments": [_json(row) for row in self.prepayments],
            "clearing": _json(self.clearing),
        }
        if self.members is not None:
            out["members"] = [_json(row) for row in self.members]
        out["trace"] = [step.as_dict() for step in self.trace.steps]
        return out


def _json(row: dict) -> dict:
    return {k: _shown(v) if isinstance(v, Decimal) else v for k, v in row.items()}


# The words a statement uses for each named amount (translated by the Django layer).
LABELS = {
    "revenue": gettext_noop("Fund revenue of the year"),
    "adjustment_fund": gettext_noop("Adjustment fund"),
    "risk_fund": gettext_noop("Risk fund"),
    "package": gettext_noop("Package"),
    "prepayment_total": gettext_noop("Prepayment total"),
    "prepayment": gettext_noop("Prepayment"),
    "expenditure": gettext_noop("Expenditure"),
    "in_consortium": gettext_noop("Claims inside the consortium"),
    "out_of_consortium": gettext_noop("Claims outside the consortium"),
    "risk_fund_released": gettext_noop("Risk fund released"),
    "entitlement": gettext_noop("Entitlement"),
    "surplus": gettext_noop("Surplus"),
    "overspend": gettext_noop("Overspend"),
    "fund_overspend_share": gettext_noop("Overspend borne by the fund"),
    "consortium_overspend_share": gettext_noop("Overspend borne by the consortium"),
    "prepaid": gettext_noop("Prepaid"),
    "final_payment": gettext_noop("Final payment"),
    "target_one": gettext_noop("Target one"),
    "target_two": gettext_noop("Target two"),
    "advance": gettext_noop("Advance"),
    "assessment_reserve": gettext_noop("Assessment reserve"),
    "insurer_reserve": gettext_noop("Reserve kept by the bureau"),
    "target_one_met": gettext_noop("Target one met"),
    "target_two_met": gettext_noop("Target two met"),
    "insurer_total": gettext_noop("Total paid by the fund"),
    "deficit_reduction": gettext_noop("Deficit reduction"),
    "finance_reward": gettext_noop("Finance reward"),
    "training_fund": gettext_noop("Training fund"),
    "assessment_retained": gettext_noop("Assessment money retained"),
    "budget": gettext_noop("Budget"),
    "assessment_pool": gettext_noop("Assessment pool"),
    "assessment_release": gettext_noop("Assessment released"),
    "surplus_share": gettext_noop("Share of surplus and reward"),
    "overspend_share": gettext_noop("Share of the overspend"),
    "group_share": gettext_noop("Tier group's share"),
    "deductions": gettext_noop("Deductions"),
    "control_reserve": gettext_noop("Control reserve"),
    "control_target": gettext_noop("Control target"),
    "allocated": gettext_noop("Allocated"),
    "settled": gettext_noop("Settled"),
    "base": gettext_noop("Base"),
    "allocation": gettext_noop("Allocation"),
    "working_capital": gettext_noop("Working capital"),
    "extra_working_capital": gettext_noop("Extra working capital"),
    "actual": gettext_noop("Actual"),
    "surplus_retained": gettext_noop("Surplus retained"),
    "deposit": gettext_noop("Deposit"),
    "deposit_forfeited": gettext_noop("Deposit forfeited"),
    "assessment_deduction": gettext_noop("Assessment deduction"),
    "growth_factor": gettext_noop("Growth factor"),
    "quota": gettext_noop("Quota"),
    "monthly_quota": gettext_noop("Monthly quota"),
    "fund_recovered": gettext_noop("Recovered by the fund"),
    "family_doctor_fee": gettext_noop("Family-doctor fee"),
    "refused": gettext_noop("Refused by spot checks"),
    "credited_to_consortium": gettext_noop("Own-audit recoveries credited to the consortium"),
    "penalty_charged": gettext_noop("Own penalties charged to the lead hospital"),
}
