"""The feasibility study's form: a county's inputs, typed by a clerk or read from a scenario file,
turned into a scenario/1 document for the engine."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from consortia.forms import LabelledRows, label_cells
from consortia.models import SCHEME_CHOICES, Institution

from payrules import FORMAT, SCHEMES

MONTHS = range(1, 13)
# Every scheme's fund figures and deduction items, as the schemes name them (payrules), and the
# actuals a study takes.
FUND_FIELDS = {
    **{key: (_(label), "fund") for scheme in SCHEMES.values() for key, label in scheme.fund_fields},
    "out_of_consortium": (_("Claims outside the consortium"), "actuals"),
    "enrollee_expenditure": (_("Enrollees' expenditure in the chosen categories (Tianjin)"), "actuals"),
}
DEDUCTIONS = {key: _(label) for scheme in SCHEMES.values() for key, label in scheme.deduction_items}


def _amount(label, **kwargs):
    return forms.DecimalField(label=label, required=False, min_value=Decimal("0"), max_digits=18,
                              decimal_places=2, **kwargs)


class ScenarioForm(forms.Form):
    name = forms.CharField(label=_("Name of the study"), required=False, max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    schemes = forms.MultipleChoiceField(
        label=_("Payment schemes to compare"), choices=SCHEME_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    score = forms.DecimalField(label=_("Evaluation score (0-100)"), required=False, min_value=0, max_value=100,
                               max_digits=5, decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, (label, _section) in FUND_FIELDS.items():
            self.fields[key] = _amount(label)
        for key, label in DEDUCTIONS.items():
            self.fields[f"deduction_{key}"] = _amount(_("Deduction (Jiangmen): %(item)s") % {"item": label})
        for month in MONTHS:
            self.fields[f"baseline_{month}"] = _amount(_("Baseline cost, month %(m)s") % {"m": month})
            self.fields[f"headcount_{month}"] = forms.IntegerField(
                label=_("Head count, month %(m)s") % {"m": month}, required=False, min_value=0)
            for key in (f"baseline_{month}", f"headcount_{month}"):  # drawn in a table without label tags
                self.fields[key].widget.attrs["aria-label"] = self.fields[key].label

    def months(self):
        return [(m, self[f"baseline_{m}"], self[f"headcount_{m}"]) for m in MONTHS]

    def fund_fields(self):
        return [self[key] for key in FUND_FIELDS] + [self[f"deduction_{key}"] for key in DEDUCTIONS]


class MemberForm(forms.Form):
    code = forms.CharField(label=_("Member code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    # Blank first: an untouched spare row posts nothing, so it is left out instead of wanting a code.
    tier = forms.ChoiceField(label=_("Tier"), choices=[("", "—"), *Institution.Tier.choices])
    prior_year_paid = _amount(_("Prior-year paid"))
    score = forms.DecimalField(label=_("Score"), required=False, min_value=0, max_value=100, max_digits=5,
                               decimal_places=2)
    actual = _amount(_("Claims this year"))
    h1 = _amount(_("History, oldest year"))
    h2 = _amount(_("History, middle year"))
    h3 = _amount(_("History, latest year"))
    coefficient = forms.DecimalField(label=_("Coefficient"), required=False, min_value=0, max_digits=8,
                                     decimal_places=4)
    compliant_two_years = forms.BooleanField(label=_("Compliant two years"), required=False)
    grade = forms.ChoiceField(label=_("Grade"), required=False, choices=[("", "—"), ("A", "A"), ("B", "B"), ("C", "C")])
    assessment_deduction = _amount(_("Assessment deduction"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_cells(self)


MemberFormSet = forms.formset_factory(MemberForm, formset=LabelledRows, extra=2, can_delete=True)


def _text(value):
    return None if value is None else format(value, "f")


def member_forms(members: forms.BaseFormSet) -> list[forms.Form]:
    """The member rows the clerk kept (not deleted, not left empty), in the order sent to the engine."""
    return [f for f in members.forms if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE")]


def member_rows(members: forms.BaseFormSet) -> list[dict]:
    """The cleaned data of the members the clerk kept."""
    return [f.cleaned_data for f in member_forms(members)]


def member_row(m: dict) -> dict:
    """One member as the engine reads it, from a member form's cleaned data."""
    row = {"code": m["code"], "name": m.get("name", ""), "tier": m["tier"]}
    for key in ("prior_year_paid", "score", "coefficient", "assessment_deduction"):
        if m.get(key) is not None:
            row[key] = _text(m[key])
    if all(m.get(h) is not None for h in ("h1", "h2", "h3")):
        row["history"] = [_text(m["h1"]), _text(m["h2"]), _text(m["h3"])]
    if m.get("grade"):
        row["grade"] = m["grade"]
        row["compliant_two_years"] = bool(m.get("compliant_two_years"))
    return row


