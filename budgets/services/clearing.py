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

from consortia.models import ServiceAgreement, User
from consortia.schemes import GUANGDONG_2019, JIANGMEN_2016, TIANJIN_2021

from ..engine import InputError, run_scenario
from ..engine.rules import recoveries_and_penalties
from ..models import CO_MANAGED_PAYEE, Clearing, PaymentOrder, YearActuals
from ..selectors import budget_in_force
from ..simulations import problem_list
from .budgets import budget_scenario, bureau_signs

PREPAID_KINDS = (PaymentOrder.Kind.PREPAYMENT, PaymentOrder.Kind.WORKING_CAPITAL,
                 PaymentOrder.Kind.EXTRA_WORKING_CAPITAL)


def _paid(agreement: ServiceAgreement) -> dict:
    """What was really prepaid, from the paid orders and their reversals."""
    paid = PaymentOrder.objects.filter(agreement=agreement, status=PaymentOrder.Status.PAID)
    prepayments = paid.filter(kind__in=PREPAID_KINDS)
    reversals = paid.filter(kind=PaymentOrder.Kind.REVERSAL, reverses__kind__in=PREPAID_KINDS)
    if agreement.scheme == JIANGMEN_2016:
        by_member: dict[str, Decimal] = {}
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
    if agreement.scheme == GUANGDONG_2019:  # G8: points inside the city, as settled beyond it
        priced = out_of_consortium_priced(agreement=agreement)
        outside = outside if priced is None else priced
    actuals, _created = YearActuals.objects.select_for_update().get_or_create(agreement=agreement)
    if agreement.scheme == TIANJIN_2021:  # T2, T3: the enrollees' claims, matched to the monthly roster
        from claims.selectors import capitation_consumption

        actuals.enrollee_expenditure = sum((row["consumed"] for row in capitation_consumption(agreement=agreement)),
                                           Decimal("0.00"))
    actuals.in_consortium = {code: format(amount, "f") for code, amount in inside.items()}
    actuals.out_of_consortium = outside
    actuals.entered_by = user
    _take_evaluation(actuals, save=False)
    actuals.full_clean()
    actuals.save()
    return actuals


def _take_evaluation(actuals: YearActuals, save: bool = True) -> None:
    """E5: a confirmed evaluation's total score is the clearing's evaluation score."""
    from evaluation.services import confirmed_score

    agreement = actuals.agreement
    score = confirmed_score(consortium=agreement.consortium, year=agreement.year)
    if score is not None and score != actuals.evaluation_score:
        actuals.evaluation_score = score
        if save:
            actuals.save(update_fields=["evaluation_score"])


