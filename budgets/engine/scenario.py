"""The `scenario/1` format: a feasibility study's inputs as JSON, read, checked (M6) and run.

`run_scenario(data)` takes the parsed JSON (numbers parsed as Decimal, never float) and returns
the engine's result; every problem with the inputs is raised at once as an InputError naming its
field, so the command line, the API and the web page say the same thing.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from consortia.schemes import (
    GUANGDONG_2019,
    JIANGMEN_2016,
    SHEXIAN_2025,
    TIANJIN_2021,
    TIERS,
    ParameterError,
    Problem,
    gettext_noop,
    validate_parameters,
)

from . import guangdong, jiangmen, shexian, tianjin
from .core import InputError, Member, Result

FORMAT = "scenario/1"
MISSING = object()
INVALID = object()  # a section refused for its shape: its fields are not looked for
NUMBER_LIMIT = Decimal(10) ** 13  # amounts lie below 10,000,000,000,000 yuan; no figure here is larger


MAX_DEPTH = 32  # a scenario nests a few levels; deeper is not a scenario


def loads(text: str | bytes) -> Any:
    """JSON with every number read as an exact Decimal. Raises ValueError for anything that is
    not JSON, nested too deeply (before the parser recurses into it) included."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    depth = 0
    for token in _BRACKETS.finditer(text):  # brackets outside strings, counted without recursion
        if token.group() in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise TooDeep(MAX_DEPTH)
        elif token.group() in "]}":
            depth -= 1
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


class TooDeep(ValueError):
    """JSON nested deeper than any scenario is."""


_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')  # a whole string, or a bracket


class Reader:
    """Walks the scenario, collecting one problem per bad field instead of stopping at the first."""

    def __init__(self, data: Any):
        self.data = data
        self.problems: list[Problem] = []

    def fail(self, path: str, message: str, **params) -> None:
        self.problems.append(Problem(path, message, {"field": path, **params}))

    def get(self, node: Any, path: str, key: str, required: bool = True) -> Any:
        full = f"{path}.{key}" if path else key
        if node is not MISSING and not isinstance(node, dict):
            return MISSING  # the section itself was refused, once, by `section`
        if not isinstance(node, dict) or key not in node:
            if required:
                self.fail(full, gettext_noop("%(field)s is missing."))
            return MISSING
        return node[key]

    def section(self, node: Any, path: str, key: str, required: bool = True) -> Any:
        """A part of the scenario that must be an object ({...}); anything else is refused once."""
        value = self.get(node, path, key, required)
        full = f"{path}.{key}" if path else key
        if value is not MISSING and not isinstance(value, dict):
            self.fail(full, gettext_noop("%(field)s must be an object ({...}), not a list, a text or a number."))
            return INVALID
        return value

    def number(self, value: Any, path: str) -> Decimal | None:
        if value is MISSING:
            return None
        if isinstance(value, bool) or value is None:
            self.fail(path, gettext_noop("%(field)s must be a number."))
            return None
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            self.fail(path, gettext_noop("%(field)s must be a number; %(value)s is not."), value=str(value)[:40])
            return None
        if not number.is_finite():
            self.fail(path, gettext_noop("%(field)s must be a number; %(value)s is not."), value=str(value)[:40])
            return None
        if abs(number) >= NUMBER_LIMIT:
            self.fail(path, gettext_noop("%(field)s must be below 10,000,000,000,000."))
            return None
        return number

    def amount(self, value: Any, path: str) -> Decimal | None:
        """M6: a non-negative amount in yuan with at most two decimals."""
        number = self.number(value, path)
        if number is None:
            return None
        if number < 0 or number.is_signed():  # -0 too: a sign where none belongs
            self.fail(path, gettext_noop("%(field)s must not be negative."))
            return None
        if number.as_tuple().exponent < -2:
            self.fail(path, gettext_noop("%(field)s may have at most two decimals (fen)."))
            return None
        return number.quantize(Decimal("0.01"))

    def positive_amount(self, value: Any, path: str) -> Decimal | None:
        number = self.amount(value, path)
        if number is not None and number == 0:
            self.fail(path, gettext_noop("%(field)s must be greater than zero."))
            return None
        return number

    def score(self, value: Any, path: str) -> Decimal | None:
        """M6: a score between 0 and 100."""
        number = self.number(value, path)
        if number is not None and not 0 <= number <= 100:
            self.fail(path, gettext_noop("%(field)s must be a score between 0 and 100."))
            return None
        return number

    def field(self, node, path, key, convert: Callable, required: bool = True):
        value = self.get(node, path, key, required)
        if value is MISSING:
            return None
        return convert(value, f"{path}.{key}" if path else key)

    def amounts_by_code(self, node: Any, path: str, codes: list[str]) -> dict[str, Decimal]:
        if not isinstance(node, dict):
            self.fail(path, gettext_noop("%(field)s must list an amount for each member code."))
            return {}
        known = set(codes)  # a county may list tens of thousands of members
        for code in node:
            if code not in known:
                self.fail(f"{path}.{code}", gettext_noop("%(field)s names no member of the scenario."))
        found = {}
        for code in codes:
            amount = self.field(node, path, code, self.amount)
            found[code] = amount
        return found


