"""Pages of the fund cycle: the feasibility study (fill in or upload, schemes side by side, every
number's rule, JSON and Excel) and the year-end clearing statement."""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from claims.reconciliation import year_reconciled
from claims.selectors import claims_loaded, fourth_quarter_flags, monthly_fund_paid, other_types
from consortia.exports import attachment
from consortia.models import Consortium, ServiceAgreement, User
from consortia.permissions import can_write
from consortia.selectors import scope_queryset, sees_everything
from consortia.services.approvals import decisions_of, sent_back
from consortia.services.work import work_enqueue

from .exporters import ClearingStatementWorkbook, FeasibilityWorkbook
from .forms import (
    MemberFormSet,
    ScenarioForm,
    ScenarioUploadForm,
    initial_from_scenario,
    registry_members,
    scenario_from_forms,
)
from .models import Clearing, ClearingRun, PaymentOrder, YearActuals
from .selectors import (capitation_with_quotas, cost_shift, disbursement_schedule, overview_rows, overview_years,
                        waiting_for)
from .services import clearing as clearing_services
from .services.budgets import bureau_signs
from .services.runs import may_run, runs_seen
from .simulations import comparison, comparison_chart, present, present_output, scenario_parse, simulation_run


def _registry_members(request) -> tuple[list[dict], Consortium | None]:
    """The members of a consortium the user may see, to start a study from the registry, with the
    past years' figures the system holds of them (budgets.records), each source said."""
    from .records import member_figures_found, rows_filled

    consortium = scope_queryset(request.user, Consortium.objects.all()).filter(pk=request.GET.get("consortium")).first()
    if consortium is None:
        return [], None
    rows = registry_members(consortium)
    if request.GET.get("own_year"):
        return rows, consortium
    found = member_figures_found(consortium=consortium, year=timezone.localdate().year,
                                 codes=[row["code"] for row in rows])
    for source in found.sources:
        messages.info(request, _("%(figure)s: from %(source)s") % source)
    for missing in found.missing:
        messages.info(request, missing)
    return rows_filled(rows, found), consortium


