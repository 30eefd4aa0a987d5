"""The parameters of a payment scheme: each is a `Spec` (name, label, kind, default, bounds, the
rule it serves) checked by its kind's cleaner (docs/rules.md M6). Each scheme module lists its own;
`validate` overlays the defaults with a county's values and checks them all.

Pure Python, no Django import.
Messages are English msgids marked with `gettext_noop`; the Django layer translates them
(`Problem.render(gettext)`), so the zh_Hans catalogue carries the words clerks read.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from .words import Problem, gettext_noop


TIERS = ("lead", "county", "private", "township", "village")  # M5
TIER_GROUPS = ("lead", "township", "village")  # S7: the lead group holds lead, county and private
GRADES = ("A", "B", "C")  # J5


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




def rate(name, label, default, rule, maximum=ONE) -> Spec:
    return Spec(name, label, "rate", default, Decimal("0"), maximum, rule)


def specs_by_name(*specs: Spec) -> dict[str, Spec]:
    return {spec.name: spec for spec in specs}


def validate(specs: dict[str, Spec], values: dict[str, Any] | None,
             cross_check: Callable[[dict], list[Problem]] = lambda cleaned: []) -> dict[str, Any]:
    """Defaults overlaid with `values`, each checked, then the checks between parameters; returns
    the canonical JSON-safe dict or raises ParameterError naming every offending field (M6)."""
    values = dict(values or {})
    problems = [Problem(name, gettext_noop("Unknown parameter %(field)s for this scheme."), {"field": name})
                for name in values if name not in specs]
    cleaned = {}
    for name, spec in specs.items():
        value, found = spec.clean(values.get(name, spec.default))
        problems += found
        cleaned[name] = value
    if not problems:
        problems += cross_check(cleaned)
    if problems:
        raise ParameterError(problems)
    return cleaned
