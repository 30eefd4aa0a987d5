"""The payment-scheme presets and their parameters (docs/rules.md, M6 and each preset's list).

Pure Python, no Django import: the service agreement validates its parameters here and the money
engine (budgets/engine) reads the same definitions, so a default or a bound lives in one place.
Messages are English msgids marked with `gettext_noop`; the Django layer translates them
(`Problem.render(gettext)`), so the zh_Hans catalogue carries the words clerks read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable


def gettext_noop(message: str) -> str:
    """Marks a message for extraction (makemessages knows this name) without translating it."""
    return message


GUANGDONG_2019 = "guangdong-2019"
SHEXIAN_2025 = "shexian-2025"
JIANGMEN_2016 = "jiangmen-2016"
TIANJIN_2021 = "tianjin-2021"

TIERS = ("lead", "county", "private", "township", "village")  # M5
TIER_GROUPS = ("lead", "township", "village")  # S7: the lead group holds lead, county and private
GRADES = ("A", "B", "C")  # J5


@dataclass(frozen=True)
class Problem:
    """One violated rule: which parameter, and a message template with its values."""

    field: str
    message: str
    params: dict = field(default_factory=dict)

    def render(self, translate: Callable[[str], str] = lambda s: s) -> str:
        params = dict(self.params)
        if "label" in params:
            params["label"] = translate(params["label"])
        return translate(self.message) % params


class ParameterError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.render() for p in problems))


def _decimal(value: Any) -> Decimal | None:
    """Exact decimal of a JSON number or numeric string; None for anything else (floats included
    only through their shortest repr, so 0.1 stays 0.1)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _text(number: Decimal) -> str:
    """Canonical text of a parameter value: no exponent, no trailing zeros."""
    return format(number.normalize(), "f")


@dataclass(frozen=True)
class Spec:
    """One parameter of a preset. `kind` picks the validator; bounds are inclusive."""

    name: str
    label: str
    kind: str
    default: Any
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    rule: str = ""

    def clean(self, value: Any) -> tuple[Any, list[Problem]]:
        return _CLEANERS[self.kind](self, value)


def _number_in_bounds(spec: Spec, value: Any, path: str) -> tuple[Decimal | None, list[Problem]]:
    number = _decimal(value)
    params = {"label": spec.label, "field": path}
    if number is None:
        return None, [Problem(path, gettext_noop("%(label)s (%(field)s) must be a number."), params)]
    low = spec.minimum if spec.minimum is not None else Decimal("0")
    high = spec.maximum
    if number < low or (high is not None and number > high):
        if high is None:
            message = gettext_noop("%(label)s (%(field)s) must not be less than %(low)s.")
        else:
            message = gettext_noop("%(label)s (%(field)s) must lie between %(low)s and %(high)s.")
        return None, [Problem(path, message, {**params, "low": low, "high": high, "value": number})]
    return number, []


def _clean_rate(spec: Spec, value: Any) -> tuple[Any, list[Problem]]:
    number, problems = _number_in_bounds(spec, value, spec.name)
    return (None if number is None else _text(number)), problems


MONEY_LIMIT = Decimal(10) ** 13  # amounts lie below 10,000,000,000,000 yuan (a province's decades)


def _clean_money(spec: Spec, value: Any) -> tuple[Any, list[Problem]]:
    number, problems = _number_in_bounds(spec, value, spec.name)
    if number is not None and number >= MONEY_LIMIT:
        return None, [Problem(spec.name, gettext_noop("%(label)s (%(field)s) must be below 10,000,000,000,000."),
                              {"label": spec.label, "field": spec.name})]
    if number is not None and number.as_tuple().exponent < -2:
        problems = [
            Problem(
                spec.name,
                gettext_noop("%(label)s (%(field)s) may have at most two decimals (fen)."),
                {"label": spec.label, "field": spec.name},
            )
        ]
        return None, problems
    return (None if number is None else format(number.quantize(Decimal("0.01")), "f")), problems


def _clean_integer(spec: Spec, value: Any) -> tuple[Any, list[Problem]]:
    number, problems = _number_in_bounds(spec, value, spec.name)
    if number is not None and number != number.to_integral_value():
        return None, [
            Problem(
                spec.name,
                gettext_noop("%(label)s (%(field)s) must be a whole number."),
                {"label": spec.label, "field": spec.name},
            )
        ]
    return (None if number is None else int(number)), problems


