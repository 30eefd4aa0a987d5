"""A calculation step as a clerk would write it on paper: the rule it follows, the formula in
Chinese words (each formula is a message of the catalogue), the numbers put in with their Chinese
names, and the result in yuan. Flags read 是/否, rates as percentages, amounts as ¥1,234.56."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consortia.problems import FIELD_LABELS
from consortia.templatetags.money import percent, yuan
from payrules import SCHEMES
from payrules.core import LABELS

# The inputs of formulas that are neither a named amount, a parameter nor a fund figure.
INPUT_WORDS = {
    "baseline": _("baseline cost"),
    "fund_share": _("share borne by the fund"),
    "head_count": _("signed-up head count"),
    "head_months": _("signed-up head count by month"),
    "premium": _("critical-illness insurance premium"),
    "rate": _("rate"),
    "ratio": _("tier ratio"),
    "released": _("risk fund released"),
    "remittance": _("risk-adjustment remittance"),
    "total": _("amount to split"),
    "weights": _("weights of the three years"),
}
SCORES = {"s", "score"}  # evaluation scores out of 100: numbers, not yuan
IDENTIFIER = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$|^[a-z]{4,}$")  # a name, not a symbol like R, T1, Dprev


def _spec(name: str, scheme: str | None):
    schemes = [SCHEMES[scheme]] if scheme in SCHEMES else list(SCHEMES.values())
    for rules in schemes:
        if name in rules.parameters:
            return rules.parameters[name]
    return None


def word(name: str, scheme: str | None = None) -> str:
    """The Chinese name of an amount, a parameter or an input; a formula's symbol (R, T1) as it is."""
    if name in LABELS:
        return gettext(LABELS[name])
    spec = _spec(name, scheme)
    if spec is not None:
        return gettext(spec.label)
    for rules in SCHEMES.values():
        for key, label in rules.deduction_items:
            if key == name:
                return gettext(label)
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    return str(INPUT_WORDS.get(name, name))


def figure(value, name: str = "", scheme: str | None = None) -> str:
    """A number as the clerk reads it: amounts in yuan, rates in per cent, flags in words."""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if value is None:
        return "—"
    spec = _spec(name, scheme) if name else None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if spec is not None and spec.kind == "rate":
        return percent(number)
    if name in SCORES:
        return format(number, "f")
    if isinstance(value, int) or (isinstance(value, str) and "." not in value):
        return f"{number:,}"
    return yuan(number)


def explain(step: dict, scheme: str | None = None) -> str:
    """"调剂金 A = R × 调剂金比例 = ¥7,730,800.00（其中 R = ¥386,540,000.00，调剂金比例 = 2.00%）"."""
    if "explanation" in step:  # a step written in words already (a reversal, a deadline)
        return str(step["explanation"])
    formula = gettext(step.get("formula", ""))
    inputs = "，".join(f"{word(k, scheme) if IDENTIFIER.match(k) else k} = {figure(v, k, scheme)}"
                      for k, v in (step.get("inputs") or {}).items())
    text = f"{formula} = {figure(step.get('value'), step.get('name', ''), scheme)}"
    return text + (gettext("(where %(inputs)s)") % {"inputs": inputs} if inputs else "")


def steps_shown(steps: list[dict], scheme: str | None = None) -> list[dict]:
    """The steps of a trace laid out for a page, a workbook or the admin."""
    return [{"rule": step.get("rule", ""), "label": word(step["name"], scheme) if step.get("name") else "",
             "member": step.get("member", ""), "explanation": explain(step, scheme)} for step in steps]
