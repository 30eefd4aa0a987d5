"""Payment orders: signed by a bureau auditor who did not make them (and, from the co-managed
account, co-signed by the consortium's finance officer), paid with a bank reference and posted
to the ledger, or voided with a reason. A paid order is corrected by a reversing order."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consortia.models import Decision, User
from consortia.selectors import object_in_scope
from consortia.services import agreement_mark_paid_through
from consortia.services.approvals import decision_record, sent_back
from consortia.templatetags.money import yuan
from payrules.money import allocate

from ..models import CO_MANAGED_PAYEE, PaymentOrder
from ..periods import parse_period
from .ledger import entry_post


def _locked(order: PaymentOrder) -> PaymentOrder:
    return PaymentOrder.objects.select_for_update().select_related("agreement__consortium").get(pk=order.pk)


def _in_scope(user: User, order: PaymentOrder) -> None:
    if not object_in_scope(user, order):
        raise ValidationError(_("This order is outside what you may act on."))


def _operates(user: User, order: PaymentOrder) -> None:
    """Who records, voids or reverses an order: the bureau for its fund; for the co-managed
    account also the consortium's finance officer, who operates it."""
    if user.is_superuser or user.role in (User.Role.BUREAU_STAFF, User.Role.BUREAU_AUDITOR):
        return
    if (order.needs_co_signature and user.role == User.Role.FINANCE_OFFICER
            and user.consortium_id == order.agreement.consortium_id):
        return
    raise ValidationError(_("You may not record payments for this order."))


def _may_decide(user: User, order: PaymentOrder) -> None:
    """Who approves or sends back a pending order: a bureau auditor other than its maker and reviewer."""
    if order.status != PaymentOrder.Status.PENDING:
        raise ValidationError(_("Only a pending order can be approved."))
    if user.role != User.Role.BUREAU_AUDITOR:
        raise ValidationError(_("A bureau auditor approves payment orders."))
    if order.created_by_id == user.pk:
        raise ValidationError(_("An order is approved by someone other than the person who made it."))
    if order.reviewed_by_id == user.pk:
        raise ValidationError(_("An order is approved by someone other than the person who reviewed it."))
    if sent_back(order):
        raise ValidationError(_("This order was sent back; its maker answers first."))


def _may_resubmit(user: User, order: PaymentOrder) -> None:
    if order.status != PaymentOrder.Status.PENDING or not sent_back(order):
        raise ValidationError(_("Only an order that was sent back is submitted again."))
    if user.role != User.Role.BUREAU_STAFF:
        raise ValidationError(_("Bureau staff answer for the orders they make."))


def _may_approve(user: User, order: PaymentOrder) -> None:
    _may_decide(user, order)
    if order.created_by_id is None and order.reviewed_by_id is None:
        raise ValidationError(_("The schedule made this order: bureau staff review it before it is "
                                "approved."))
    if order.needs_co_signature and order.co_signed_by_id is None:
        raise ValidationError(_("The consortium's finance officer signs a co-managed account payment first."))


def _may_co_sign(user: User, order: PaymentOrder) -> None:
    if not order.needs_co_signature:
        raise ValidationError(_("Only payments from the co-managed account are co-signed."))
    if order.status != PaymentOrder.Status.PENDING or order.co_signed_by_id:
        raise ValidationError(_("This order is not waiting for the finance officer's signature."))
    if user.role != User.Role.FINANCE_OFFICER or user.consortium_id != order.agreement.consortium_id:
        raise ValidationError(_("The finance officer of this consortium co-signs its co-managed account payments."))


def _may_pay(user: User, order: PaymentOrder) -> None:
    _operates(user, order)
    if order.status != PaymentOrder.Status.APPROVED:
        raise ValidationError(_("Only an approved order can be paid."))
    if order.approved_by_id == user.pk:  # 出纳 ≠ 审核
        raise ValidationError(_("The person who approved an order does not record its payment."))


def paid_on_problem(*, order: PaymentOrder, paid_on: datetime.date, today: datetime.date | None = None) -> str:
    """What is wrong with a payment date a person typed, or "": a transfer is recorded after it
    happened (never in the future) and after the order was approved."""
    today = today or timezone.localdate()
    if paid_on > today:
        return _("The payment date %(day)s is in the future; record a transfer once the bank has made it.") % {
            "day": paid_on.isoformat()}
    approved = timezone.localdate(order.approved_at) if order.approved_at else None
    if approved and paid_on < approved:
        return _("The payment date %(day)s is before the order was approved (%(approved)s).") % {
            "day": paid_on.isoformat(), "approved": approved.isoformat()}
    return ""