def _canonical(inputs: dict) -> str:
    return json.dumps(inputs, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


@transaction.atomic
def clearing_compute(*, agreement: ServiceAgreement, user: User | None) -> Clearing:
    agreement = ServiceAgreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.clearings.filter(status=Clearing.Status.APPROVED).exists():
        raise ValidationError(_("The clearing of this agreement is approved already."))
    budget = budget_in_force(agreement=agreement)
    if budget is None:
        raise ValidationError(_("The agreement has no approved budget to clear against."))
    actuals = YearActuals.objects.filter(agreement=agreement).first()
    if actuals is None:
        raise ValidationError(_("Enter the year's actual expenditure before running the clearing."))
    _take_evaluation(actuals)
    if agreement.scheme != TIANJIN_2021:
        codes = {m["code"] for m in budget.members}
        missing = sorted(codes - set(actuals.in_consortium))
        if missing:
            raise ValidationError(_("The actuals have no figure for %(codes)s.") % {"codes": ", ".join(missing)})
    inputs = budget_scenario(budget=budget, actuals=actuals, prepaid=_paid(agreement))
    inputs["budget_version"] = budget.version
    _apply_audits(agreement, inputs)
    digest = hashlib.sha256(_canonical(inputs).encode("utf-8")).hexdigest()
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
    clearing = Clearing(agreement=agreement, inputs=json.loads(_canonical(inputs)), inputs_hash=digest,
                        result=result, computed_by=user)
    clearing.full_clean()
    clearing.save()
    return clearing


def _apply_audits(agreement: ServiceAgreement, inputs: dict) -> None:
    """J7: what spot checks refused, scaled up, is not fund-payable: it comes off the member's
    actual. S10: the year's own-audit recoveries and penalties join the inputs snapshot."""
    from claims.models import AuditRecovery, SpotCheck

    refused: dict[str, Decimal] = {}
    for code, amount in SpotCheck.objects.filter(county=agreement.consortium.county, year=agreement.year,
                                                 institution__consortium=agreement.consortium).values_list(
            "institution__code", "refused"):
        refused[code] = refused.get(code, Decimal("0.00")) + amount
    inside = inputs["actuals"]["in_consortium"]
    for code, amount in refused.items():
        if code in inside:
            inside[code] = format(max(Decimal("0.00"), Decimal(str(inside[code])) - amount), "f")
    inputs["spot_check_refusals"] = {code: format(amount, "f") for code, amount in sorted(refused.items())}
    audits = AuditRecovery.objects.filter(consortium=agreement.consortium, year=agreement.year)
    inputs["audits"] = {
        "recovered": format(sum((a.recovered for a in audits), Decimal("0.00")), "f"),
        "own_penalty": format(sum((a.own_penalty for a in audits), Decimal("0.00")), "f"),
    }


def clearing_is_current(*, clearing: Clearing) -> bool:
    """Whether the latest inputs still give this clearing (a changed input makes it stale)."""
    latest = clearing.agreement.clearings.order_by("-computed_at", "-pk").first()
    return latest.pk == clearing.pk


def _final_orders(clearing: Clearing) -> list[PaymentOrder]:
    """The final payment orders, made in the name of whoever ran the clearing, so a bureau auditor
    signs them as for any order."""
    agreement = clearing.agreement
    consortium = agreement.consortium
    year = str(agreement.year)
    result = clearing.result
    members = {m.code: m for m in consortium.members.all()}
    trace = [s for s in result.get("trace", []) if s["name"] == "final_payment"]
    rows = []
    if agreement.scheme == JIANGMEN_2016:
        for line in result["members"]:
            member = members.get(line["code"])
            rows.append((line["code"], member.name if member else line["code"], member, line["final_payment"],
                         [s for s in trace if s["member"] == line["code"]]))
    elif agreement.scheme == TIANJIN_2021 or agreement.scheme == "guangdong-2019":
        lead = consortium.lead_hospital
        rows.append((lead.code, lead.name, lead, result["clearing"]["final_payment"], trace))
    else:
        rows.append((CO_MANAGED_PAYEE, _("co-managed account of %(consortium)s") % {"consortium": consortium.name},
                     None, result["clearing"]["final_payment"], trace))
    lead_code, lead_name, lead_member = rows[0][0], rows[0][1], rows[0][2]
    if agreement.scheme == JIANGMEN_2016:  # S10 lines go to the lead hospital
        lead = consortium.lead_hospital
        lead_code, lead_name, lead_member = lead.code, lead.name, lead
    credited = Decimal(result["clearing"].get("credited_to_consortium", "0"))
    charged = Decimal(result["clearing"].get("penalty_charged", "0"))
    extra = [(PaymentOrder.Kind.AUDIT_RECOVERY, credited), (PaymentOrder.Kind.PENALTY, -charged)]
    orders = []
    for kind, amount in extra:
        if amount:
            order = PaymentOrder(agreement=agreement, period=year, kind=kind, channel=PaymentOrder.Channel.BUREAU,
                                 payee_code=lead_code, payee_name=lead_name, member=lead_member, amount=amount,
                                 clearing=clearing, created_by=clearing.computed_by,
                                 trace=[{"rule": "S10", "name": kind, "value": format(amount, "f")}])
            order.full_clean()
            order.save()
            orders.append(order)
    for code, name, member, amount, steps in rows:
        amount = Decimal(amount)
        if amount == 0:
            continue
        order = PaymentOrder(agreement=agreement, period=year, kind=PaymentOrder.Kind.FINAL_PAYMENT,
                             channel=PaymentOrder.Channel.BUREAU, payee_code=code, payee_name=name, member=member,
                             amount=amount, clearing=clearing, created_by=clearing.computed_by, trace=steps)
        order.full_clean()
        order.save()
        orders.append(order)
    return orders


@transaction.atomic
def clearing_approve(*, clearing: Clearing, user: User) -> tuple[Clearing, list[PaymentOrder]]:
    clearing = Clearing.objects.select_for_update().get(pk=clearing.pk)
    if clearing.status != Clearing.Status.COMPUTED:
        raise ValidationError(_("Only a computed clearing can be approved."))
    if not bureau_signs(user):
        raise ValidationError(_("The bureau approves budgets and clearings."))
    if clearing.computed_by_id == user.pk:
        raise ValidationError(_("A clearing is approved by someone other than the person who ran it."))
    if not clearing_is_current(clearing=clearing):
        raise ValidationError(_("The inputs have changed since this clearing was computed; run it again."))
    clearing.status, clearing.approved_by, clearing.approved_at = Clearing.Status.APPROVED, user, timezone.now()
    clearing.full_clean()
    clearing.save()
    return clearing, _final_orders(clearing)
