"""The double-entry ledger: every paid order is one balanced entry; nothing posted changes."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from payrules import InputError
from payrules.rules import co_managed_transfer_check

from ..models import JournalEntry, LedgerAccount, PaymentOrder, Posting
from consortia.problems import problem_list


def account(*, kind: str, consortium, member=None) -> LedgerAccount:
    found, _created = LedgerAccount.objects.get_or_create(kind=kind, consortium=consortium, member=member)
    return found


def _payee_account(order: PaymentOrder) -> LedgerAccount:
    consortium = order.agreement.consortium
    if order.member_id:
        return account(kind=LedgerAccount.Kind.MEMBER, consortium=consortium, member=order.member)
    return account(kind=LedgerAccount.Kind.CO_MANAGED, consortium=consortium)


def _payer_account(order: PaymentOrder) -> LedgerAccount:
    consortium = order.agreement.consortium
    if order.channel == PaymentOrder.Channel.CO_MANAGED:
        return account(kind=LedgerAccount.Kind.CO_MANAGED, consortium=consortium)
    return account(kind=LedgerAccount.Kind.BUREAU_FUND, consortium=consortium)


def _check_co_managed(payer: LedgerAccount, payee: LedgerAccount, order: PaymentOrder) -> None:
    """S11, on the books: the co-managed account receives only from the bureau and pays only
    members and the bureau, each payment out of it with both signatures. Which way money goes is
    read from the sign: a negative order to the account (money back to the bureau) pays out of it.
    A reversal undoes a movement the account was allowed to make, with the signatures it needs."""
    signed = {name for name, user in (("bureau_auditor", order.approved_by_id),
                                      ("finance_officer", order.co_signed_by_id)) if user}
    both = {"bureau_auditor", "finance_officer"}
    words = {LedgerAccount.Kind.BUREAU_FUND: "bureau", LedgerAccount.Kind.MEMBER: "member"}
    first = order.reverses if order.kind == PaymentOrder.Kind.REVERSAL else order
    origin, target = (payer, payee) if first.amount > 0 else (payee, payer)
    source = payer if order.amount > 0 else payee
    try:
        if target.kind == LedgerAccount.Kind.CO_MANAGED:
            co_managed_transfer_check(direction="in", counterparty=words.get(origin.kind, origin.kind),
                                      approvals=both)
        if origin.kind == LedgerAccount.Kind.CO_MANAGED:
            co_managed_transfer_check(direction="out", counterparty=words.get(target.kind, target.kind),
                                      approvals=both)
        if source.kind == LedgerAccount.Kind.CO_MANAGED:  # money leaves the account now
            co_managed_transfer_check(direction="out", counterparty="bureau" if source is payee else "member",
                                      approvals=signed)
    except InputError as error:
        raise ValidationError([row["message"] for row in problem_list(error)]) from None


@transaction.atomic
def entry_post(*, order: PaymentOrder) -> JournalEntry:
    """Posts a paid order: the payee's account receives the amount, the payer's gives it. A
    negative amount (money paid back) runs the other way by its sign."""
    source = order.reverses if order.kind == PaymentOrder.Kind.REVERSAL else order
    payer, payee = _payer_account(source), _payee_account(source)
    _check_co_managed(payer, payee, order)
    lines = [(payee, order.amount), (payer, -order.amount)]
    if sum((amount for _account, amount in lines), Decimal(0)) != 0:  # checked again by PostgreSQL
        raise ValidationError(_("The entry does not balance."))
    entry = JournalEntry.objects.create(order=order, posted_on=order.paid_on,
                                        memo=f"{order.get_kind_display()} {order.period} {order.payee_name}")
    Posting.objects.bulk_create([Posting(entry=entry, account=acc, amount=amount) for acc, amount in lines])
    return entry
