"""Dates people type are checked where they are typed, with the reason next to the field; a paid
order is corrected from its page by a reversing order (冲正), never edited."""

from decimal import Decimal as D

from django.urls import reverse
from django.utils import timezone

from budgets.models import PaymentOrder
from budgets.services import payments
from budgets.services.prepayments import prepayment_run


def test_a_payment_date_in_the_future_or_before_the_approval_is_refused_at_the_field(client, county):
    county.agreement("guangdong-2019-surplus")
    prepayment_run(period="2025-01", user=county.staff)
    order = PaymentOrder.objects.get()
    payments.order_approve(order=order, user=county.auditor)
    client.force_login(county.staff)
    url = reverse("payment-order", args=[order.pk])
    for typed, words in (("2030-01-01", "付款日期 2030-01-01 晚于今天"), ("2025-01-31", "早于付款单的审批日期")):
        page = client.post(url, {"step": "pay", "pay-paid_on": typed, "pay-bank_reference": "B"})
        assert page.status_code == 200 and words in page.content.decode()
        order.refresh_from_db()
        assert order.status == "approved"
    today = timezone.localdate()
    client.post(url, {"step": "pay", "pay-paid_on": today.isoformat(), "pay-bank_reference": "B"})
    order.refresh_from_db()
    assert (order.status, order.paid_on) == ("paid", today)


def test_a_run_for_a_year_without_agreements_is_refused_with_the_reason(client, county):
    county.agreement("guangdong-2019-surplus")
    client.force_login(county.staff)
    page = client.post(reverse("payments"), {"step": "run", "run-period": "2030-01", "run-confirm": "on"},
                       follow=True)
    assert "您的范围内没有 2030 年生效的服务协议" in page.content.decode()
    assert not PaymentOrder.objects.exists()


def test_a_paid_order_is_reversed_from_its_page_and_the_reversal_needs_two_people(client, county):
    county.agreement("guangdong-2019-surplus")
    prepayment_run(period="2025-01", user=county.staff)
    order = PaymentOrder.objects.get()
    payments.order_approve(order=order, user=county.auditor)
    payments.order_pay(order=order, user=county.staff, paid_on=timezone.localdate(), bank_reference="B1")
    client.force_login(county.staff)
    url = reverse("payment-order", args=[order.pk])
    assert "冲正" in client.get(url).content.decode()
    refused = client.post(url, {"step": "reverse", "reverse-reason": ""})
    assert refused.status_code == 200 and "该字段是必填项" in refused.content.decode()
    made = client.post(url, {"step": "reverse", "reverse-reason": "收款账户有误"}, follow=True)
    reversal = PaymentOrder.objects.get(reverses=order)
    assert made.redirect_chain[-1][0] == reverse("payment-order", args=[reversal.pk])
    assert (reversal.amount, reversal.status, reversal.created_by) == (D("-23192400.00"), "pending", county.staff)
    assert "冲正对象" in made.content.decode()
    client.post(url, {"step": "reverse", "reverse-reason": "再冲一次"})
    assert PaymentOrder.objects.filter(reverses=order).count() == 1
    client.force_login(county.auditor)
    client.post(reverse("payment-order", args=[reversal.pk]), {"step": "approve"})
    reversal.refresh_from_db()
    assert reversal.status == "approved"
    order.refresh_from_db()
    assert (order.status, order.amount) == ("paid", D("23192400.00"))  # the paid order itself never changes
