"""A payment scheme as one object: everything the product needs to know about it, so the Django
code asks `SCHEMES[agreement.scheme]` and never compares scheme names. A new scheme (another
province's) is one new module that builds one `Scheme`, plus its tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from .parameters import Spec, validate
from .words import Problem


@dataclass(frozen=True)
class Scheme:
    id: str
    label: str  # a message id: the Django layer translates it
    parameters: dict[str, Spec]
    read: Callable  # (Reader, year) -> a function building the scheme's Inputs (reading.Reader)
    compute: Callable  # (Inputs, parameters) -> core.Result
    fund_fields: tuple[tuple[str, str], ...]  # the fund figures the budget asks for: (key, label message id)
    package_key: str  # the budget figure consumption is measured against (fund burn)
    cadence: str  # "month" or "quarter": when its prepayments (or fees) fall due
    cross_check: Callable[[dict], list[Problem]] = field(default=lambda cleaned: [])
    members: bool = True  # the budget lists members, and the actuals give a figure for each
    co_managed: bool = False  # prepayments go into a co-managed account (S2); it pays the members (S11)
    working_capital: bool = False  # prepaid per member; the clearing reads what each member was paid
    final_to_members: bool = False  # a final payment per member, not one to the consortium
    capitation: bool = False  # an enrollment roster; the quota consumed by the enrollees' claims
    # A monthly fee paid on its own channel (T4): (head counts, fee per year, amounts already ordered)
    # -> each month's amount; None where the scheme pays none.
    family_doctor_fee: Callable | None = None
    points_outside: bool = False  # claims outside the consortium priced by DIP points (G8)
    consumption: str = "all"  # what consumes the package: "all" claims, the members' "inside" ones, "enrollees"
    volume_check: bool = False  # fourth-quarter visits checked against the first three (J8)
    quarterly_indicators: bool = False  # the quarterly indicator set per member (E4)
    deduction_items: tuple[tuple[str, str], ...] = ()  # fund.deductions: an amount per item (key, label)
    # What a member's row needs of past years' payments, which the claims and clearings can give:
    # "prior_year_paid" (S3) and/or "history" (the three years before, J2).
    member_figures: tuple[str, ...] = ()
    # What a budget asks of each member beyond code, name and tier (scenario keys); None: everything.
    member_inputs: tuple[str, ...] | None = None

    def default_parameters(self) -> dict[str, Any]:
        return {name: spec.clean(spec.default)[0] for name, spec in self.parameters.items()}

    def validate(self, values: dict[str, Any] | None) -> dict[str, Any]:
        """The scheme's defaults overlaid with `values`, every one checked (M6) and the checks
        between them; raises ParameterError naming each offending field."""
        return validate(self.parameters, values, self.cross_check)

    def prepayment_lines(self, schedule: list[dict], period: str) -> list[dict]:
        """The budget schedule's lines of this period, each with its kind and payee: "lead" (the
        lead hospital), "co_managed" (the consortium's co-managed account) or a member's code."""
        lines = []
        for row in schedule:
            if row.get("period") != period or "amount" not in row:
                continue
            if "member" in row:
                lines.append({"kind": row.get("kind", "prepayment"), "payee": row["member"],
                              "amount": Decimal(row["amount"])})
            else:
                lines.append({"kind": "prepayment", "payee": "co_managed" if self.co_managed else "lead",
                              "amount": Decimal(row["amount"])})
        return lines

    @property
    def consortium_payee(self) -> str:
        """Where money owed to the consortium as a whole goes: "co_managed" or "lead"."""
        return "co_managed" if self.co_managed else "lead"
