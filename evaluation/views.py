"""The evaluation pages for the bureau: the year's evaluations in scope, one evaluation filled item
by item (result, evidence text, files), the items the data answers refreshed, submitted, confirmed
by another person or sent back, and its Annex-2 workbook. Finance officers and reviewers read."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortia.forms import add_service_errors
from consortia.models import Consortium
from consortia.permissions import can_write
from consortia.selectors import scope_queryset
from consortia.printing import SIGNED_BY, Sheet, bureau_name, printed
from consortia.services.approvals import decisions_of

from . import services
from .exporters import annex2_response, figure_text
from .indicators import monthly_trends, supervision_indicators
from .models import Evaluation, IndicatorEntry, ItemResult, NegativeFinding

STEPS = ("refresh", "signals", "submit", "confirm", "send_back")


class StartForm(forms.Form):
    consortium = forms.ModelChoiceField(label=gettext_lazy("consortium"), queryset=Consortium.objects.none())
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=2019, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["consortium"].queryset = scope_queryset(user, Consortium.objects.all())

    def start(self) -> Evaluation | None:
        """The year's evaluation of a valid form, or None with the refusal added to the form."""
        try:
            return services.evaluation_start(user=self.user, **self.cleaned_data)
        except ValidationError as error:
            self.add_error(None, error)
            return None


@login_required
def evaluation_list(request):
    evaluations = scope_queryset(request.user, Evaluation.objects.select_related("consortium__county"))
    year = request.GET.get("year", "")
    if year.isdigit():
        evaluations = evaluations.filter(year=int(year))
    writer = can_write(request.user, Evaluation)
    starting = request.method == "POST" and request.POST.get("step") != "summary"
    form = StartForm(request.POST if starting else None, user=request.user) if writer else None
    if form is not None and starting and form.is_valid() and (evaluation := form.start()):
        return redirect("evaluation-page", evaluation.pk)
    if request.method == "POST" and request.POST.get("step") == "summary" and year_ok(request.POST.get("year")):
        job = services.province_export_enqueue(year=int(request.POST["year"]), user=request.user)
        return redirect("job-page", job.pk)
    return render(request, "evaluation/list.html", {"evaluations": evaluations, "form": form, "year": year})


def year_ok(value) -> bool:
    return bool(value) and value.isdigit() and 2019 <= int(value) <= 2100


def _editable(request, evaluation: Evaluation) -> bool:
    return evaluation.status == Evaluation.Status.DRAFT and can_write(request.user, Evaluation, evaluation)


@login_required
def evaluation_page(request, pk: int):
    evaluation = get_object_or_404(scope_queryset(request.user, Evaluation.objects.select_related(
        "consortium__county", "template")), pk=pk)
    if request.GET.get("download") == "annex2":
        return annex2_response(evaluation)
    if request.method == "POST":
        if not can_write(request.user, Evaluation, evaluation):
            raise PermissionDenied
        try:
            step = request.POST.get("step", "save")
            if step == "save":
                _save(request, evaluation)
                messages.success(request, _("Saved."))
            elif step in STEPS:
                evaluation_step(request, evaluation, step)
            else:
                raise PermissionDenied
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("evaluation-page", evaluation.pk)
    results = list(evaluation.results.select_related("item").prefetch_related("files"))
    sections = []
    for result in results:
        if not sections or sections[-1]["number"] != result.item.section:
            sections.append({"number": result.item.section,
                             "heading": evaluation.template.section_heading(result.item.section), "results": []})
        sections[-1]["results"].append(result)
    return render(request, "evaluation/page.html", {
        "indicators": supervision_indicators(consortium=evaluation.consortium, year=evaluation.year),
        "trends": _trend_charts(evaluation),
        "evaluation": evaluation, "sections": sections, "editable": _editable(request, evaluation),
        "trail": decisions_of(evaluation),
        "bureau": can_write(request.user, Evaluation, evaluation), "choices": ItemResult.Result.choices[1:],
        "entries": evaluation.indicator_entries.all(), "verdicts": IndicatorEntry.Verdict.choices[1:],
    })


@login_required
def checklist_sheet(request, pk: int, pdf: bool = False):
    """The Annex-2 checklist printed for signature and seal: every item with its result, score and
    evidence, the total, the approval trail."""
    evaluation = get_object_or_404(scope_queryset(request.user, Evaluation.objects.select_related(
        "consortium__county__city", "template", "created_by", "submitted_by", "confirmed_by")), pk=pk)
    template = evaluation.template
    results = {r.item.number: r for r in evaluation.results.select_related("item").prefetch_related("files")}
    sections = []
    for item in template.items.all():
        if not sections or sections[-1]["number"] != item.section:
            sections.append({"number": item.section, "heading": template.section_heading(item.section), "rows": []})
        result = results.get(item.number)
        sections[-1]["rows"].append({"item": item, "result": result, "files": result.files.all() if result else [],
                                     "remarks": figure_text(result.figure) if result else ""})
    consortium = evaluation.consortium
    sheet = Sheet(title=template.title, unit=bureau_name(consortium.county),
                  number=f"{consortium.code}-{evaluation.year}",
                  signers=[Sheet.signer(SIGNED_BY[0], evaluation.submitted_by or evaluation.created_by),
                           Sheet.signer(SIGNED_BY[1], evaluation.confirmed_by), Sheet.signer(SIGNED_BY[2], None)],
                  seals=[bureau_name(consortium.county)])
    return printed(request, "print/checklist.html", {
        "evaluation": evaluation, "consortium": consortium, "sections": sections, "trail": decisions_of(evaluation),
    }, sheet=sheet, filename=f"checklist-{consortium.code}-{evaluation.year}", pdf=pdf)


