"""The one glossary: the Chinese name of every named amount, parameter, fund figure, deduction
item and formula input (目标一、预付比例、考核金…), and numbers as a clerk reads them (amounts in
yuan, rates in per cent, flags 是/否). Pages, workbooks, errors and the API's descriptions all ask
here, so a word reads the same wherever it appears."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consortia.problems import FIELD_LABELS
from consortia.templatetags.money import percent, period, yuan
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
    # the evaluation's computed indicators
    "admissions": _("admissions"),
    "admissions_in_county": _("admissions inside the county"),
    "total_cost": _("total cost"),
    "total_cost_last_year": _("total cost last year"),
    "self_pay_full": _("full self-pay"),
    "readmissions": _("readmissions within 30 days"),
    "insured": _("insured persons of the county"),
    "enrolled": _("enrollees on the rosters"),
    "situation": _("negative-list situation"),
    # the columns of a schedule or a member line
    "period": _("period"),
    "amount": _("amount"),
    "name": _("name"),
    "member": _("member"),
    "kind": _("kind"),
    # what a clearing keeps of its inputs and a run of its results
    "prepayments": _("prepayments"),
    "clearing": _("year-end clearing"),
    "audits": _("audit recoveries"),
    "own_penalty": _("penalty borne by the member"),
    "recovered": _("amount recovered"),
    "budget_version": _("budget version"),
    "final_payment": _("final payment"),
    "from_claims": _("actuals from imported claims"),
    "agreement": _("service agreement"),
    "consortium": _("consortium"),
    "status": _("status"),
    # what a job reports when it ends
    "rows": _("rows read"),
    "imported": _("claims imported"),
    "months": _("months touched"),
    "path": _("import path"),
    "already_imported": _("file imported before"),
    "error_count": _("rows with problems"),
}
SCORES = {"s", "score", "coefficient", "dip_score"}  # scores and factors: plain numbers, not yuan
IDENTIFIER = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$|^[a-z]{4,}$")  # a name, not a symbol like R, T1, D


def _spec(name: str, scheme: str | None):
    schemes = [SCHEMES[scheme]] if scheme in SCHEMES else list(SCHEMES.values())
    for rules in schemes:
        if name in rules.parameters:
            return rules.parameters[name]
    return None


SYMBOLS = {"Dprev": "D"}  # symbols renamed since: traces stored before still read as the formula now does
FORMULAS_RENAMED = {"max(0, Dprev − max(0, X − T1))": "max(0, D − max(0, X − T1))"}
# Values a stored record holds as a code: how a claims file was read.
VALUE_WORDS = {"copy": _("whole file at once"), "rows": _("row by row"), "scenario/1": _("scenario data, first format"),
               "computed": _("computed"), "approved": _("approved"), "failed": _("failed")}


def member_word(value) -> str:
    """Whom or when a step is about: a period as said (2025年第1季度), a tier by its Chinese name
    (牵头医院), a member's code as it is."""
    from consortia.models import Institution

    text = period(value)
    tiers = dict(Institution.Tier.choices)
    if text in tiers:
        return str(tiers[text])
    return str(VALUE_WORDS.get(text, text))


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
    if name in INPUT_WORDS:
        return str(INPUT_WORDS[name])
    return member_word(SYMBOLS.get(name, name))  # a tier (牵头医院) or a symbol


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


AMOUNT = re.compile(r"-?\d+\.\d{2}")  # how amounts are kept in JSON


def shown(value, field=None) -> str:
    """A value of an object's history or of data kept as JSON as the pages show it: a choice by its
    label (草稿), an amount in yuan, a flag 是/否, a tier or period in words, nothing as a dash."""
    if value is None or value == "" or value == "None":  # simple-history hands some values on as text
        return "—"
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, Decimal):
        return figure(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dict):
        return "；".join(f"{word(k)} {shown(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "；".join(shown(v) for v in value)
    if isinstance(value, str) and AMOUNT.fullmatch(value):
        return figure(Decimal(value))
    if isinstance(value, str):
        return member_word(value)
    return str(value)


def _api_fund_fields() -> str:
    """The fund figures each scheme takes, key by key with its Chinese name, for the API's docs."""
    return "；".join(f"{gettext(rules.label)}：" + "、".join(f"{key} {word(key, rules.id)}" for key, _label in
                                                       rules.fund_fields) for rules in SCHEMES.values())


def _api_member_fields() -> str:
    from consortia.models import Institution

    keys = ["code", "name", "tier", "prior_year_paid", "score", "history", "coefficient", "assessment_deduction"]
    tiers = "、".join(f"{value} {label}" for value, label in Institution.Tier.choices)
    return "、".join(f"{key} {word(key)}" for key in keys) + gettext("; tier is one of: %(tiers)s") % {"tiers": tiers}


# The API's descriptions of the budget's JSON, in the same words as the pages (lazy: in the language
# the documentation is read in).
api_fund_fields = lazy(_api_fund_fields, str)
api_member_fields = lazy(_api_member_fields, str)