def order_may_pay(*, user: User, order: PaymentOrder, paid_on: datetime.date) -> None:
    """Raises unless this user may record this order's payment on that day now (the bank file's
    preview asks before anything is recorded)."""
    _in_scope(user, order)
    _may_pay(user, order)
    problem = paid_on_problem(order=order, paid_on=paid_on)
    if problem:
        raise ValidationError(problem)


def _may_void(user: User, order: PaymentOrder) -> None:
    _operates(user, order)
    if order.status not in (PaymentOrder.Status.PENDING, PaymentOrder.Status.APPROVED):
        raise ValidationError(_("A paid order is not voided; issue a reversing order."))


def _may_pass_on(user: User, order: PaymentOrder) -> None:
    if not (user.is_superuser or user.role == User.Role.BUREAU_STAFF
            or (user.role == User.Role.FINANCE_OFFICER and user.consortium_id == order.agreement.consortium_id)):
        raise ValidationError(_("The consortium's finance officer passes the money on."))
    if not (order.kind == PaymentOrder.Kind.PREPAYMENT and order.payee_code == CO_MANAGED_PAYEE
            and order.status == PaymentOrder.Status.PAID):
        raise ValidationError(_("Only a quarter's money received into the co-managed account is passed on."))


def _may_review(user: User, order: PaymentOrder) -> None:
    if order.created_by_id is not None or order.reviewed_by_id is not None \
            or order.status != PaymentOrder.Status.PENDING:
        raise ValidationError(_("This order does not wait for a review."))
    if user.role != User.Role.BUREAU_STAFF:
        raise ValidationError(_("Bureau staff review the orders the schedule made."))


def _may_reverse(user: User, order: PaymentOrder) -> None:
    _operates(user, order)
    if order.status != PaymentOrder.Status.PAID or order.kind == PaymentOrder.Kind.REVERSAL:
        raise ValidationError(_("Only a paid order can be reversed."))
    if PaymentOrder.objects.filter(reverses=order).exists():
        raise ValidationError(_("This order has been reversed already."))


STEPS = {"review": _may_review, "approve": _may_approve, "send_back": _may_decide, "resubmit": _may_resubmit,
         "co_sign": _may_co_sign, "pay": _may_pay, "void": _may_void, "pass_on": _may_pass_on, "reverse": _may_reverse}


def order_steps(*, order: PaymentOrder, user: User) -> set[str]:
    """The steps this user may take on this order now, by the same rules the steps themselves
    check (for the pages to offer only those); passing on is offered once."""
    if not object_in_scope(user, order):
        return set()
    allowed = set()
    for step, check in STEPS.items():
        try:
            check(user, order)
        except ValidationError:
            continue
        allowed.add(step)
    if "pass_on" in allowed and order.disbursements.exists():
        allowed.discard("pass_on")
    return allowed


@transaction.atomic
def order_review(*, order: PaymentOrder, user: User) -> PaymentOrder:
    """复核: bureau staff check an order the beat schedule made (it has no maker) and answer for it
    as its maker would; an auditor other than them then approves it."""
    order = _locked(order)
    _in_scope(user, order)
    _may_review(user, order)
    order.reviewed_by, order.reviewed_at = user, timezone.now()
    order.save()
    return order


@transaction.atomic
def order_approve(*, order: PaymentOrder, user: User, opinion: str = "") -> PaymentOrder:
    """The bureau auditor's signature; never the maker's own."""
    order = _locked(order)
    _in_scope(user, order)
    _may_approve(user, order)
    order.status, order.approved_by, order.approved_at = PaymentOrder.Status.APPROVED, user, timezone.now()
    order.save()
    decision_record(obj=order, step=Decision.Step.APPROVED, user=user, opinion=opinion)
    return order


@transaction.atomic
def order_send_back(*, order: PaymentOrder, user: User, opinion: str) -> PaymentOrder:
    """退回: the auditor returns the pending order to its maker with an opinion (required); it is
    voided, or answered and submitted again, before anyone approves it."""
    order = _locked(order)
    _in_scope(user, order)
    _may_decide(user, order)
    decision_record(obj=order, step=Decision.Step.SENT_BACK, user=user, opinion=opinion)
    return order