def _trend_charts(evaluation: Evaluation) -> list:
    """The indicators month by month against their thresholds (E2): self-pay ≤ 10%, the in-county
    share of admissions against last year's."""
    from decimal import Decimal

    from consortia.charts import monthly_shares

    trends = monthly_trends(consortium=evaluation.consortium, year=evaluation.year)
    return [
        monthly_shares(lines={_("self-pay rate"): trends["self_pay_rate"]}, threshold=Decimal("0.10"),
                       threshold_label=_("threshold 10%"), title=_("Self-pay rate by month"), ident="trend-self-pay"),
        monthly_shares(lines={_("this year"): trends["in_county_share"],
                              _("last year"): trends["in_county_share_last_year"]}, threshold=None, threshold_label="",
                       title=_("In-county share of admissions by month"), ident="trend-in-county"),
    ]


def evaluation_step(request, evaluation: Evaluation, step: str) -> None:
    """One of the evaluation's steps (STEPS), said back to the user; the page and the admin both."""
    user = request.user
    if step == "refresh":
        count = services.evaluation_refresh(evaluation=evaluation, user=user)
        messages.success(request, _("%(n)s computed items changed.") % {"n": count})
    elif step == "signals":
        raised = services.signals_raise(consortium=evaluation.consortium, year=evaluation.year)
        messages.success(request, _("%(n)s negative-list signals raised for review.") % {"n": len(raised)})
    elif step == "submit":
        services.evaluation_submit(evaluation=evaluation, user=user)
        messages.success(request, _("Submitted for confirmation."))
    elif step == "confirm":
        services.evaluation_confirm(evaluation=evaluation, user=user, opinion=request.POST.get("opinion", ""))
        messages.success(request, _("Confirmed. The score is final and feeds the clearing."))
    elif step == "send_back":
        services.evaluation_send_back(evaluation=evaluation, user=user, reason=request.POST.get("opinion", ""))
        messages.success(request, _("Sent back for correction."))


@transaction.atomic
def _save(request, evaluation: Evaluation) -> None:
    """Every changed item, file and entered indicator, or nothing: one transaction."""
    for result in evaluation.results.select_related("item"):
        number = result.item.number
        value = request.POST.get(f"result_{number}", result.result)
        evidence = request.POST.get(f"evidence_{number}", result.evidence)
        if (value, evidence) != (result.result, result.evidence):
            services.item_result_set(result=result, value=value, evidence=evidence, user=request.user)
        for upload in request.FILES.getlist(f"file_{number}"):
            services.evidence_attach(result=result, upload=upload, user=request.user)
    for entry in evaluation.indicator_entries.all():
        fields = {name: request.POST.get(f"{entry.key}_{name}", getattr(entry, name))
                  for name in ("value", "verdict", "evidence")}
        if any(fields[name] != getattr(entry, name) for name in fields):
            services.indicator_entry_set(evaluation=evaluation, key=entry.key, user=request.user, **fields)


class FindingForm(forms.ModelForm):
    class Meta:
        model = NegativeFinding
        fields = ["consortium", "year", "situation", "description", "evidence"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "evidence": forms.Textarea(attrs={"rows": 2})}


@login_required
def findings_page(request):
    """The negative list of the scope: recorded by staff or raised from the claims, each confirmed
    or dismissed by the bureau; confirmed fraud and refusal findings turn items 15 and 16."""
    user = request.user
    findings = scope_queryset(user, NegativeFinding.objects.select_related("consortium", "recorded_by", "reviewed_by"))
    year = request.GET.get("year", "")
    if year.isdigit():
        findings = findings.filter(year=int(year))
    writer = can_write(user, NegativeFinding)
    form = FindingForm(request.POST if request.POST.get("step") == "record" else None) if writer else None
    if form is not None:
        form.fields["consortium"].queryset = scope_queryset(user, Consortium.objects.all())
    if request.method == "POST":
        if not writer:
            raise PermissionDenied
        step = request.POST.get("step")
        if step == "record" and form.is_valid():
            try:
                services.finding_record(user=user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Finding recorded; it waits for review."))
                return redirect(request.get_full_path())
        if step in (NegativeFinding.Status.CONFIRMED, NegativeFinding.Status.DISMISSED):
            finding = get_object_or_404(findings, pk=request.POST.get("finding"))
            try:
                services.finding_review(finding=finding, status=step, user=user)
                messages.success(request, _("Finding reviewed."))
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            return redirect(request.get_full_path())
    return render(request, "evaluation/findings.html", {"findings": findings, "form": form, "year": year,
                                                        "writer": writer})
