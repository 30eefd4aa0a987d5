"""The year-end clearing: the year's actuals, the evaluation score and the parameters run
through the engine on the budget in force and on what was really prepaid. The inputs are kept
with a hash: the same inputs give back the same clearing, changed inputs a new one. A second
person approves it, and the final payment orders follow."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consortia.models import Decision, ServiceAgreement, User
from consortia.problems import problem_list
from consortia.selectors import object_in_scope, scope_queryset
from consortia.services.approvals import decision_record, sent_back
from consortia.services.work import work_execute, work_fail, work_finish, work_progress
from payrules import InputError, run_scenario
from payrules.rules import recoveries_and_penalties

from ..models import CO_MANAGED_PAYEE, Clearing, ClearingRun, PaymentOrder, YearActuals
from ..selectors import budget_in_force
from .budgets import budget_scenario, bureau_signs
from .runs import may_run, run_county

PREPAID_KINDS = (PaymentOrder.Kind.PREPAYMENT, PaymentOrder.Kind.WORKING_CAPITAL,
                 PaymentOrder.Kind.EXTRA_WORKING_CAPITAL)


def _paid(agreement: ServiceAgreement, budget) -> dict:
    """What was really prepaid, from the paid orders and their reversals."""
    paid = PaymentOrder.objects.filter(agreement=agreement, status=PaymentOrder.Status.PAID)
    prepayments = paid.filter(kind__in=PREPAID_KINDS)
    reversals = paid.filter(kind=PaymentOrder.Kind.REVERSAL, reverses__kind__in=PREPAID_KINDS)
    if agreement.rules.working_capital:
        # J3: a member whose working capital was 0.00 had no order and counts as 0.00 paid.
        by_member = {m["code"]: Decimal("0.00") for m in budget.members}
        for order in list(prepayments) + list(reversals):
            by_member[order.payee_code] = by_member.get(order.payee_code, Decimal("0")) + order.amount
        return {"working_capital_paid": {code: format(v, "f") for code, v in by_member.items()}}
    # Summed here, not by the database: SQLite would add the amounts as floats.
    total = sum((order.amount for order in list(prepayments) + list(reversals)), Decimal("0.00"))
    return {"prepaid": format(total, "f")}


@transaction.atomic
def actuals_from_claims(*, agreement: ServiceAgreement, user: User | None) -> YearActuals:
    """The year's actuals taken from the imported claims (their monthly roll-ups); the evaluation
    scores already entered stay."""
    from claims.pricing import out_of_consortium_priced
    from claims.selectors import year_fund_paid

    inside, outside = year_fund_paid(agreement=agreement)
    if agreement.rules.points_outside:  # G8: points inside the city, as settled beyond it
        priced = out_of_consortium_priced(agreement=agreement)
        outside = outside if priced is None else priced
    actuals, _created = YearActuals.objects.select_for_update().get_or_create(agreement=agreement)
    if agreement.rules.capitation:  # T2, T3: the enrollees' claims, matched to the monthly roster
        from claims.selectors import capitation_consumption

        actuals.enrollee_expenditure = sum((row["consumed"] for row in capitation_consumption(agreement=agreement)),
                                           Decimal("0.00"))
    actuals.in_consortium = {code: format(amount, "f") for code, amount in inside.items()}
    actuals.out_of_consortium = outside
    actuals.source = YearActuals.Source.CLAIMS
    actuals.entered_by = user
    _take_evaluation(actuals, save=False)
    actuals.full_clean()
    actuals.save()
    return actuals


def actuals_for_clearing(*, agreement: ServiceAgreement, user: User | None) -> tuple[YearActuals | None, bool]:
    """The actuals a clearing run takes: what the bureau entered wins where it exists; otherwise,
    where the year's claims are loaded, they are taken (again) from the claims. Returns the actuals
    and whether they came from the claims now."""
    from claims.selectors import claims_loaded

    actuals = YearActuals.objects.filter(agreement=agreement).first()
    if actuals is not None and actuals.source == YearActuals.Source.ENTERED:
        return actuals, False
    if not claims_loaded(agreement=agreement):
        return actuals, False
    return actuals_from_claims(agreement=agreement, user=user), True


def _evaluation_score(actuals: YearActuals):
    """E5: a confirmed evaluation's total score is the clearing's evaluation score."""
    from evaluation.services import confirmed_score

    agreement = actuals.agreement
    score = confirmed_score(consortium=agreement.consortium, year=agreement.year)
    return actuals.evaluation_score if score is None else score


def _take_evaluation(actuals: YearActuals, save: bool = True) -> None:
    score = _evaluation_score(actuals)
    if score != actuals.evaluation_score:
        actuals.evaluation_score = score
        if save:
            actuals.save(update_fields=["evaluation_score"])


def _canonical(inputs: dict) -> str:
    return json.dumps(inputs, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def clearing_inputs(*, agreement: ServiceAgreement) -> dict:
    """Everything the clearing of the agreement takes, as it is now, canonical: the budget in
    force, the actuals with the confirmed evaluation score, what was really prepaid, spot checks
    and own audits. Reads only; raises ValidationError when something is missing."""
    budget = budget_in_force(agreement=agreement)
    if budget is None:
        raise ValidationError(_("The agreement has no approved budget to clear against."))
    actuals = YearActuals.objects.filter(agreement=agreement).first()
    if actuals is None:
        raise ValidationError(_("Enter the year's actual expenditure before running the clearing."))
    actuals.evaluation_score = _evaluation_score(actuals)
    if agreement.rules.members:
        codes = {m["code"] for m in budget.members}
        missing = sorted(codes - set(actuals.in_consortium))
        if missing:
            raise ValidationError(_("The actuals have no figure for %(codes)s.") % {"codes": ", ".join(missing)})
    inputs = budget_scenario(budget=budget, actuals=actuals, prepaid=_paid(agreement, budget))
    inputs["budget_version"] = budget.version
    _apply_audits(agreement, inputs)
    return json.loads(_canonical(inputs))


def _digest(inputs: dict) -> str:
    return hashlib.sha256(_canonical(inputs).encode("utf-8")).hexdigest()


@transaction.atomic
def clearing_compute(*, agreement: ServiceAgreement, user: User | None) -> Clearing:
    """The clearing of the inputs as they are now: the row already computed from the same inputs
    (its hash), or a new one."""
    agreement = ServiceAgreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.clearings.filter(status=Clearing.Status.APPROVED).exists():
        raise ValidationError(_("The clearing of this agreement is approved already."))
    actuals = YearActuals.objects.filter(agreement=agreement).first()
    if actuals is not None:
        _take_evaluation(actuals)
    inputs = clearing_inputs(agreement=agreement)
    digest = _digest(inputs)
    found = agreement.clearings.filter(inputs_hash=digest).first()
    if found:
        return found
    try:
        result = run_scenario(inputs).as_dict()
    except InputError as error:
        raise ValidationError([row["message"] for row in problem_list(error)]) from None
    # S10: credited and charged as two lines, never netted against each other or the final payment.
    result["clearing"].update(recoveries_and_penalties(Decimal(inputs["audits"]["recovered"]),
                                                       Decimal(inputs["audits"]["own_penalty"])))
    result["clearing"] = {k: (format(v, "f") if isinstance(v, Decimal) else v) for k, v in result["clearing"].items()}
    clearing = Clearing(agreement=agreement, inputs=inputs, inputs_hash=digest, result=result, computed_by=user)
    clearing.full_clean()
    clearing.save()
    decision_record(obj=clearing, step=Decision.Step.SUBMITTED, user=user)  # computed, for approval
    return clearing


def _apply_audits(agreement: ServiceAgreement, inputs: dict) -> None:
    """J7: what spot checks refused, scaled up, is money the fund paid but did not owe. The
    clearing runs on the actual as paid and the final payment falls by exactly the refusal, so
    the refusals join the actuals as they are. S10: the year's own-audit recoveries and penalties
    join the inputs snapshot."""
    from claims.models import AuditRecovery, SpotCheck

    members = {m["code"] for m in inputs.get("members") or []}
    refused: dict[str, Decimal] = {}
    for code, amount in SpotCheck.objects.filter(county=agreement.consortium.county, year=agreement.year,
                                                 institution__consortium=agreement.consortium).values_list(
            "institution__code", "refused"):
        if members and code not in members:
            continue  # a member the budget does not list has no line in the clearing
        refused[code] = refused.get(code, Decimal("0.00")) + amount
    inputs["actuals"]["refused"] = {code: format(amount, "f") for code, amount in sorted(refused.items())}
    audits = AuditRecovery.objects.filter(consortium=agreement.consortium, year=agreement.year)
    inputs["audits"] = {
        "recovered": format(sum((a.recovered for a in audits), Decimal("0.00")), "f"),
        "own_penalty": format(sum((a.own_penalty for a in audits), Decimal("0.00")), "f"),
    }


def _current_inputs(clearing: Clearing) -> dict | None:
    try:
        return clearing_inputs(agreement=clearing.agreement)
    except ValidationError:
        return None


def clearing_is_current(*, clearing: Clearing) -> bool:
    """Whether the clearing was computed from the inputs as they are now (its hash is theirs).
    An approved clearing stays what was approved."""
    if clearing.status == Clearing.Status.APPROVED:
        return True
    now = _current_inputs(clearing)
    return now is not None and _digest(now) == clearing.inputs_hash


def clearing_shown(*, agreement: ServiceAgreement, clearings: list[Clearing]) -> Clearing | None:
    """The clearing a page shows first: the approved one, else the one the inputs as they are now
    give (computed before, perhaps), else the latest."""
    if not clearings:
        return None
    approved = next((c for c in clearings if c.status == Clearing.Status.APPROVED), None)
    if approved:
        return approved
    try:
        digest = _digest(clearing_inputs(agreement=agreement))
    except ValidationError:
        digest = None
    return next((c for c in clearings if c.inputs_hash == digest), clearings[0])


def _flat(value, path: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            out.update(_flat(item, f"{path}.{key}" if path else str(key)))
        return out
    if isinstance(value, list):
        out = {}
        for index, item in enumerate(value):
            out.update(_flat(item, f"{path}[{index}]"))
        return out
    return {path: value}


def clearing_changes(*, clearing: Clearing) -> list[dict]:
    """What changed in the inputs since the clearing was computed: each field with its value then
    and now ("" where it was not there)."""
    now = _current_inputs(clearing)
    if now is None:
        return []
    before, after = _flat(clearing.inputs), _flat(now)
    return [{"field": path, "before": before.get(path, ""), "after": after.get(path, "")}
            for path in sorted(set(before) | set(after)) if before.get(path) != after.get(path)]


def _consortium_payee(agreement: ServiceAgreement) -> tuple[str, str, object]:
    """Where money owed to the consortium as a whole goes: its co-managed account where the scheme
    has one (S2, S11), else its lead hospital."""
    consortium = agreement.consortium
    if agreement.rules.consortium_payee == "co_managed":
        return CO_MANAGED_PAYEE, _("co-managed account of %(consortium)s") % {"consortium": consortium.name}, None
    lead = consortium.lead_hospital
    return lead.code, lead.name, lead


def _final_orders(clearing: Clearing) -> list[PaymentOrder]:
    """The final payment orders, in the name of whoever ran the clearing, so a bureau auditor signs
    them as for any order. A clearing the schedule ran has no maker: the person who approved it
    has reviewed its statement, and an auditor other than them signs its orders."""
    agreement = clearing.agreement
    consortium = agreement.consortium
    year = str(agreement.year)
    result = clearing.result
    members = {m.code: m for m in consortium.members.all()}
    trace = [s for s in result.get("trace", []) if s["name"] == "final_payment"]
    rows = []
    if agreement.rules.final_to_members:
        for line in result["members"]:
            member = members.get(line["code"])
            rows.append((PaymentOrder.Kind.FINAL_PAYMENT, line["code"], member.name if member else line["code"],
                         member, Decimal(line["final_payment"]), [s for s in trace if s["member"] == line["code"]]))
    else:
        code, name, member = _consortium_payee(agreement)
        rows.append((PaymentOrder.Kind.FINAL_PAYMENT, code, name, member,
                     Decimal(result["clearing"]["final_payment"]), trace))
    # S10: the lead hospital's own-audit recoveries are credited to the consortium; its own
    # penalties are charged to the lead hospital itself, never to the co-managed account, and the
    # two are never netted against each other.
    code, name, member = _consortium_payee(agreement)
    credited = Decimal(result["clearing"].get("credited_to_consortium", "0"))
    rows.append((PaymentOrder.Kind.AUDIT_RECOVERY, code, name, member, credited,
                 [{"rule": "S10", "name": "credited_to_consortium", "value": format(credited, "f")}]))
    lead = consortium.lead_hospital
    charged = Decimal(result["clearing"].get("penalty_charged", "0"))
    rows.append((PaymentOrder.Kind.PENALTY, lead.code, lead.name, lead, -charged,
                 [{"rule": "S10", "name": "penalty_charged", "value": format(-charged, "f")}]))
    reviewer = clearing.approved_by if clearing.computed_by_id is None else None
    orders = []
    for kind, code, name, member, amount, steps in rows:
        if amount == 0:
            continue
        order = PaymentOrder(agreement=agreement, period=year, kind=kind, channel=PaymentOrder.Channel.BUREAU,
                             payee_code=code, payee_name=name, member=member, amount=amount, clearing=clearing,
                             created_by=clearing.computed_by, reviewed_by=reviewer,
                             reviewed_at=clearing.approved_at if reviewer else None, trace=steps)
        order.full_clean()
        order.save()
        orders.append(order)
    return orders


def _may_decide(clearing: Clearing, user: User) -> None:
    if clearing.status != Clearing.Status.COMPUTED:
        raise ValidationError(_("Only a computed clearing can be approved or sent back."))
    if not bureau_signs(user):
        raise ValidationError(_("The bureau approves budgets and clearings."))
    if clearing.computed_by_id == user.pk:
        raise ValidationError(_("A clearing is approved by someone other than the person who ran it."))


@transaction.atomic
def clearing_approve(*, clearing: Clearing, user: User, opinion: str = "") -> tuple[Clearing, list[PaymentOrder]]:
    clearing = Clearing.objects.select_for_update().get(pk=clearing.pk)
    _may_decide(clearing, user)
    if sent_back(clearing):
        raise ValidationError(_("This clearing was sent back; run it again or submit it again first."))
    if not clearing_is_current(clearing=clearing):
        raise ValidationError(_("The figures have changed since this clearing was computed; run it again."))
    clearing.status, clearing.approved_by, clearing.approved_at = Clearing.Status.APPROVED, user, timezone.now()
    clearing.full_clean()
    clearing.save()
    decision_record(obj=clearing, step=Decision.Step.APPROVED, user=user, opinion=opinion)
    return clearing, _final_orders(clearing)


@transaction.atomic
def clearing_send_back(*, clearing: Clearing, user: User, opinion: str) -> Clearing:
    """退回: the approver returns the computed clearing with an opinion (required): the figures
    are corrected and it is run again, or, if they stand, submitted again with an answer."""
    clearing = Clearing.objects.select_for_update().get(pk=clearing.pk)
    _may_decide(clearing, user)
    if sent_back(clearing):
        raise ValidationError(_("This clearing was sent back already."))
    decision_record(obj=clearing, step=Decision.Step.SENT_BACK, user=user, opinion=opinion)
    return clearing


@transaction.atomic
def clearing_resubmit(*, clearing: Clearing, user: User, opinion: str = "") -> Clearing:
    """The figures stand as computed: the clearing goes back to the approver with the answer."""
    clearing = Clearing.objects.select_for_update().get(pk=clearing.pk)
    if not may_run(user):
        raise ValidationError(_("Bureau staff run the year-end clearing."))
    if clearing.status != Clearing.Status.COMPUTED or not sent_back(clearing):
        raise ValidationError(_("Only a clearing that was sent back is submitted again."))
    decision_record(obj=clearing, step=Decision.Step.SUBMITTED, user=user, opinion=opinion)
    return clearing


def clearing_run_start(*, year: int, user: User | None, agreement: ServiceAgreement | None = None,
                       trigger: str = ClearingRun.Trigger.MANUAL) -> ClearingRun:
    """The row users watch; the work is `clearing_run_execute`, here or in a worker."""
    if user is not None and not may_run(user):
        raise ValidationError(_("Bureau staff run the year-end clearing."))
    if user is not None and agreement is not None and not object_in_scope(user, agreement):
        raise ValidationError(_("This agreement is outside what you may act on."))
    if not 2000 <= year <= 2100:
        raise ValidationError(_("Give a year such as 2025."))
    return ClearingRun.objects.create(year=year, agreement=agreement, started_by=user, trigger=trigger,
                                      county=run_county(user))


def clearing_run_agreements(run: ClearingRun):
    """The agreements a clearing run clears: the year's agreements past draft (or the one it
    names), within the scope of the person who started it."""
    agreements = (ServiceAgreement.objects.filter(year=run.year).exclude(status=ServiceAgreement.Status.DRAFT)
                  .select_related("consortium").order_by("consortium__code", "pk"))
    if run.agreement_id:
        agreements = agreements.filter(pk=run.agreement_id)
    return agreements if run.started_by is None else scope_queryset(run.started_by, agreements)


def _clear_one(agreement: ServiceAgreement, user: User | None) -> dict:
    line = {"agreement": agreement.pk, "consortium": agreement.consortium.code, "name": str(agreement)}
    approved = agreement.clearings.filter(status=Clearing.Status.APPROVED).first()
    if approved is not None:
        return {**line, "clearing": approved.pk, "status": approved.status,
                "final_payment": approved.result["clearing"].get("final_payment"), "from_claims": False}
    with transaction.atomic():
        _actuals, from_claims = actuals_for_clearing(agreement=agreement, user=user)
        clearing = clearing_compute(agreement=agreement, user=user)
    return {**line, "clearing": clearing.pk, "status": clearing.status,
            "final_payment": clearing.result["clearing"].get("final_payment"), "from_claims": from_claims}


def clearing_run_execute(*, run: ClearingRun) -> ClearingRun:
    """Clears each agreement in its own transaction; safe to repeat or to run twice at once (the
    same inputs give back the same clearing, under the agreement's row lock). An agreement that
    cannot be cleared gets its reason; the others go on."""

    def work() -> None:
        agreements = list(clearing_run_agreements(run))
        work_progress(run, total=len(agreements), done=0, results=[])
        results, errors = [], []
        for index, agreement in enumerate(agreements, start=1):
            try:
                results.append(_clear_one(agreement, run.started_by))
            except ValidationError as problem:
                errors.append({"agreement": agreement.pk, "consortium": agreement.consortium.code,
                               "name": str(agreement), "message": "; ".join(problem.messages)})
            work_progress(run, done=index, results=results, errors=errors)
        if not agreements:
            work_fail(run, _("No agreement of %(year)s to clear.") % {"year": run.year}, errors=[])
        elif errors and not results:
            work_fail(run, _("No agreement could be cleared; see the reasons."), results=results, errors=errors)
        else:
            work_finish(run, results=results, errors=errors)

    work_execute(run, work)
    run.refresh_from_db()
    return run