def _members(r: Reader, scheme: str) -> tuple[Member, ...]:
    raw = r.get(r.data, "", "members")
    if raw is MISSING:
        return ()
    if not isinstance(raw, list) or not raw:
        r.fail("members", gettext_noop("%(field)s must be a non-empty list."))
        return ()
    members, seen = [], set()
    for index, item in enumerate(raw):
        path = f"members[{index}]"
        if not isinstance(item, dict):
            r.fail(path, gettext_noop("%(field)s must be an object ({...}), not a list, a text or a number."))
            continue
        code = r.get(item, path, "code")
        if code is not MISSING and (not isinstance(code, str) or not code.strip()):
            r.fail(f"{path}.code", gettext_noop("%(field)s must be a non-empty text."))
            code = MISSING
        if code is not MISSING:
            if code in seen:
                r.fail(f"{path}.code", gettext_noop("%(field)s: member code %(code)s appears twice."), code=code)
            seen.add(code)
        tier = r.get(item, path, "tier")
        if tier is not MISSING and tier not in TIERS:
            r.fail(f"{path}.tier", gettext_noop("%(field)s must be one of %(tiers)s."), tiers=", ".join(TIERS))
        fields: dict[str, Any] = {}
        if scheme in (GUANGDONG_2019, SHEXIAN_2025):
            fields["prior_year_paid"] = r.field(item, path, "prior_year_paid", r.amount)
            fields["score"] = r.field(item, path, "score", r.score)
        if scheme == JIANGMEN_2016:
            history = r.get(item, path, "history")
            if history is not MISSING:
                if not isinstance(history, list) or len(history) != 3:
                    r.fail(f"{path}.history", gettext_noop("%(field)s must hold three yearly amounts, oldest first."))
                else:
                    values = [r.amount(h, f"{path}.history[{i}]") for i, h in enumerate(history)]
                    fields["history"] = tuple(values)
            coefficient = r.field(item, path, "coefficient", r.number)
            if coefficient is not None and coefficient < 0:
                r.fail(f"{path}.coefficient", gettext_noop("%(field)s must not be negative."))
            fields["coefficient"] = coefficient
            compliant = r.get(item, path, "compliant_two_years")
            if compliant is not MISSING and not isinstance(compliant, bool):
                r.fail(f"{path}.compliant_two_years", gettext_noop("%(field)s must be true or false."))
            fields["compliant_two_years"] = compliant is True
            grade = r.get(item, path, "grade")
            if grade is not MISSING and grade not in ("A", "B", "C"):
                r.fail(f"{path}.grade", gettext_noop("%(field)s must be A, B or C."))
            fields["grade"] = grade
            fields["assessment_deduction"] = r.field(item, path, "assessment_deduction", r.amount, required=False)
        name = item.get("name", "") if isinstance(item, dict) else ""
        clean = {k: v for k, v in fields.items() if v is not None}
        if code is not MISSING and tier is not MISSING:
            members.append(Member(code=code, tier=tier, name=str(name), **clean))
    return tuple(members)


