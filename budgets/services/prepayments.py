"""Month-end and quarter-start prepayment runs (G2, S2, J3) and the family-doctor fee (T4).

A run creates the period's payment orders for every active agreement due in it, from the budget
in force, within the scope of the person who started it (every county for the beat schedule). The
business key (agreement, period, kind, payee) is unique in the database, and each agreement is
done in its own transaction holding its row lock, so a repeated, concurrent or redelivered run
creates nothing new, and a run killed half-way is finished by the next.

The maker of a run's orders is the person who started it; the beat schedule's orders have no
maker, and bureau staff review them (复核, `prepayment_run_review`) before an auditor may sign."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from consortia.models import RosterEntry, ServiceAgreement, User
from consortia.selectors import agreement_parameters_for, scope_queryset
from consortia.services.work import work_execute, work_fail, work_finish, work_progress
from payrules import schemes_with

from ..models import CO_MANAGED_PAYEE, MoneyRun, PaymentOrder, PrepaymentRun
from ..periods import Period, parse_period
from ..selectors import budget_in_force
from .budgets import budget_lock
from .payments import order_review
from .runs import may_run, run_county

log = logging.getLogger(__name__)


def _family_doctor_fees(agreement: ServiceAgreement, period: Period) -> list[dict]:
    """T4: the fee of every month up to this one whose roster is in, to the lead hospital, on
    its own channel outside the quota. A month already ordered keeps its order; the last month
    takes the difference to the annual fee once the whole year's rosters are in."""
    prefetch_related_objects([agreement], "parameter_versions")  # twelve months, one query
    heads: dict[int, set] = {}
    for month, enrollee in RosterEntry.objects.filter(agreement=agreement).values_list("month", "enrollee_id"):
        heads.setdefault(month.month, set()).add(enrollee)
    counts = [len(heads[m]) if m in heads else None for m in range(1, 13)]
    fees = [Decimal(agreement_parameters_for(agreement=agreement, period=datetime.date(agreement.year, m, 1))
                    .values["family_doctor_fee_per_year"]) for m in range(1, 13)]
    ordered = {int(p[-2:]): amount for p, amount in PaymentOrder.objects.filter(
        agreement=agreement, kind=PaymentOrder.Kind.FAMILY_DOCTOR_FEE).exclude(
        status=PaymentOrder.Status.VOIDED).values_list("period", "amount")}
    amounts = agreement.rules.family_doctor_fee(counts, fees, {m: a for m, a in ordered.items() if m < 12})
    lead = agreement.consortium.lead_hospital
    due = []
    for month in range(1, period.month + 1):
        if amounts[month - 1] is None or month in ordered:
            continue
        due.append({"kind": PaymentOrder.Kind.FAMILY_DOCTOR_FEE, "period": f"{agreement.year}-{month:02d}",
                    "member": lead, "payee_code": lead.code, "payee_name": lead.name,
                    "amount": format(amounts[month - 1], "f"), "rule": "T4",
                    "trace": [{"rule": "T4", "name": "family_doctor_fee", "member": f"{agreement.year}-{month:02d}",
                               "formula": "head count × fee / 12" if month < 12
                               else "Σ head count × fee / 12 − the fees of January to November",
                               "inputs": {"head_count": counts[month - 1], "fee": format(fees[month - 1], "f")},
                               "value": format(amounts[month - 1], "f")}]})
    return due


def _cadence(period: Period) -> str:
    return "month" if period.month else "quarter"


def _due(agreement: ServiceAgreement, budget, period: Period) -> list[dict]:
    """The orders the agreement's scheme makes in this period: the budget schedule's lines (G2 to
    the lead hospital monthly, S2 into the co-managed account quarterly, J3 to each member), and
    the family-doctor fee where the scheme pays one (T4)."""
    rules = agreement.rules
    if rules.cadence != _cadence(period):
        return []
    consortium = agreement.consortium
    members = {m.code: m for m in consortium.members.all()}
    due = []
    for line in rules.prepayment_lines(budget.computed.get("prepayments") or [], str(period)):
        if line["payee"] == "co_managed":
            member, code = None, CO_MANAGED_PAYEE
            name = _("co-managed account of %(consortium)s") % {"consortium": consortium.name}
        else:
            member = consortium.lead_hospital if line["payee"] == "lead" else members.get(line["payee"])
            code = member.code if member else line["payee"]
            name = member.name if member else line["payee"]
        due.append({"kind": line["kind"], "member": member, "payee_code": code, "payee_name": name,
                    "amount": line["amount"]})
    if rules.family_doctor_fee:
        due += _family_doctor_fees(agreement, period)
    return due


TRACED = {"package", "prepayment_total", "prepayment", "target_one", "advance", "assessment_reserve", "base",
          "allocation", "working_capital", "extra_working_capital"}


def _trace(budget, due: dict, period: Period) -> list[dict]:
    """The budget's steps that explain this order: the package and this period's or payee's lines."""
    if "trace" in due:
        return due["trace"]
    return [step for step in budget.computed.get("trace", [])
            if step["name"] in TRACED and step["member"] in ("", due["payee_code"], str(period))]


