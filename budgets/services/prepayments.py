"""Month-end and quarter-start prepayment runs (G2, S2, J3).

A run creates the period's payment orders for every active agreement due in it, from the budget
in force. The business key (agreement, period, kind, payee) is unique in the database, and each
agreement is done in its own transaction holding its row lock, so a repeated, concurrent or
redelivered run creates nothing new, and a run killed half-way is finished by the next."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consortia.models import ServiceAgreement, User
from consortia.schemes import GUANGDONG_2019, JIANGMEN_2016, SHEXIAN_2025

from ..models import CO_MANAGED_PAYEE, PaymentOrder, PrepaymentRun
from ..periods import Period, parse_period
from ..selectors import budget_in_force
from .budgets import budget_lock

log = logging.getLogger(__name__)


def _due(agreement: ServiceAgreement, budget, period: Period) -> list[dict]:
    """The orders the agreement's scheme makes in this period, from the budget's schedule."""
    schedule = budget.computed.get("prepayments") or []
    consortium = agreement.consortium
    wanted = str(period)
    if agreement.scheme == GUANGDONG_2019 and period.month:  # G2: monthly, to the lead hospital
        lead = consortium.lead_hospital
        return [{"kind": PaymentOrder.Kind.PREPAYMENT, "member": lead, "payee_code": lead.code,
                 "payee_name": lead.name, "amount": row["amount"], "rule": "G2"}
                for row in schedule if row["period"] == wanted]
    if agreement.scheme == SHEXIAN_2025 and period.quarter:  # S2: quarterly, into the co-managed account
        return [{"kind": PaymentOrder.Kind.PREPAYMENT, "member": None, "payee_code": CO_MANAGED_PAYEE,
                 "payee_name": _("co-managed account of %(consortium)s") % {"consortium": consortium.name},
                 "amount": row["amount"], "rule": "S2"}
                for row in schedule if row["period"] == wanted]
    if agreement.scheme == JIANGMEN_2016 and period.month:  # J3: January and March, to each member
        members = {m.code: m for m in consortium.members.all()}
        return [{"kind": row["kind"], "member": members.get(row["member"]), "payee_code": row["member"],
                 "payee_name": members[row["member"]].name if row["member"] in members else row["member"],
                 "amount": row["amount"], "rule": "J3"}
                for row in schedule if row["period"] == wanted]
    return []


TRACED = {"package", "prepayment_total", "prepayment", "target_one", "advance", "assessment_reserve", "base",
          "allocation", "working_capital", "extra_working_capital"}


def _trace(budget, due: dict, period: Period) -> list[dict]:
    """The budget's steps that explain this order: the package and this period's or payee's lines."""
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
            key = {"agreement": agreement, "period": str(period), "kind": due["kind"], "payee_code": due["payee_code"]}
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


def due_agreements(period: Period):
    """Active agreements of the year whose scheme pays in this kind of period."""
    schemes = [GUANGDONG_2019, JIANGMEN_2016] if period.month else [SHEXIAN_2025]
    return (ServiceAgreement.objects.filter(status=ServiceAgreement.Status.ACTIVE, year=period.year,
                                            scheme__in=schemes)
            .select_related("consortium").order_by("pk"))


def prepayment_run_start(*, period: str, user: User | None, trigger: str = PrepaymentRun.Trigger.MANUAL
                         ) -> PrepaymentRun:
    """The row users watch; the work is `prepayment_run_execute`, here or in a worker."""
    parsed = parse_period(period)
    return PrepaymentRun.objects.create(period=str(parsed), started_by=user, trigger=trigger)


def prepayment_run_execute(*, run: PrepaymentRun) -> PrepaymentRun:
    """Does the run; safe to repeat. Each agreement commits on its own, so a crash leaves whole
    agreements done or not done, and the next run finishes the rest."""
    period = parse_period(run.period)
    created = existing = 0
    errors = []
    for agreement in due_agreements(period):
        try:
            made, found = agreement_prepay(agreement=agreement, period=period, run=run, user=run.started_by)
        except (ValueError, IntegrityError) as problem:
            errors.append({"agreement": agreement.pk, "consortium": agreement.consortium.code, "message": str(problem)})
            log.warning("prepayment run %s: agreement %s: %s", run.pk, agreement.pk, problem)
            continue
        created += made
        existing += found
    PrepaymentRun.objects.filter(pk=run.pk).update(
        status=PrepaymentRun.Status.FAILED if errors and not (created or existing) else PrepaymentRun.Status.SUCCEEDED,
        orders_created=created, orders_existing=existing, errors=errors, finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run


def prepayment_run(*, period: str, user: User | None, trigger: str = PrepaymentRun.Trigger.MANUAL) -> PrepaymentRun:
    return prepayment_run_execute(run=prepayment_run_start(period=period, user=user, trigger=trigger))