def _actuals(r: Reader, members: tuple[Member, ...]) -> tuple[dict[str, Decimal], Decimal | None]:
    actuals = r.section(r.data, "", "actuals")
    inside = r.get(actuals, "actuals", "in_consortium")
    codes = [m.code for m in members]
    in_consortium = r.amounts_by_code(inside, "actuals.in_consortium", codes) if inside is not MISSING else {}
    outside = r.field(actuals, "actuals", "out_of_consortium", r.amount) if actuals is not MISSING else None
    return in_consortium, outside


def _prepaid(r: Reader) -> Decimal | None:
    """Optional `actuals.prepaid`: what was really paid, when the clearing runs on the books."""
    actuals = r.data.get("actuals") if isinstance(r.data, dict) else None
    if not isinstance(actuals, dict) or "prepaid" not in actuals:
        return None
    return r.amount(actuals["prepaid"], "actuals.prepaid")


def _refused(r: Reader, codes: list[str] | None) -> dict[str, Decimal]:
    """Optional `actuals.refused`: J7 spot-check refusals, scaled up, by member code (any code of
    the consortium where the scheme lists no members)."""
    actuals = r.data.get("actuals") if isinstance(r.data, dict) else None
    if not isinstance(actuals, dict) or "refused" not in actuals:
        return {}
    raw = actuals["refused"]
    if not isinstance(raw, dict):
        r.fail("actuals.refused", gettext_noop("%(field)s must give an amount for each member code."))
        return {}
    known = set(codes) if codes is not None else None
    found = {}
    for code, value in raw.items():
        path = f"actuals.refused.{code}"
        if known is not None and code not in known:
            r.fail(path, gettext_noop("%(field)s names no member of the scenario."))
            continue
        amount = r.amount(value, path)
        if amount is not None:
            found[code] = amount
    return found


def _score(r: Reader) -> Decimal | None:
    evaluation = r.section(r.data, "", "evaluation")
    return r.field(evaluation, "evaluation", "score", r.score) if evaluation is not MISSING else None


def _guangdong(r: Reader, year: int):
    fund = r.section(r.data, "", "fund")
    revenue = r.field(fund, "fund", "revenue", r.amount) if fund is not MISSING else None
    members = _members(r, GUANGDONG_2019)
    in_consortium, outside = _actuals(r, members)
    score = _score(r)
    prepaid = _prepaid(r)
    refused = sum(_refused(r, [m.code for m in members]).values(), Decimal("0.00"))
    return lambda: guangdong.Inputs(
        year=year, revenue=revenue, score=score, members=members,
        in_consortium=in_consortium, out_of_consortium=outside, prepaid=prepaid, refused=refused,
    )


def _shexian(r: Reader, year: int):
    fund = r.section(r.data, "", "fund")
    values = {
        key: r.field(fund, "fund", key, r.amount) if fund is not MISSING else None
        for key in ("raised", "risk_adjustment_remittance", "critical_illness_premium",
                    "prior_year_expenditure", "prior_year_deficit_subsidy")
    }
    members = _members(r, SHEXIAN_2025)
    in_consortium, outside = _actuals(r, members)
    if None not in values.values():
        if values["raised"] < values["risk_adjustment_remittance"] + values["critical_illness_premium"]:
            r.fail("fund.raised", gettext_noop(
                "%(field)s must cover the risk-adjustment remittance and the critical-illness premium."))
    prepaid = _prepaid(r)
    refused = sum(_refused(r, [m.code for m in members]).values(), Decimal("0.00"))
    return lambda: shexian.Inputs(
        year=year, members=members, in_consortium=in_consortium, out_of_consortium=outside, prepaid=prepaid,
        refused=refused, **values
    )