def _page(request, form, members, upload, outcomes=None, scenario=None, schemes=None, own=None):
    table = comparison(outcomes or [])
    return render(request, "budgets/feasibility.html", {
        "form": form,
        "members": members,
        "upload": upload,
        "results": [present(o) for o in outcomes or []],
        "comparison": table,
        "comparison_chart": comparison_chart(table),
        "scenario_json": json.dumps(scenario, ensure_ascii=False, default=str) if scenario else "",
        "schemes": schemes or [],
        "consortia": scope_queryset(request.user, Consortium.objects.order_by("code")),
        "own": own, "own_year_default": timezone.localdate().year - 1,
        "own_consortium": int(chosen) if (chosen := request.GET.get("consortium", "")).isdigit() else None,
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
    if request.GET.get("own_year") and consortium is not None:
        return _own_year(request, consortium)
    initial = {"year": timezone.localdate().year, "name": consortium.name if consortium else ""}
    return _page(request, ScenarioForm(initial=initial), MemberFormSet(initial=rows, prefix="members"),
                 ScenarioUploadForm())


def _own_year(request, consortium):
    """Every scheme run on the consortium's own year as the system holds it (budgets.own_year)."""
    from .own_year import own_year

    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year is None or not 2000 <= year <= 2100:
        messages.error(request, _("Give the year as four digits, such as %(year)s.") % {
            "year": timezone.localdate().year - 1})
        return _page(request, ScenarioForm(), MemberFormSet(prefix="members"), ScenarioUploadForm())
    found = own_year(consortium=consortium, year=year)
    if found.scenario is None:
        for problem in found.problems:
            messages.error(request, problem)
        return _page(request, ScenarioForm(), MemberFormSet(prefix="members"), ScenarioUploadForm())
    initial, rows = initial_from_scenario(found.scenario)
    initial["schemes"] = found.schemes
    outcomes = simulation_run(data=found.scenario, schemes=found.schemes)
    return _page(request, ScenarioForm(initial=initial), MemberFormSet(initial=rows, prefix="members"),
                 ScenarioUploadForm(), outcomes, found.scenario, found.schemes, own=found)


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
    return FeasibilityWorkbook(outcomes, name=str(scenario.get("name", "")), stamp=stamp).response("xlsx")


def _file(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = attachment(filename)
    return response


@login_required
def clearing_page(request, agreement_pk: int):
    """The year-end clearing of one agreement: run it, read the statement with every number's
    rule, approve it (a second person), download the statement."""
    agreement = get_object_or_404(scope_queryset(request.user, ServiceAgreement.objects.select_related("consortium")),
                                  pk=agreement_pk)
    clearings = list(agreement.clearings.select_related("computed_by", "approved_by").order_by("-computed_at", "-pk"))
    chosen = next((c for c in clearings if str(c.pk) == request.GET.get("clearing")), None) \
        or clearing_services.clearing_shown(agreement=agreement, clearings=clearings)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "from_claims":
                if not can_write(request.user, YearActuals):
                    raise PermissionDenied
                clearing_services.actuals_from_claims(agreement=agreement, user=request.user)
                messages.success(request, _("The year's actuals now come from the imported claims."))
            elif request.POST.get("action") == "compute":
                if not can_write(request.user, YearActuals):
                    raise PermissionDenied
                run = clearing_services.clearing_run_start(year=agreement.year, agreement=agreement, user=request.user)
                work_enqueue(run)
                run.refresh_from_db()  # done already where tasks run in the web process
                if run.status == ClearingRun.Status.SUCCEEDED and not run.errors:
                    messages.success(request, _("Clearing computed. Check it, then ask a colleague to approve it."))
                elif run.status in (ClearingRun.Status.QUEUED, ClearingRun.Status.RUNNING):
                    messages.success(request, _("The clearing is being computed on the current figures; this page "
                                                "shows it when it is done. Check it, then ask a colleague to approve "
                                                "it."))
                return redirect(request.path)
            elif request.POST.get("action") == "approve" and chosen is not None:
                if request.POST.get("confirm") != "yes":
                    raise ValidationError(_("Tick the box to confirm that you checked the statement."))
                chosen, orders = clearing_services.clearing_approve(
                    clearing=get_object_or_404(agreement.clearings, pk=request.POST.get("clearing")), user=request.user,
                    opinion=request.POST.get("opinion", ""))
                messages.success(request, _("Clearing approved; %(n)s final payment order(s) wait for signature.")
                                 % {"n": len(orders)})
            elif request.POST.get("action") in ("send_back", "resubmit") and chosen is not None:
                decide = (clearing_services.clearing_send_back if request.POST["action"] == "send_back"
                          else clearing_services.clearing_resubmit)
                chosen = decide(clearing=get_object_or_404(agreement.clearings, pk=request.POST.get("clearing")),
                                user=request.user, opinion=request.POST.get("opinion", ""))
                messages.success(request, _("Sent back with your opinion.") if request.POST["action"] == "send_back"
                                 else _("Submitted again for approval."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(f"{request.path}?clearing={chosen.pk}" if chosen else request.path)
    runs = runs_seen(user=request.user, model=ClearingRun, limit=1, agreement=agreement)
    run = runs[0] if runs else None
    current = clearing_services.clearing_is_current(clearing=chosen) if chosen else False
    return render(request, "budgets/clearing.html", {
        "agreement": agreement,
        "clearings": clearings,
        "chosen": chosen,
        "run": run,
        "running": run is not None and run.status in (ClearingRun.Status.QUEUED, ClearingRun.Status.RUNNING),
        "shown": present_output(agreement.scheme, chosen.result) if chosen else None,
        "tiers": _surplus_by_tier(agreement, chosen),
        "current": current,
        "trail": decisions_of(chosen) if chosen else [],
        "sent_back": sent_back(chosen) if chosen else False,
        "can_resubmit": may_run(request.user),
        "changes": _changes(chosen) if chosen and not current else [],
        "can_compute": can_write(request.user, YearActuals),
        "volume_flags": fourth_quarter_flags(agreement=agreement) if agreement.rules.volume_check else [],
        "other_types": other_types(agreement=agreement),
        # Only where the year has claims: a clearing on entered actuals alone has nothing to reconcile.
        "reconciled": year_reconciled(county=agreement.consortium.county, year=agreement.year,
                                      insurance_type=agreement.insurance_type)
        if claims_loaded(agreement=agreement) else {"reconciled": True},
        "capitation": capitation_with_quotas(agreement=agreement) if agreement.rules.capitation else [],
        "cost_shift": cost_shift(agreement=agreement) if agreement.rules.capitation else None,
        "can_approve": bureau_signs(request.user),
    })


def _changes(clearing) -> list[dict]:
    """What changed since the clearing was computed, in the clerk's words: the field, the member
    it concerns by name, amounts as amounts."""
    from consortia.problems import field_display

    from .simulations import _value

    members = clearing.inputs.get("members") or []
    return [{"label": field_display(change["field"], members), "before": _value(change["before"]),
             "after": _value(change["after"])} for change in clearing_services.clearing_changes(clearing=clearing)]


@login_required
def clearing_statement(request, pk: int):
    clearing = get_object_or_404(scope_queryset(request.user, Clearing.objects.select_related("agreement")), pk=pk)
    return ClearingStatementWorkbook(clearing).response("xlsx")


@login_required
def home(request):
    """The overview: the consortia in the user's scope with their agreement, budget, what has
    been prepaid, what waits for a signature, and money not passed on in time (S3)."""
    user = request.user
    years = overview_years(user=user)
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else None
    year = year if year in years else None  # a year nobody has an agreement for: the year in progress
    rows = overview_rows(user=user, today=timezone.localdate(), year=year)
    orders = scope_queryset(user, PaymentOrder.objects.all())
    scope = user.consortium or user.county or user.province
    schedule = disbursement_schedule(orders=orders, today=timezone.localdate())
    pictures = user.role != User.Role.PROVINCIAL_REVIEWER or len(rows) <= 4
    for row in rows:
        if pictures and row["burn"]:
            row["charts"] = _charts(row["agreement"], row["burn"], row["consortium"].pk)
    return render(request, "home.html", {
        "unknown_years": sorted({year for row in schedule for year in row["provisional"]}),
        "can_enter_holidays": sees_everything(user),
        "rows": rows,
        "years": years, "year": year,
        "shown_years": sorted({row["agreement"].year for row in rows if row["agreement"]}),
        "scope_name": scope,
        "overdue": [r for r in schedule if r["overdue"]],
        "schedule": schedule if user.role == User.Role.FINANCE_OFFICER else [],
        "counties": _counties(rows) if user.role in (User.Role.PROVINCIAL_REVIEWER, User.Role.ADMINISTRATOR)
        or user.is_superuser else [],
        "pending": _pending(user),
    })


def _surplus_by_tier(agreement, clearing):
    """The members' share of the surplus added up by tier, as a picture (S7-S9, J: retained)."""
    from consortia.charts import bars
    from consortia.models import Institution

    rows = (clearing.result or {}).get("members") or [] if clearing else []
    key = next((k for k in ("surplus_share", "surplus_retained") if rows and k in rows[0]), None)
    if key is None:
        return None
    tiers = dict(Institution.objects.filter(county=agreement.consortium.county).values_list("code", "tier"))
    totals: dict[str, Decimal] = {}
    for row in rows:
        tier = tiers.get(row["code"], "")
        totals[tier] = totals.get(tier, Decimal("0.00")) + Decimal(row[key])
    labels = dict(Institution.Tier.choices)
    ordered = {str(labels.get(t, t or "—")): totals[t] for t in [*Institution.Tier.values, ""] if t in totals}
    return bars(values=ordered, title=_("Surplus shared by member tier"), ident=f"tiers-{clearing.pk}")


def _charts(agreement, burn: dict, ident) -> dict:
    """The burn-up and the monthly consumption by place of care of an agreement's year."""
    from consortia.charts import burn_up, stacked_months
    from consortia.models import Institution

    consumption = agreement.rules.consumption
    series, others = monthly_fund_paid(agreement=agreement)
    if consumption == "enrollees":
        series = {"in_consortium": [row["consumed"] for row in capitation_with_quotas(agreement=agreement)]}
    else:
        if consumption == "inside":  # the members' own consumption only
            series = {"in_consortium": series["in_consortium"]}
    monthly = [sum((values[m] for values in series.values()), Decimal("0.00")) for m in range(12)]
    through = max([m + 1 for m, amount in enumerate(monthly) if amount] or [0])
    labels = dict(Institution.Placement.choices)
    rows = [{"month": m + 1, "places": [series[key][m] for key in series], "total": monthly[m]} for m in range(12)]
    return {
        "burn_up": burn_up(monthly=monthly, package=burn["package"], projected=burn["projected"], through=through,
                           ident=f"burn-{ident}"),
        "places": stacked_months(series=series, labels={k: str(labels[k]) for k in series}, ident=f"places-{ident}"),
        "headers": [labels[key] for key in series],
        "rows": rows,
        "other_types": others,
    }


def _counties(rows: list[dict]) -> list[dict]:
    """The counties side by side: consortia, packages and consumption added up (a provincial view)."""
    counties: dict = {}
    for row in rows:
        county = row["consortium"].county
        entry = counties.setdefault(county.pk, {"county": county, "consortia": 0, "package": Decimal("0.00"),
                                                "consumed": Decimal("0.00"), "warnings": 0})
        entry["consortia"] += 1
        if row["burn"]:
            entry["package"] += row["burn"]["package"]
            entry["consumed"] += row["burn"]["consumed"]
            entry["warnings"] += int(row["burn"]["warning"])
    for entry in counties.values():
        entry["share"] = (entry["consumed"] / entry["package"]).quantize(Decimal("0.0001")) if entry["package"] else None
    return sorted(counties.values(), key=lambda e: e["county"].code)


def _pending(user) -> list[dict]:
    """What waits for this user's signature or step, with a link to the page that takes it."""
    waiting = waiting_for(user=user)
    return ([{"what": _("Budget to approve"), "name": str(b),
              "url": reverse("budget-page", args=[b.agreement_id])} for b in waiting["budgets"]]
            + [{"what": _("Evaluation to confirm"), "name": str(e), "url": reverse("evaluation-page", args=[e.pk])}
               for e in waiting["evaluations"]]
            + [{"what": _("Clearing to approve"), "name": str(c.agreement),
                "url": f"{reverse('clearing-page', args=[c.agreement_id])}?clearing={c.pk}"}
               for c in waiting["clearings"]]
            + [{"what": _("Payment order to review") if user.role == User.Role.BUREAU_STAFF
                else _("Payment order to sign"), "name": str(o),  # 预拨 2025年第1季度 … ¥90,499,500.00
                "url": reverse("payment-order", args=[o.pk])} for o in waiting["orders"]])
