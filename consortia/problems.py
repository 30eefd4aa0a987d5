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


def field_display(path: str, members: list[dict] | None = None) -> str:
    """`members[2].score` → "评分（members[2].score）": the clerk's word with the exact place in
    the scenario file. Given the members as entered on a page (`members`), the place is said as the
    clerk knows it instead: "歙县桂林镇卫生院的评分", "医共体内结算费用（歙县人民医院）"."""
    keys = [k for k in re.split(r"[.\[\]]", path) if k and not k.isdigit()]
    label = next((str(FIELD_LABELS[k]) for k in reversed(keys) if k in FIELD_LABELS), None)
    if members is None:
        return f"{label}（{path}）" if label else path
    row = re.match(r"members\[(\d+)\]", path)
    if row and int(row[1]) < len(members):
        member = members[int(row[1])]
        who = member.get("name") or member.get("code", "")
        return gettext("%(field)s of %(member)s") % {"field": label, "member": who} if label and keys[-1] != "members" \
            else who
    coded = re.match(r"\w+\.\w+\.(.+)$", path)  # actuals.in_consortium.<member code>
    names = {m.get("code"): m.get("name") or m.get("code") for m in members}
    if coded and coded[1] in names:
        return f"{label}（{names[coded[1]]}）"
    return label or path


def problem_list(error: InputError, members: list[dict] | None = None) -> list[dict]:
    """The problems in the clerk's words; `members`: as entered on a page, to name each member."""
    rows = []
    for problem in error.problems:
        params = dict(problem.params)
        if "field" in params and not problem.field.startswith("parameters."):
            params["field"] = field_display(params["field"], members)
        if "label" in params:
            params["label"] = gettext(params["label"])
        rows.append({"field": problem.field, "message": gettext(problem.message) % params})
    return rows


def problem_errors(error: InputError, members: list[dict] | None = None):
    """The problems as one ValidationError whose parts each carry `path`, the place they concern
    (`members[3].prior_year_paid`), so a page can set each beside its field or member row."""
    from django.core.exceptions import ValidationError

    parts = []
    for row in problem_list(error, members):
        part = ValidationError(row["message"], code="rule")
        part.path = row["field"]
        parts.append(part)
    return ValidationError(parts)
