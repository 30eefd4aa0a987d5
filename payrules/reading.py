"""Reading a `scenario/1` document (docs/scenarios.md): JSON with every number an exact Decimal,
walked by a Reader that collects one problem per bad field instead of stopping at the first, so
the command line, the API and the web page say the same thing. The parts every scheme shares are
here; each scheme module reads its own fund figures and member fields with them."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from .core import Member
from .parameters import TIERS
from .words import Problem, gettext_noop

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


def read_members(r: Reader, fields: Callable[[Reader, dict, str], dict] = lambda r, item, path: {}
                 ) -> tuple[Member, ...]:
    """The scenario's members: code (unique), tier (M5), name, and what `fields` reads of the
    scheme's own (prior-year payment and score, three years' history, …)."""
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
        clean = {k: v for k, v in fields(r, item, path).items() if v is not None}
        if code is not MISSING and tier is not MISSING:
            members.append(Member(code=code, tier=tier, name=str(item.get("name", "")), **clean))
    return tuple(members)


def paid_and_score(r: Reader, item: dict, path: str) -> dict:
    """A member's prior-year payment and evaluation score (Guangdong, Shexian)."""
    return {"prior_year_paid": r.field(item, path, "prior_year_paid", r.amount),
            "score": r.field(item, path, "score", r.score)}


def read_actuals(r: Reader, members: tuple[Member, ...]) -> tuple[dict[str, Decimal], Decimal | None]:
    actuals = r.section(r.data, "", "actuals")
    inside = r.get(actuals, "actuals", "in_consortium")
    codes = [m.code for m in members]
    in_consortium = r.amounts_by_code(inside, "actuals.in_consortium", codes) if inside is not MISSING else {}
    outside = r.field(actuals, "actuals", "out_of_consortium", r.amount) if actuals is not MISSING else None
    return in_consortium, outside


def read_prepaid(r: Reader) -> Decimal | None:
    """Optional `actuals.prepaid`: what was really paid, when the clearing runs on the books."""
    actuals = r.data.get("actuals") if isinstance(r.data, dict) else None
    if not isinstance(actuals, dict) or "prepaid" not in actuals:
        return None
    return r.amount(actuals["prepaid"], "actuals.prepaid")


def read_refused(r: Reader, codes: list[str] | None) -> dict[str, Decimal]:
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


def read_score(r: Reader) -> Decimal | None:
    evaluation = r.section(r.data, "", "evaluation")
    return r.field(evaluation, "evaluation", "score", r.score) if evaluation is not MISSING else None
