"""Payments recorded from the bank's file: each line matched to an approved order (by the order
number in the memo, else by payee and amount), a preview of matched, mismatched and unmatched
lines, then every matched line recorded together — or none."""

import csv
import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from budgets.models import PaymentOrder
from budgets.services import payments
from budgets.services.prepayments import prepayment_run


def _approved(county):
    agreement, _budget, _fo, _data = county.agreement("guangdong-2019-surplus")
    for period in ("2025-03", "2025-04"):
        prepayment_run(period=period, user=county.staff)
    orders = list(PaymentOrder.objects.filter(agreement=agreement).order_by("period"))
    for order in orders:
        payments.order_approve(order=order, user=county.auditor)
    return orders


def _file(lines: list[str]) -> SimpleUploadedFile:
    """A bank's CSV (lines given as `;`-separated fields, written with the quoting a bank uses)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["支付单号", "收款方", "金额", "交易日期", "银行流水号"])
    for line in lines:
        writer.writerow(line.split(";"))
    return SimpleUploadedFile("回单.csv", out.getvalue().encode("utf-8-sig"))


def test_the_bank_file_is_matched_previewed_and_the_matched_lines_recorded_together(client, county):
    march, april = _approved(county)
    today = timezone.localdate().isoformat()
    client.force_login(county.staff)
    url = reverse("bank-file")
    preview = client.post(url, {"step": "preview", "bank_file": _file([
        f"#{march.pk};{march.payee_name};{march.amount:,};{today};ICBC-0001",  # matched, amount with separators
        f"{april.pk};{april.payee_name};{april.amount + 1};{today};ICBC-0002",  # one yuan too much
        f";不存在的医院;100.00;{today};ICBC-0003",
    ])})
    lines = preview.context["lines"]
    assert lines is not None, [str(m) for m in preview.context["messages"]]
    assert [(line["row"], line["state"]) for line in lines] == [(2, "matched"), (3, "mismatched"), (4, "unmatched")]
    assert lines[1]["why"] == f"支付单金额为 ¥{april.amount:,}，银行实付 ¥{april.amount + 1:,}。"
    body = preview.content.decode()
    assert f"已对上 1 笔（¥{march.amount:,}），不一致 1 笔，未找到 1 笔" in body
    assert PaymentOrder.objects.filter(status="paid").count() == 0  # a preview records nothing

    done = client.post(url, {"step": "record"}, follow=True)
    assert f"已登记 1 笔支付，合计 ¥{march.amount:,}。" in [str(m) for m in done.context["messages"]]
    march.refresh_from_db(), april.refresh_from_db()
    assert (march.status, march.bank_reference, march.paid_by) == ("paid", "ICBC-0001", county.staff)
    assert april.status == "approved"


def test_all_or_nothing_when_a_matched_line_can_no_longer_be_paid(client, county):
    march, april = _approved(county)
    today = timezone.localdate().isoformat()
    client.force_login(county.staff)
    url = reverse("bank-file")
    client.post(url, {"step": "preview", "bank_file": _file([
        f"{march.pk};;{march.amount};{today};B-1", f"{april.pk};;{april.amount};{today};B-2"])})
    payments.order_void(order=april, user=county.staff, reason="重复生成")  # a colleague, meanwhile
    refused = client.post(url, {"step": "record"}, follow=True)
    assert any("本次未登记任何支付" in str(m) for m in refused.context["messages"])
    assert PaymentOrder.objects.filter(status="paid").count() == 0


def test_an_auditor_does_not_record_payments_and_a_future_date_is_refused(client, county):
    march, _april = _approved(county)
    client.force_login(county.auditor)
    assert client.get(reverse("bank-file")).status_code == 403
    client.force_login(county.staff)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    preview = client.post(reverse("bank-file"), {"step": "preview", "bank_file": _file([
        f"{march.pk};;{march.amount};{tomorrow};F-1"])})
    line = preview.context["lines"][0]
    assert line["state"] == "mismatched" and line["why"] == f"付款日期 {tomorrow} 晚于今天；请在银行实际付款后再登记。"


def test_a_line_without_the_order_number_is_matched_by_payee_and_amount_when_that_is_unambiguous(client, county):
    march, april = _approved(county)  # the same payee and amount each month
    today = timezone.localdate().isoformat()
    client.force_login(county.staff)
    url = reverse("bank-file")
    two = client.post(url, {"step": "preview", "bank_file": _file([f";{march.payee_name};{march.amount};{today};P-1"])})
    assert two.context["lines"][0]["why"] == "该收款方有 2 张已审核、金额相同的支付单，请注明支付单号。"
    payments.order_void(order=april, user=county.staff, reason="作废一张")
    one = client.post(url, {"step": "preview", "bank_file": _file([f";{march.payee_name};{march.amount};{today};P-1"])})
    assert (one.context["lines"][0]["state"], one.context["lines"][0]["order"]) == ("matched", march.pk)


def test_recording_without_a_preview_records_nothing_and_says_so(client, county):
    _approved(county)
    client.force_login(county.staff)
    response = client.post(reverse("bank-file"), {"step": "record"}, follow=True)
    assert "请先上传并核对银行回单" in response.content.decode()
    assert PaymentOrder.objects.filter(status="paid").count() == 0


def test_an_order_is_sent_back_answered_and_approved_with_its_trail_on_its_page(client, county):
    """(Payment orders' send-back lives beside the bank file's tests: both start from a month's orders.)"""
    from consortia.services.approvals import decisions_of

    agreement, _budget, _fo, _data = county.agreement("guangdong-2019-surplus")
    prepayment_run(period="2025-03", user=county.staff)
    order = PaymentOrder.objects.get(agreement=agreement, period="2025-03")
    url = reverse("payment-order", args=[order.pk])
    client.force_login(county.auditor)
    refused = client.post(url, {"step": "send_back", "opinion": ""}, follow=True)
    assert "请写明退回的理由（审批意见必填）。" in [str(m) for m in refused.context["messages"]]
    client.post(url, {"step": "send_back", "opinion": "收款账户有变更，请核实"})
    blocked = client.post(url, {"step": "approve"}, follow=True)
    assert "该支付单已被退回，须先由制单人答复。" in [str(m) for m in blocked.context["messages"]]
    # A batch leaves it out and lists it, with the reason.
    batch = client.post(reverse("payments"), {"step": "approve", "orders": [order.pk]}, follow=True)
    assert any("该支付单已被退回" in str(m) for m in batch.context["messages"])

    client.force_login(county.staff)
    page = client.get(url).content.decode()
    assert 'id="order-sent-back"' in page and "收款账户有变更，请核实" in page
    client.post(url, {"step": "resubmit", "opinion": "已核实，账户无误"})
    client.force_login(county.auditor)
    client.post(url, {"step": "approve", "opinion": "同意支付"})
    order.refresh_from_db()
    assert order.status == "approved"
    assert [(d.step, d.by.username, d.opinion) for d in decisions_of(order)] == [
        ("sent_back", "auditor", "收款账户有变更，请核实"), ("submitted", "staff", "已核实，账户无误"),
        ("approved", "auditor", "同意支付")]