def agreement_prepay(*, agreement: ServiceAgreement, period: Period, run: PrepaymentRun | None,
                     user: User | None) -> tuple[int, int]:
    """One agreement's orders for the period, in one transaction under the agreement's row lock.
    Returns (created, already there)."""
    created = existing = 0
    with transaction.atomic():
        agreement = ServiceAgreement.objects.select_for_update().get(pk=agreement.pk)
        budget = budget_in_force(agreement=agreement)
        if budget is None:
            raise ValueError(_("%(agreement)s has no approved budget.") % {"agreement": agreement})
        for due in _due(agreement, budget, period):
            if Decimal(due["amount"]) == 0:
                continue  # J3: a 0.00 line is listed in the schedule but makes no payment order
            key = {"agreement": agreement, "period": due.get("period", str(period)), "kind": due["kind"],
                   "payee_code": due["payee_code"]}
            if PaymentOrder.objects.filter(**key).exists():
                existing += 1
                continue
            try:
                with transaction.atomic():  # a concurrent run that got here first wins, cleanly
                    PaymentOrder.objects.create(
                        **key, channel=PaymentOrder.Channel.BUREAU, payee_name=due["payee_name"],
                        member=due["member"], amount=Decimal(due["amount"]), budget=budget, run=run,
                        created_by=user, trace=_trace(budget, due, period),
                    )
                created += 1
            except IntegrityError:
                existing += 1
        if created:
            budget_lock(budget=budget)
    return created, existing


def due_agreements(period: Period, user: User | None = None):
    """Active agreements of the year whose scheme pays in this kind of period, within the scope
    of the person who runs it (all of them for the beat schedule)."""
    agreements = (ServiceAgreement.objects.filter(status=ServiceAgreement.Status.ACTIVE, year=period.year,
                                                  scheme__in=schemes_with(cadence=_cadence(period)))
                  .select_related("consortium").order_by("pk"))
    return agreements if user is None else scope_queryset(user, agreements)


def prepayment_run_start(*, period: str, user: User | None, trigger: str = PrepaymentRun.Trigger.MANUAL
                         ) -> PrepaymentRun:
    """The row users watch; the work is `prepayment_run_execute`, here or in a worker."""
    parsed = parse_period(period)
    if user is not None and not may_run(user):
        raise ValidationError(_("Bureau staff start prepayment runs."))
    return PrepaymentRun.objects.create(period=str(parsed), started_by=user, trigger=trigger,
                                        county=run_county(user))


def _nothing_made(period: Period, due: list, existing: int) -> str:
    """Why a run made no order, in the clerk's words."""
    from consortia.templatetags.money import period as said

    if not due:
        return _("No active agreement of %(year)s pays in a period like %(period)s; nothing to make.") % {
            "year": period.year, "period": said(str(period))}
    if existing:
        return _("The orders of %(period)s were made before (%(n)s); none made twice.") % {
            "period": said(str(period)), "n": existing}
    return _("Every amount due for %(period)s is ¥0.00; a zero line makes no order.") % {"period": said(str(period))}


def prepayment_run_execute(*, run: PrepaymentRun) -> PrepaymentRun:
    """Does the run; safe to repeat. Each agreement commits on its own, so a crash leaves whole
    agreements done or not done, and the next run finishes the rest."""

    def work() -> None:
        period = parse_period(run.period)
        created = existing = 0
        errors = []
        due = list(due_agreements(period, run.started_by))
        for agreement in due:
            try:
                made, found = agreement_prepay(agreement=agreement, period=period, run=run, user=run.started_by)
            except (ValueError, IntegrityError, ValidationError) as problem:
                message = "; ".join(problem.messages) if isinstance(problem, ValidationError) else str(problem)
                errors.append({"agreement": agreement.pk, "consortium": agreement.consortium.code, "message": message})
                log.warning("prepayment run %s: agreement %s: %s", run.pk, agreement.pk, message)
                continue
            created += made
            existing += found
            work_progress(run, orders_created=created, orders_existing=existing)
        if errors and not (created or existing):
            work_fail(run, _("No agreement could be paid; see the errors."), errors=errors)
        else:
            work_finish(run, orders_created=created, orders_existing=existing, errors=errors,
                        reason="" if created else _nothing_made(period, due, existing))

    work_execute(run, work)
    run.refresh_from_db()
    return run


def prepayment_run(*, period: str, user: User | None, trigger: str = PrepaymentRun.Trigger.MANUAL) -> PrepaymentRun:
    return prepayment_run_execute(run=prepayment_run_start(period=period, user=user, trigger=trigger))


def unreviewed_orders(run: PrepaymentRun, user: User):
    """The run's orders nobody made that still wait for the bureau's review, in the user's scope."""
    return scope_queryset(user, run.orders.filter(created_by__isnull=True, reviewed_by__isnull=True,
                                                  status=PaymentOrder.Status.PENDING))


@transaction.atomic
def prepayment_run_review(*, run: PrepaymentRun, user: User) -> int:
    """复核 of a run the beat schedule made: every order of it in the reviewer's scope that waits
    for a review (see `order_review`). Returns how many were reviewed."""
    if run.status != MoneyRun.Status.SUCCEEDED:
        raise ValidationError(_("Only a finished run is reviewed."))
    orders = list(unreviewed_orders(run, user))
    if not orders:
        raise ValidationError(_("No order of this run waits for your review."))
    for order in orders:
        order_review(order=order, user=user)
    return len(orders)