def _jiangmen(r: Reader, year: int):
    fund = r.section(r.data, "", "fund")
    budget = r.field(fund, "fund", "budget", r.amount) if fund is not MISSING else None
    raw = r.get(fund, "fund", "deductions") if fund is not MISSING else MISSING
    deductions = {}
    if raw is not MISSING:
        if not isinstance(raw, dict):
            r.fail("fund.deductions", gettext_noop("%(field)s must give an amount for each item."))
        else:
            deductions = {key: r.amount(value, f"fund.deductions.{key}") for key, value in raw.items()}
    members = _members(r, JIANGMEN_2016)
    in_consortium, _outside = _actuals(r, members)
    actuals = r.data.get("actuals") if isinstance(r.data, dict) else None
    paid = None
    if isinstance(actuals, dict) and "working_capital_paid" in actuals:
        paid = r.amounts_by_code(actuals["working_capital_paid"], "actuals.working_capital_paid",
                                 [m.code for m in members])
    refused = _refused(r, [m.code for m in members])
    return lambda: jiangmen.Inputs(
        year=year, budget=budget, deductions=deductions, members=members, actual=in_consortium,
        working_capital_paid=paid, refused=refused,
    )


def _tianjin(r: Reader, year: int):
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
    score = _score(r)
    refused = sum(_refused(r, None).values(), Decimal("0.00"))
    return lambda: tianjin.Inputs(
        year=year, purchase_total=purchase, baseline_year_total=baseline_total, monthly_baseline=baselines,
        monthly_headcount=heads, enrollee_expenditure=spent, score=score, refused=refused,
    )


SCHEMES = {
    GUANGDONG_2019: (_guangdong, guangdong.compute),
    SHEXIAN_2025: (_shexian, shexian.compute),
    JIANGMEN_2016: (_jiangmen, jiangmen.compute),
    TIANJIN_2021: (_tianjin, tianjin.compute),
}


def run_scenario(data: Any, scheme: str | None = None) -> Result:
    """Checks the scenario and runs it; `scheme` runs the same inputs under another preset
    (the feasibility study's side-by-side comparison)."""
    r = Reader(data)
    if not isinstance(data, dict):
        raise InputError([Problem("", gettext_noop("The scenario must be a JSON object."))])
    if data.get("format", FORMAT) != FORMAT:
        r.fail("format", gettext_noop("%(field)s must be %(format)s."), format=FORMAT)
    scheme = scheme or r.get(data, "", "scheme")
    if scheme is not MISSING and scheme not in SCHEMES:
        r.fail("scheme", gettext_noop("%(field)s: unknown payment scheme %(scheme)s."), scheme=str(scheme))
    year = r.field(data, "", "year", r.number)
    if year is not None and (year != year.to_integral_value() or not 2000 <= year <= 2100):
        r.fail("year", gettext_noop("%(field)s must be a year such as 2025."))
        year = None
    if r.problems and ("scheme" in {p.field for p in r.problems} or scheme is MISSING):
        raise InputError(r.problems)
    read, compute = SCHEMES[scheme]
    build = read(r, int(year) if year is not None else 0)
    parameters = None
    raw_parameters = r.section(data, "", "parameters", required=False)
    try:
        parameters = validate_parameters(scheme, raw_parameters if isinstance(raw_parameters, dict) else None)
    except ParameterError as error:
        r.problems += [Problem(f"parameters.{p.field}", p.message, {**p.params, "field": f"parameters.{p.field}"})
                       for p in error.problems]
    if r.problems:
        raise InputError(r.problems)
    return compute(build(), parameters)
