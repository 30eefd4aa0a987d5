"""Payments recorded from the bank's file (银行回单/流水, CSV or XLSX) instead of one order page at a
time: each line is matched to an approved order in the user's scope — by the order number the
transfer's memo carries (支付单号), else by payee and amount — and sorted into matched, mismatched
(an order found, but the amount, its status or the reference says no) and unmatched. The clerk sees
that preview; recording then pays every matched line in one transaction, or none."""

from __future__ import annotations

import datetime
import re
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from consortia.models import User
from consortia.selectors import scope_queryset
from consortia.tabular import TableError, date_cell, money_cell, read_table, text_cell

from ..models import PaymentOrder
from . import payments

BANK_COLUMNS = {
    "order": ("支付单号", "单号", "附言", "用途", "摘要"),
    "payee": ("收款方", "收款人", "收款人户名", "户名", "对方户名"),
    "amount": ("金额", "交易金额", "付款金额", "发生额"),
    "paid_on": ("交易日期", "日期", "付款日期", "记账日期"),
    "reference": ("银行流水号", "流水号", "交易流水号", "回单号", "凭证号"),
}
OPTIONAL = frozenset({"order", "payee"})
NUMBER = re.compile(r"(\d+)")


@dataclass
class BankLine:
    row: int
    amount: str
    paid_on: str
    reference: str
    payee: str
    state: str  # matched, mismatched, unmatched
    why: str = ""
    order: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _amount(value) -> Decimal | None:
    """The bank's amount (¥1,234.50 as it prints it; a money-back line negative), or None."""
    text = text_cell(repr(value) if isinstance(value, float) else value).replace("¥", "").replace("￥", "")
    sign = -1 if text.startswith("-") else 1
    try:
        return sign * money_cell(text.removeprefix("-"))
    except ValueError:
        return None


def _date(value) -> datetime.date | None:
    try:
        return date_cell(value)
    except ValueError:
        return None


def bank_file_read(*, upload, user: User) -> list[BankLine]:
    """Every line of the bank's file, matched and sorted; nothing is recorded."""
    approved = scope_queryset(user, PaymentOrder.objects.all())
    lines: list[BankLine] = []
    seen: set[str] = set()
    try:
        rows = list(read_table(upload, upload.name, BANK_COLUMNS, optional=OPTIONAL))
    except TableError as error:
        raise ValidationError(error.message) from None
    for number, raw in rows:
        amount, paid_on = _amount(raw.get("amount")), _date(raw.get("paid_on"))
        reference, payee = text_cell(raw.get("reference")).strip(), text_cell(raw.get("payee")).strip()
        line = BankLine(row=number, amount=format(amount, "f") if amount is not None else text_cell(raw.get("amount")),
                        paid_on=paid_on.isoformat() if paid_on else text_cell(raw.get("paid_on")),
                        reference=reference, payee=payee, state="unmatched")
        lines.append(line)
        if amount is None or paid_on is None or not reference:
            line.why = _("The line needs an amount (yuan and fen), a date and the bank reference.")
            continue
        if reference in seen:
            line.state, line.why = "mismatched", _("The same bank reference appears twice in the file.")
            continue
        seen.add(reference)
        memo = NUMBER.search(text_cell(raw.get("order")))
        if memo:
            candidates = list(approved.filter(pk=int(memo[1])))
        else:
            candidates = list(approved.filter(payee_name=payee, amount=amount, status=PaymentOrder.Status.APPROVED))
            if len(candidates) > 1:
                line.why = _("%(n)s approved orders to this payee have this amount; give the order number.") % {
                    "n": len(candidates)}
                continue
        if not candidates:
            line.why = _("No order of yours matches: give the order number, or the payee as on the order.")
            continue
        order = candidates[0]
        line.order = order.pk
        if order.amount != amount:
            line.state, line.why = "mismatched", _("The order is for %(order)s, the bank paid %(paid)s.") % {
                "order": f"¥{order.amount:,}", "paid": f"¥{amount:,}"}
        elif PaymentOrder.objects.filter(bank_reference=reference).exclude(pk=order.pk).exists():
            line.state, line.why = "mismatched", _("This bank reference is recorded on another order already.")
        else:
            try:
                payments.order_may_pay(user=user, order=order, paid_on=paid_on)
            except ValidationError as error:
                line.state, line.why = "mismatched", "；".join(error.messages)
            else:
                line.state = "matched"
    return lines


@transaction.atomic
def bank_file_record(*, lines: list[dict], user: User) -> list[PaymentOrder]:
    """Pays every matched line, all in one transaction: if any of them can no longer be paid (a
    colleague was quicker, the order was voided), none is recorded."""
    paid = []
    for line in lines:
        if line["state"] != "matched":
            continue
        order = PaymentOrder.objects.get(pk=line["order"])
        if format(order.amount, "f") != line["amount"]:
            raise ValidationError(_("Row %(row)s: the order's amount changed since the preview.") % {"row": line["row"]})
        try:
            paid.append(payments.order_pay(order=order, user=user, paid_on=datetime.date.fromisoformat(line["paid_on"]),
                                           bank_reference=line["reference"]))
        except ValidationError as error:
            raise ValidationError(_("Row %(row)s: %(problem)s Nothing was recorded.") % {
                "row": line["row"], "problem": "；".join(error.messages)}) from None
    return paid
