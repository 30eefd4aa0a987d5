"""Pages of the fund cycle. The feasibility study: fill a county's inputs or upload a scenario,
run one or several schemes side by side, read every number's rule, download JSON or Excel."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortia.models import Consortium
from consortia.selectors import scope_queryset

from .exporters import FeasibilityWorkbook
from .forms import MemberFormSet, ScenarioForm, ScenarioUploadForm, initial_from_scenario, scenario_from_forms
from .simulations import present, scenario_parse, simulation_run


def _registry_members(request) -> tuple[list[dict], Consortium | None]:
    """The members of a consortium the user may see, to start a study from the registry."""
    consortium = scope_queryset(request.user, Consortium.objects.all()).filter(pk=request.GET.get("consortium")).first()
    if consortium is None:
        return [], None
    members = consortium.members.order_by("tier", "code")
    order = {"lead": 0, "county": 1, "private": 2, "township": 3, "village": 4}
    rows = sorted(({"code": m.code, "name": m.name, "tier": m.tier} for m in members), key=lambda r: order[r["tier"]])
    return rows, consortium


def _page(request, form, members, upload, outcomes=None, scenario=None, schemes=None):
    return render(request, "budgets/feasibility.html", {
        "form": form,
        "members": members,
        "upload": upload,
        "results": [present(o) for o in outcomes or []],
        "scenario_json": json.dumps(scenario, ensure_ascii=False, default=str) if scenario else "",
        "schemes": schemes or [],
        "consortia": scope_queryset(request.user, Consortium.objects.order_by("code")),
    })


@login_required
def feasibility(request):
    if request.method == "POST" and "file" in request.FILES:
        upload = ScenarioUploadForm(request.POST, request.FILES)
        if upload.is_valid():
            try:
                scenario = scenario_parse(upload.cleaned_data["file"].read())
            except ValueError as error:
                upload.add_error("file", str(error))
            else:
                if isinstance(scenario, dict):
                    initial, rows = initial_from_scenario(scenario)
                    schemes = initial["schemes"]
                    outcomes = simulation_run(data=scenario, schemes=schemes or None)
                    return _page(request, ScenarioForm(initial=initial), MemberFormSet(initial=rows, prefix="members"),
                                 ScenarioUploadForm(), outcomes, scenario, [o.scheme for o in outcomes])
                upload.add_error("file", _("The scenario must be a JSON object."))
        return _page(request, ScenarioForm(), MemberFormSet(prefix="members"), upload)

    if request.method == "POST":
        form = ScenarioForm(request.POST)
        members = MemberFormSet(request.POST, prefix="members")
        if form.is_valid() and members.is_valid():
            scenario = scenario_from_forms(form, members)
            schemes = form.cleaned_data["schemes"]
            outcomes = simulation_run(data=scenario, schemes=schemes)
            return _page(request, form, members, ScenarioUploadForm(), outcomes, scenario, schemes)
        return _page(request, form, members, ScenarioUploadForm())

    rows, consortium = _registry_members(request)
    initial = {"year": timezone.localdate().year, "name": consortium.name if consortium else ""}
    return _page(request, ScenarioForm(initial=initial), MemberFormSet(initial=rows, prefix="members"),
                 ScenarioUploadForm())


@login_required
@require_POST
def feasibility_download(request, fmt: str):
    """The study just run, as a file: the result (JSON or Excel) or the inputs (scenario/1)."""
    if fmt not in ("json", "xlsx", "scenario"):
        raise Http404
    try:
        scenario = scenario_parse(request.POST.get("scenario", ""))
    except ValueError as error:
        return HttpResponseBadRequest(str(error))
    if not isinstance(scenario, dict):
        return HttpResponseBadRequest(_("The scenario must be a JSON object."))
    schemes = request.POST.getlist("schemes") or None
    stamp = f"{scenario.get('year', '')}"
    if fmt == "scenario":
        body = json.dumps(dict(scenario, scheme=(schemes or [scenario.get("scheme")])[0]), ensure_ascii=False,
                          indent=2, default=str)
        return _file(body.encode("utf-8"), "application/json", f"scenario-{stamp}.json")
    outcomes = simulation_run(data=scenario, schemes=schemes)
    if fmt == "json":
        outputs = [o.output if o.result else {"scheme": o.scheme, "errors": o.errors} for o in outcomes]
        body = json.dumps(outputs[0] if len(outputs) == 1 else outputs, ensure_ascii=False, indent=2)
        return _file(body.encode("utf-8"), "application/json", f"feasibility-{stamp}.json")
    workbook = FeasibilityWorkbook(outcomes, name=str(scenario.get("name", ""))).render()
    return _file(workbook, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 f"feasibility-{stamp}.xlsx")


def _file(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