def registry_members(consortium) -> list[dict]:
    """A consortium's members from the registry, lead hospital first (M5 order), as member rows."""
    from consortia.selectors import consortium_members

    return [{"code": m.code, "name": m.name, "tier": m.tier} for m in consortium_members(consortium)]


def member_initial(row: dict, actual=None) -> dict:
    """A member form's initial values from the engine's member row."""
    history = (list(row.get("history") or []) + [None, None, None])[:3]
    return {
        "code": row.get("code"), "name": row.get("name", ""), "tier": row.get("tier"),
        "prior_year_paid": row.get("prior_year_paid"), "score": row.get("score"),
        "actual": actual, "h1": history[0], "h2": history[1], "h3": history[2],
        "coefficient": row.get("coefficient"), "compliant_two_years": row.get("compliant_two_years", False),
        "grade": row.get("grade", ""), "assessment_deduction": row.get("assessment_deduction"),
    }


def scenario_from_forms(form: ScenarioForm, members: forms.BaseFormSet) -> dict:
    """A scenario/1 document from what the clerk typed; empty fields are left out, so each
    scheme names exactly what it still needs."""
    data = form.cleaned_data
    fund, actuals = {}, {}
    for key, (_label, section) in FUND_FIELDS.items():
        if data.get(key) is not None:
            (fund if section == "fund" else actuals)[key] = _text(data[key])
    deductions = {k: _text(data[f"deduction_{k}"]) for k in DEDUCTIONS
                  if data.get(f"deduction_{k}") is not None}
    if deductions:
        fund["deductions"] = deductions
    scenario = {"format": FORMAT, "name": data.get("name") or "", "year": data["year"], "fund": fund}
    rows, inside = [], {}
    for m in member_rows(members):
        if m.get("actual") is not None:
            inside[m["code"]] = _text(m["actual"])
        rows.append(member_row(m))
    if rows:
        scenario["members"] = rows
    if inside:
        actuals["in_consortium"] = inside
    if actuals:
        scenario["actuals"] = actuals
    baselines = [data.get(f"baseline_{m}") for m in MONTHS]
    heads = [data.get(f"headcount_{m}") for m in MONTHS]
    if any(v is not None for v in baselines + heads):
        scenario["enrollment"] = {
            "monthly_baseline": [_text(v) if v is not None else "0" for v in baselines],
            "monthly_headcount": [v or 0 for v in heads],
        }
    if data.get("score") is not None:
        scenario["evaluation"] = {"score": _text(data["score"])}
    return scenario