def _clean_rate_map(spec: Spec, value: Any, keys: tuple[str, ...], not_all_zero: bool):
    if not isinstance(value, dict) or set(value) != set(keys):
        return None, [
            Problem(
                spec.name,
                gettext_noop("%(label)s (%(field)s) must give exactly these keys: %(keys)s."),
                {"label": spec.label, "field": spec.name, "keys": ", ".join(keys)},
            )
        ]
    cleaned, problems = {}, []
    for key in keys:
        number, found = _number_in_bounds(spec, value[key], f"{spec.name}.{key}")
        problems += found
        if number is not None:
            cleaned[key] = _text(number)
    if not problems and not_all_zero and all(Decimal(v) == 0 for v in cleaned.values()):
        problems.append(
            Problem(
                spec.name,
                gettext_noop("%(label)s (%(field)s) must not be all zero."),
                {"label": spec.label, "field": spec.name},
            )
        )
    return (None if problems else cleaned), problems


def _clean_tier_ratio(spec: Spec, value: Any):
    return _clean_rate_map(spec, value, TIER_GROUPS, not_all_zero=True)  # M6


def _clean_grade_rates(spec: Spec, value: Any):
    return _clean_rate_map(spec, value, GRADES, not_all_zero=False)


def _clean_weights(spec: Spec, value: Any):
    message = gettext_noop(
        "%(label)s (%(field)s) must be three non-negative numbers, oldest year first, summing to 1."
    )
    params = {"label": spec.label, "field": spec.name}
    if not isinstance(value, (list, tuple)) or len(value) != 3:
        return None, [Problem(spec.name, message, params)]
    numbers = [_decimal(v) for v in value]
    if any(n is None or n < 0 for n in numbers) or sum(numbers) != 1:  # M6
        return None, [Problem(spec.name, message, params)]
    return [_text(n) for n in numbers], []


def _clean_bands(spec: Spec, value: Any):
    """J4 bands: [{"up_to": share of allocation or null, "fund_share": rate}, ...], ordered."""
    params = {"label": spec.label, "field": spec.name}
    shape = gettext_noop(
        "%(label)s (%(field)s) must be a list of bands, each with up_to (a share of the "
        "allocation, empty for the last band) and fund_share (between 0 and 1)."
    )
    if not isinstance(value, (list, tuple)) or not value:
        return None, [Problem(spec.name, shape, params)]
    cleaned, previous = [], Decimal("0")
    for index, band in enumerate(value):
        if not isinstance(band, dict) or set(band) != {"up_to", "fund_share"}:
            return None, [Problem(spec.name, shape, params)]
        share = _decimal(band["fund_share"])
        last = index == len(value) - 1
        up_to = None if band["up_to"] is None else _decimal(band["up_to"])
        if share is None or not 0 <= share <= 1 or (band["up_to"] is None and not last):
            return None, [Problem(spec.name, shape, params)]
        if band["up_to"] is not None and (up_to is None or up_to <= previous):
            return None, [
                Problem(
                    spec.name,
                    gettext_noop("%(label)s (%(field)s): the band limits must rise strictly."),
                    params,
                )
            ]
        previous = up_to if up_to is not None else previous
        cleaned.append({"up_to": None if up_to is None else _text(up_to), "fund_share": _text(share)})
    return cleaned, []


_CLEANERS = {
    "rate": _clean_rate,
    "money": _clean_money,
    "integer": _clean_integer,
    "tier_ratio": _clean_tier_ratio,
    "grade_rates": _clean_grade_rates,
    "weights": _clean_weights,
    "bands": _clean_bands,
}

ONE = Decimal("1")


def _rate(name, label, default, rule, maximum=ONE):
    return Spec(name, label, "rate", default, Decimal("0"), maximum, rule)


