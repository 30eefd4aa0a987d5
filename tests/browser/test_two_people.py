"""Nobody moves money alone, in the browser: the month-end schedule makes an order with no maker,
a clerk reviews it (复核), an auditor approves it and may not record its payment; a clearing whose
figures changed says what changed and is computed again before anyone may approve it."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from budgets.models import Clearing, PaymentOrder, PrepaymentRun, YearActuals
from budgets.services.prepayments import prepayment_run

from .conftest import sign_in

pytestmark = pytest.mark.browser


def _sign_out(page):
    page.get_by_role("button", name="退出登录").click()


def test_the_schedule_s_order_is_reviewed_approved_by_another_and_paid_by_a_third(page):
    run = prepayment_run(period="2025-04", user=None, trigger=PrepaymentRun.Trigger.SCHEDULE)
    order = PaymentOrder.objects.get(period="2025-04", agreement__consortium__code="YX-YGT-01")
    assert order.created_by is None

    sign_in(page, "yx_auditor")  # nothing to sign before the review
    page.goto(f"{page.live_url}/payments/{order.pk}/")
    expect(page.get_by_role("row", name="制单人 系统定时生成（无制单人）")).to_be_visible()
    expect(page.get_by_role("button", name="审核通过")).to_have_count(0)
    _sign_out(page)

    sign_in(page, "yx_staff")
    page.get_by_role("link", name="支付管理").click()
    runs = page.get_by_role("table", name="最近的预拨批次")
    expect(runs.get_by_role("row").filter(has_text="2025年4月")).to_contain_text("定时任务")
    page.once("dialog", lambda dialog: dialog.accept())
    runs.get_by_role("button", name="复核 1 张付款单").click()
    expect(page.get_by_text("已复核 1 张付款单；请由您以外的财务审核人员批准。")).to_be_visible()
    _sign_out(page)

    sign_in(page, "yx_auditor")
    page.goto(f"{page.live_url}/payments/{order.pk}/")
    expect(page.get_by_role("row", name="复核人（医保局经办）")).to_contain_text("黄经办")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator("#order-status")).to_have_text("已审批")
    expect(page.get_by_role("button", name="登记支付")).to_have_count(0)  # 出纳 ≠ 审核
    _sign_out(page)

    sign_in(page, "yx_staff")
    page.goto(f"{page.live_url}/payments/{order.pk}/")
    page.get_by_label("支付日期").fill(timezone.localdate().isoformat())  # after the approval
    page.get_by_label("银行流水号").fill("YX-20250430")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="登记支付").click()
    expect(page.locator("#order-status")).to_have_text("已支付")
    order.refresh_from_db()
    assert (order.reviewed_by.username, order.approved_by.username, order.paid_by.username) == (
        "yx_staff", "yx_auditor", "yx_staff")
    assert run.orders.count() == 1


def test_a_clearing_whose_figures_changed_says_what_and_is_computed_again(page):
    agreement_id = YearActuals.objects.get(agreement__consortium__code="YX-YGT-01").agreement_id
    sign_in(page, "yx_staff")
    page.goto(f"{page.live_url}/agreements/{agreement_id}/clearing/")
    page.get_by_role("button", name="按当前数据进行清算").click()
    expect(page.get_by_role("heading", name="清算运行 #")).to_contain_text("已完成")
    first = Clearing.objects.get(agreement_id=agreement_id)

    actuals = YearActuals.objects.get(agreement_id=agreement_id)  # a colleague corrects a figure
    actuals.out_of_consortium = Decimal("62000000.00")
    actuals.save()
    page.reload()
    alert = page.get_by_role("alert").filter(has_text="本次清算测算后数据已有变化")
    expect(alert).to_be_visible()
    changed = alert.get_by_role("table", name="变化的数据")
    expect(changed.get_by_role("row").filter(has_text="医共体外结算费用")).to_contain_text("¥61,250,000.00")
    expect(changed.get_by_role("row").filter(has_text="医共体外结算费用")).to_contain_text("¥62,000,000.00")
    expect(page.get_by_role("button", name="审批清算")).to_have_count(0)
    alert.get_by_role("button", name="按现有数据重新计算").click()
    expect(page.get_by_role("alert").filter(has_text="本次清算测算后数据已有变化")).to_have_count(0)
    second = Clearing.objects.exclude(pk=first.pk).get(agreement_id=agreement_id)
    assert second.inputs["actuals"]["out_of_consortium"] == "62000000.00"
    _sign_out(page)

    sign_in(page, "yx_auditor")
    page.goto(f"{page.live_url}/agreements/{agreement_id}/clearing/")
    page.get_by_label("我已核对本结算单，可以生成清算支付单。").check()
    page.get_by_role("button", name="审批清算").click()
    expect(page.get_by_text("清算已审批")).to_be_visible()
    assert Clearing.objects.get(pk=second.pk).status == "approved"
