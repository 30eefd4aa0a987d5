"""The rules' problems (payrules: a field and an English message id with its values) in the
clerk's words: each field named as a clerk knows it, with its exact place, the message translated.
Every layer that shows a refusal of the rules (pages, API, admin, services) words it here."""

from __future__ import annotations

import re

from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from payrules import SCHEMES, InputError


def _without_scheme(message: str) -> str:
    """A scheme's fund figure as its scheme names it, less the scheme: the study form shows every
    scheme's figures side by side, so there it reads "筹集资金（歙县）"; a problem is about one
    scheme's figures and says "筹集资金"."""
    return re.sub(r"\s*[（(][^（）()]*[）)]$", "", gettext(message))


_fund_label = lazy(_without_scheme, str)


# The clerk's words for the fields of a scenario, used when a problem names one: each scheme's
# fund figures as the scheme names them (payrules), and the fields every scheme shares.
FIELD_LABELS = {
    **{key: _fund_label(label) for scheme in SCHEMES.values() for key, label in scheme.fund_fields},
    "fund": _("fund figures"),
    "actuals": _("actual expenditure"),
    "evaluation": _("evaluation"),
    "enrollment": _("enrollment"),
    "format": _("file format"),
    "scheme": _("payment scheme"),
    "year": _("year"),
    "deductions": _("deductions"),
    "monthly_baseline": _("monthly baseline cost"),
    "monthly_headcount": _("monthly head count"),
    "enrollee_expenditure": _("enrollees' expenditure"),
    "members": _("members"),
    "code": _("member code"),
    "tier": _("tier"),
    "prior_year_paid": _("prior-year paid amount"),
    "score": _("score"),
    "history": _("history of three years"),
    "coefficient": _("adjustment coefficient"),
    "compliant_two_years": _("compliant in the two prior years"),
    "grade": _("grade"),
    "assessment_deduction": _("assessment deduction"),
    "in_consortium": _("claims inside the consortium"),
    "out_of_consortium": _("claims outside the consortium"),
    "refused": _("refused by spot checks"),
    "prepaid": _("prepaid"),
    "working_capital_paid": _("working capital paid"),
    "parameters": _("parameters"),
}


def field_display(path: str) -> str:
    """`members[2].score` → "评分（members[2].score）": the clerk's word with the exact place."""
    keys = [k for k in re.split(r"[.\[\]]", path) if k and not k.isdigit()]
    for key in reversed(keys):
        if key in FIELD_LABELS:
            return f"{FIELD_LABELS[key]}（{path}）"
    return path


def problem_list(error: InputError) -> list[dict]:
    rows = []
    for problem in error.problems:
        params = dict(problem.params)
        if "field" in params and not problem.field.startswith("parameters."):
            params["field"] = field_display(params["field"])
        if "label" in params:
            params["label"] = gettext(params["label"])
        rows.append({"field": problem.field, "message": gettext(problem.message) % params})
    return rows