def initial_from_scenario(scenario: dict) -> tuple[dict, list[dict]]:
    """The form's initial values from a scenario file, so an uploaded study can be edited."""
    fund = scenario.get("fund") or {}
    actuals = scenario.get("actuals") or {}
    initial = {"name": scenario.get("name", ""), "year": scenario.get("year"),
               "schemes": [scenario["scheme"]] if scenario.get("scheme") else []}
    for key, (_label, section) in FUND_FIELDS.items():
        source = fund if section == "fund" else actuals
        if key in source:
            initial[key] = source[key]
    for key, value in (fund.get("deductions") or {}).items():
        initial[f"deduction_{key}"] = value
    enrollment = scenario.get("enrollment") or {}
    for month, value in zip(MONTHS, enrollment.get("monthly_baseline") or [], strict=False):
        initial[f"baseline_{month}"] = value
    for month, value in zip(MONTHS, enrollment.get("monthly_headcount") or [], strict=False):
        initial[f"headcount_{month}"] = value
    if (scenario.get("evaluation") or {}).get("score") is not None:
        initial["score"] = scenario["evaluation"]["score"]
    inside = actuals.get("in_consortium") or {}
    members = [member_initial(row, inside.get(row.get("code"))) for row in scenario.get("members") or []
               if isinstance(row, dict)]
    return initial, members


class ScenarioUploadForm(forms.Form):
    file = forms.FileField(label=_("Scenario file (scenario/1 JSON)"))


class RunForm(forms.Form):
    """A period typed for a run: a month or a quarter of a year whose agreements the person may
    run (`agreements`: the active ones of their scope)."""

    period = forms.CharField(label=_("Period (2025-03 or 2025-Q2)"), max_length=7)
    confirm = forms.BooleanField(label=_("I want the payment orders of this period made now."))

    def __init__(self, *args, agreements=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreements = agreements

    def clean_period(self):
        from .periods import parse_period

        try:
            period = parse_period(self.cleaned_data["period"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        if self.agreements is not None and not self.agreements.filter(year=period.year).exists():
            raise forms.ValidationError(_("No active agreement of %(year)s is yours to pay: check the year.")
                                        % {"year": period.year})
        return str(period)


class PayForm(forms.Form):
    """A transfer recorded as it happened: its date (not in the future, not before the approval of
    `order`) and the bank's reference."""

    paid_on = forms.DateField(label=_("paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    bank_reference = forms.CharField(label=_("bank reference"), max_length=64)

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order

    def clean_paid_on(self):
        from .services.payments import paid_on_problem

        paid_on = self.cleaned_data["paid_on"]
        problem = paid_on_problem(order=self.order, paid_on=paid_on) if self.order is not None else ""
        if problem:
            raise forms.ValidationError(problem)
        return paid_on


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class BudgetForm(forms.Form):
    """A budget's fund figures: those of the agreement's scheme only, all required."""

    def __init__(self, *args, scheme: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.amounts = [key for key, _label in SCHEMES[scheme].fund_fields]
        for key in self.amounts:
            self.fields[key] = _amount(FUND_FIELDS[key][0])
            self.fields[key].required = True
        for key, label in SCHEMES[scheme].deduction_items:  # an amount per item
            self.fields[f"deduction_{key}"] = _amount(_("Deduction (Jiangmen): %(item)s") % {"item": _(label)})

    def fund(self) -> dict:
        data = self.cleaned_data
        fund = {key: _text(data[key]) for key in self.amounts}
        deductions = {k: _text(data[f"deduction_{k}"]) for k in DEDUCTIONS
                      if data.get(f"deduction_{k}") is not None}
        if deductions:
            fund["deductions"] = deductions
        return fund

    @staticmethod
    def initial_from(fund: dict) -> dict:
        initial = {k: v for k, v in fund.items() if k != "deductions"}
        initial.update({f"deduction_{k}": v for k, v in (fund.get("deductions") or {}).items()})
        return initial


class BudgetMemberForm(MemberForm):
    """A member of the budget: what the engine needs before the year, not the year's actuals; with
    a scheme, only what that scheme asks of a member (its member_inputs)."""

    def __init__(self, *args, scheme: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        asked = SCHEMES[scheme].member_inputs if scheme in SCHEMES else None
        for name in list(self.fields):
            key = "history" if name in ("h1", "h2", "h3") else name
            if name in ("actual", "score") or (asked is not None and key not in ("code", "name", "tier", *asked)):
                del self.fields[name]


BudgetMemberFormSet = forms.formset_factory(BudgetMemberForm, formset=LabelledRows, extra=1, can_delete=True)