PRESETS: dict[str, dict[str, Spec]] = {
    GUANGDONG_2019: {
        s.name: s
        for s in (
            _rate("adjustment_fund_rate", gettext_noop("Adjustment fund rate"), "0.02", "G1"),
            _rate("risk_fund_rate", gettext_noop("Risk fund rate"), "0.08", "G1"),
            _rate("prepay_rate", gettext_noop("Prepayment rate"), "0.80", "G2"),
            _rate(
                "overspend_fund_share_rate",
                gettext_noop("Fund's share of an overspend"),
                "0.50",
                "G5",
            ),
        )
    },
    SHEXIAN_2025: {
        s.name: s
        for s in (
            _rate("advance_rate", gettext_noop("Advance rate"), "0.95", "S2"),
            _rate("assessment_reserve_rate", gettext_noop("Assessment reserve rate"), "0.10", "S2"),
            _rate("finance_reward_rate", gettext_noop("Finance reward rate"), "0.50", "S5"),
            _rate("training_fund_rate", gettext_noop("Training fund rate"), "0.20", "S5"),
            Spec(
                "tier_ratio",
                gettext_noop("Tier ratio lead:township:village"),
                "tier_ratio",
                {"lead": "6", "township": "3", "village": "1"},
                Decimal("0"),
                None,
                "S7",
            ),
            Spec(
                "disbursement_workdays",
                gettext_noop("Working days to pass money on to members"),
                "integer",
                10,
                Decimal("1"),
                Decimal("60"),
                "S3",
            ),
        )
    },
    JIANGMEN_2016: {
        s.name: s
        for s in (
            # The document reserves "not more than 15% of the budget" (001 §1).
            _rate(
                "control_reserve_rate",
                gettext_noop("Control reserve rate"),
                "0.10",
                "J1",
                maximum=Decimal("0.15"),
            ),
            Spec(
                "history_weights",
                gettext_noop("Weights of the three history years"),
                "weights",
                ["0.1", "0.2", "0.7"],
                rule="J2",
            ),
            _rate("working_capital_rate", gettext_noop("Working capital rate"), "0.08", "J3"),
            _rate(
                "extra_working_capital_rate",
                gettext_noop("Extra working capital rate"),
                "0.08",
                "J3",
            ),
            _rate("deposit_rate", gettext_noop("Deposit rate"), "0.05", "J5"),
            Spec(
                "deposit_forfeit_rate_by_grade",
                gettext_noop("Deposit forfeited by grade"),
                "grade_rates",
                {"A": "0", "B": "0.5", "C": "1"},
                Decimal("0"),
                ONE,
                "J5",
            ),
            _rate("surplus_retention_rate", gettext_noop("Surplus retention rate"), "0.50", "J4"),
            Spec(
                "overspend_bands",
                gettext_noop("Overspend bands"),
                "bands",
                [{"up_to": "0.10", "fund_share": "0.50"}, {"up_to": None, "fund_share": "0"}],
                rule="J4",
            ),
        )
    },
    TIANJIN_2021: {
        s.name: s
        for s in (
            Spec(
                "family_doctor_fee_per_year",
                gettext_noop("Family-doctor fee per enrollee and year"),
                "money",
                "40.00",
                Decimal("0"),
                None,
                "T4",
            ),
            _rate(
                "overspend_fund_share_rate",
                gettext_noop("Fund's share of an overspend"),
                "0",
                "T3",
            ),
        )
    },
}

SCHEME_LABELS = {
    GUANGDONG_2019: gettext_noop("Guangdong 2019 county consortium package (Yangxi model)"),
    SHEXIAN_2025: gettext_noop("Shexian 2025 consortium package with two targets"),
    JIANGMEN_2016: gettext_noop("Jiangmen 2016 total-budget control per institution"),
    TIANJIN_2021: gettext_noop("Tianjin 2021 capitation for family-doctor enrollees"),
}

CAPITATION_SCHEMES = frozenset({TIANJIN_2021})


def default_parameters(scheme: str) -> dict[str, Any]:
    return {name: spec.clean(spec.default)[0] for name, spec in _specs(scheme).items()}


def validate_parameters(scheme: str, values: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults overlaid with `values`, each checked; returns the canonical JSON-safe dict or
    raises ParameterError naming every offending field (M6)."""
    specs = _specs(scheme)
    values = dict(values or {})
    problems = [
        Problem(name, gettext_noop("Unknown parameter %(field)s for this scheme."), {"field": name})
        for name in values
        if name not in specs
    ]
    cleaned = {}
    for name, spec in specs.items():
        value, found = spec.clean(values.get(name, spec.default))
        problems += found
        cleaned[name] = value
    if not problems and scheme == GUANGDONG_2019:
        if Decimal(cleaned["adjustment_fund_rate"]) + Decimal(cleaned["risk_fund_rate"]) > 1:
            problems.append(
                Problem(
                    "risk_fund_rate",
                    gettext_noop(
                        "The adjustment fund rate and the risk fund rate together may not exceed 1: "
                        "the package is what remains of the revenue (G1)."
                    ),
                )
            )
    if not problems and scheme == SHEXIAN_2025:
        if Decimal(cleaned["assessment_reserve_rate"]) > Decimal(cleaned["advance_rate"]):
            problems.append(
                Problem(
                    "assessment_reserve_rate",
                    gettext_noop(
                        "The assessment reserve rate may not exceed the advance rate: the reserve "
                        "is held back from the advance (S2)."
                    ),
                )
            )
    if problems:
        raise ParameterError(problems)
    return cleaned


def _specs(scheme: str) -> dict[str, Spec]:
    try:
        return PRESETS[scheme]
    except KeyError:
        raise ParameterError(
            [Problem("scheme", gettext_noop("Unknown payment scheme %(scheme)s."), {"scheme": scheme})]
        ) from None
