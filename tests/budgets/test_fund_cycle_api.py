"""The fund cycle through the API: the same rules, the same scope."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from budgets.models import Clearing, PaymentOrder, PrepaymentRun
from budgets.services.prepayments import prepayment_run


@pytest.fixture
def two(county):
    """Two consortia of one county: Guangdong (A) and Shexian (B)."""
    a = county.agreement("guangdong-2019-surplus")
    b = county.agreement("shexian-2025-target-two")
    return a, b


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_orders_are_signed_through_the_api_by_the_rules(client, county, two, django_capture_on_commit_callbacks):
    client.force_login(county.staff)
    with django_capture_on_commit_callbacks(execute=True):
        started = post(client, reverse("run-list"), {"period": "2025-05"})
    assert started.status_code == 201
    run = PrepaymentRun.objects.get(pk=started.json()["id"])
    assert (run.status, run.orders_created) == ("succeeded", 1)
    assert post(client, reverse("run-list"), {"period": "2025-13"}).status_code == 400
    order = PaymentOrder.objects.get(period="2025-05")
    url = reverse("order-approve", args=[order.pk])
    refused = post(client, url)  # bureau staff made it and is not an auditor
    assert refused.status_code == 400 and "财务审核" in str(refused.json())
    client.force_login(county.auditor)
    assert post(client, url).status_code == 200
    pay = reverse("order-pay", args=[order.pk])
    today = timezone.localdate().isoformat()  # recorded after the approval, never before
    refused = post(client, pay, {"paid_on": today, "bank_reference": "B1"})  # 出纳 ≠ 审核
    assert refused.status_code == 400 and "批准付款单的人不能登记其付款" in str(refused.json())
    client.force_login(county.staff)
    early = post(client, pay, {"paid_on": "2025-05-31", "bank_reference": "B1"})
    assert early.status_code == 400 and "早于付款单的审批日期" in early.json()["paid_on"][0]
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert "晚于今天" in post(client, pay, {"paid_on": future, "bank_reference": "B1"}).json()["paid_on"][0]
    paid = post(client, pay, {"paid_on": today, "bank_reference": "B1"})
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    assert paid.json()["paid_by"] == county.staff.pk
    assert post(client, reverse("order-void", args=[order.pk]), {"reason": "x"}).status_code == 400


def test_a_finance_officer_sees_and_co_signs_only_their_own(client, county, two):
    (a_agreement, _a_budget, a_finance, _), (b_agreement, _b_budget, b_finance, _) = two
    prepayment_run(period="2025-06", user=county.staff)
    prepayment_run(period="2025-Q3", user=county.staff)
    client.force_login(a_finance)
    listed = client.get(reverse("order-list")).json()
    assert {row["agreement"] for row in listed["results"]} == {a_agreement.pk}
    b_order = PaymentOrder.objects.get(agreement=b_agreement)
    assert client.get(reverse("order-detail", args=[b_order.pk])).status_code == 404
    assert client.get(reverse("budget-list")).json()["count"] == 1
    assert post(client, reverse("order-approve", args=[b_order.pk])).status_code == 404


def test_budget_and_clearing_through_the_api(client, county, two):
    (agreement, budget, _fo, data), _ = two
    client.force_login(county.staff)
    detail = client.get(reverse("budget-detail", args=[budget.pk])).json()
    assert detail["computed"]["package"]["package"] == "347886000.00"
    actuals = post(client, reverse("actuals-list"), {
        "agreement": agreement.pk, "in_consortium": data["actuals"]["in_consortium"],
        "out_of_consortium": data["actuals"]["out_of_consortium"], "evaluation_score": "92.5"})
    assert actuals.status_code == 201, actuals.json()
    computed = post(client, reverse("clearing-compute"), {"agreement": agreement.pk})
    assert computed.status_code == 201
    body = computed.json()
    assert body["result"]["clearing"]["risk_fund_released"] == "28603960.00"
    assert body["current"] is True
    assert post(client, reverse("clearing-approve", args=[body["id"]])).status_code == 400  # ran it
    client.force_login(county.auditor)
    assert post(client, reverse("clearing-approve", args=[body["id"]])).status_code == 200
    assert Clearing.objects.get(pk=body["id"]).status == "approved"
    final = PaymentOrder.objects.get(kind="final_payment")
    assert final.amount == Decimal(body["result"]["clearing"]["final_payment"])


def test_a_reviewer_reads_and_writes_nothing(client, county, two, world):
    client.force_login(world.reviewer_a)
    assert client.get(reverse("order-list")).status_code == 200
    assert post(client, reverse("run-list"), {"period": "2025-07"}).status_code == 403
    assert not PrepaymentRun.objects.exists()
    # The reviewer's province is not this county's: they see nothing of it.
    assert client.get(reverse("budget-list")).json()["count"] == 0


def test_the_admin_starts_a_run_and_records_a_payment(client, county, two, django_capture_on_commit_callbacks):
    (agreement, _b, a_finance, _d), _ = two
    client.force_login(county.staff)
    start = reverse("admin:budgets_prepaymentrun_start")
    assert client.post(start, {"period": "2025-08"}).status_code == 200  # not confirmed: nothing starts
    assert not PrepaymentRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(start, {"period": "2025-08", "confirm": "on"}).status_code == 302
    order = PaymentOrder.objects.get(period="2025-08")
    client.force_login(county.auditor)
    client.post(reverse("admin:budgets_paymentorder_changelist"),
                {"action": "approve", "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert order.status == "approved"
    client.force_login(a_finance)  # a finance officer does not record the bureau's payments
    client.post(reverse("admin:budgets_paymentorder_step", args=[order.pk, "pay"]),
                {"paid_on": timezone.localdate().isoformat(), "bank_reference": "X1"})
    order.refresh_from_db()
    assert order.status == "approved"
    client.force_login(county.staff)
    page = client.post(reverse("admin:budgets_paymentorder_step", args=[order.pk, "pay"]),
                       {"paid_on": timezone.localdate().isoformat(), "bank_reference": "ICBC-0829-01"})
    assert page.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.bank_reference) == ("paid", "ICBC-0829-01")
    client.post(reverse("admin:budgets_paymentorder_step", args=[order.pk, "reverse"]), {"reason": "账户错误"})
    assert PaymentOrder.objects.get(reverses=order).amount == -order.amount