@transaction.atomic
def order_resubmit(*, order: PaymentOrder, user: User, opinion: str = "") -> PaymentOrder:
    order = _locked(order)
    _in_scope(user, order)
    _may_resubmit(user, order)
    decision_record(obj=order, step=Decision.Step.SUBMITTED, user=user, opinion=opinion)
    return order


@transaction.atomic
def order_co_sign(*, order: PaymentOrder, user: User) -> PaymentOrder:
    """S11: the lead hospital's finance officer signs a payment from the co-managed account."""
    order = _locked(order)
    _in_scope(user, order)
    _may_co_sign(user, order)
    order.co_signed_by = user
    order.save()
    return order


@transaction.atomic
def order_pay(*, order: PaymentOrder, user: User, paid_on: datetime.date, bank_reference: str) -> PaymentOrder:
    """Records the bank transfer and posts it; the agreement is then paid through the period."""
    order = _locked(order)
    _in_scope(user, order)
    _may_pay(user, order)
    if not bank_reference.strip():
        raise ValidationError({"bank_reference": [_("Enter the bank reference of the transfer.")]})
    order.status, order.paid_on, order.bank_reference = PaymentOrder.Status.PAID, paid_on, bank_reference.strip()
    order.paid_by = user
    order.save()
    entry_post(order=order)
    if order.kind in (PaymentOrder.Kind.PREPAYMENT, PaymentOrder.Kind.WORKING_CAPITAL,
                      PaymentOrder.Kind.EXTRA_WORKING_CAPITAL):
        period = parse_period(order.period)
        last_month = period.month or period.quarter * 3
        agreement_mark_paid_through(agreement=order.agreement,
                                    period=datetime.date(period.year, last_month, 1))
    return order


@transaction.atomic
def order_void(*, order: PaymentOrder, user: User, reason: str) -> PaymentOrder:
    order = _locked(order)
    _in_scope(user, order)
    _may_void(user, order)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for voiding the order.")]})
    order.status, order.voided_reason = PaymentOrder.Status.VOIDED, reason.strip()
    order.save()
    return order


@transaction.atomic
def order_reverse(*, order: PaymentOrder, user: User, reason: str) -> PaymentOrder:
    """A reversing order for a paid one: the same payee and channel, the opposite amount, to be
    signed and paid like any other."""
    order = _locked(order)
    _in_scope(user, order)
    _may_reverse(user, order)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the reversal.")]})
    reversal = PaymentOrder(
        agreement=order.agreement, period=order.period, kind=PaymentOrder.Kind.REVERSAL, channel=order.channel,
        payee_code=order.payee_code, payee_name=order.payee_name, member=order.member, amount=-order.amount,
        trace=[{"rule": "", "explanation": _("Reverses order %(id)s: %(reason)s") % {"id": order.pk,
                                                                                    "reason": reason.strip()}}],
        reverses=order, created_by=user,
    )
    reversal.full_clean()
    reversal.save()
    return reversal


@transaction.atomic
def disbursements_create(*, order: PaymentOrder, user: User) -> list[PaymentOrder]:
    """S3: a quarter's money received into the co-managed account, passed on to the members in
    proportion to their internal budgets (M4). One order per member; doing it twice adds none."""
    order = _locked(order)
    _in_scope(user, order)
    _may_pass_on(user, order)
    budget = order.budget
    lines = budget.computed.get("members") or []
    members = {m.code: m for m in order.agreement.consortium.members.all()}
    lines = [line for line in lines if line["code"] in members]
    shares = allocate(order.amount, [Decimal(line["budget"]) for line in lines])
    created = []
    for line, share in zip(lines, shares, strict=True):
        if share == 0:
            continue
        member = members[line["code"]]
        disbursement, was_created = PaymentOrder.objects.get_or_create(
            agreement=order.agreement, period=order.period, kind=PaymentOrder.Kind.DISBURSEMENT,
            payee_code=member.code,
            defaults={
                "channel": PaymentOrder.Channel.CO_MANAGED, "payee_name": member.name, "member": member,
                "amount": share, "budget": budget, "funded_by": order, "created_by": user,
                "trace": [{"rule": "S3, M4", "explanation": _(
                    "%(amount)s received on %(date)s passed on by internal budget share %(budget)s") % {
                    "amount": yuan(order.amount), "date": order.paid_on, "budget": yuan(Decimal(line["budget"]))}}],
            },
        )
        if was_created:
            created.append(disbursement)
    return created
