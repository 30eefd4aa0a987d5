"""Money in the browser: the clerk runs a quarter's prepayment, the auditor approves it (never
the clerk's own), the payment is recorded; the finance officer co-signs the disbursements from the
co-managed account. Every step asks first."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from budgets.models import PaymentOrder

from .conftest import sign_in

pytestmark = pytest.mark.browser


def _sign_out(page):
    page.get_by_role("button", name="退出登录").click()


def test_a_quarter_is_run_approved_by_another_and_paid(page):
    sign_in(page, "sx_staff")
    page.get_by_role("link", name="支付管理").click()
    page.get_by_label("期间（如 2025-03 或 2025-Q2）").fill("2025-Q2")
    page.get_by_label("确认现在生成该期间的支付单。").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="开始预拨").click()
    expect(page.get_by_text("（2025年第2季度）已开始。")).to_be_visible()
    expect(page.get_by_role("cell", name="2025年第2季度").first).to_be_visible()
    order = PaymentOrder.objects.get(period="2025-Q2", kind="prepayment", agreement__consortium__code="SX-YGT-01")
    assert order.status == "pending" and order.amount > 0
    # The clerk made it: the approval is not theirs to give.
    page.goto(f"{page.live_url}/payments/{order.pk}/")
    expect(page.get_by_role("button", name="审核通过")).to_have_count(0)
    expect(page.get_by_role("table", name="金额的计算依据")).to_be_visible()
    _sign_out(page)

    sign_in(page, "sx_auditor")
    page.get_by_role("link", name="支付管理").click()
    page.get_by_label("期间").fill("2025-Q2")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_role("table").filter(has_text="共 1 笔支付单")).to_be_visible()
    page.get_by_label(f"选择 {order.payee_name} 2025年第2季度").check()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="审核通过勾选的支付单").click()
    expect(page.get_by_text("已签批 1 笔支付单，合计")).to_be_visible()
    assert asked == [f"审核通过勾选的 1 笔支付单，合计 ¥{order.amount:,}？"]  # the count and the total, before
    page.get_by_role("link", name=order.payee_name).first.click()
    expect(page.get_by_role("button", name="登记支付")).to_have_count(0)  # 出纳 ≠ 审核: not the approver
    _sign_out(page)

    sign_in(page, "sx_staff")
    page.goto(f"{page.live_url}/payments/{order.pk}/")
    page.get_by_label("支付日期").fill(timezone.localdate().isoformat())  # after the approval
    page.get_by_label("银行流水号").fill("ICBC-20250403-001")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="登记支付").click()
    expect(page.get_by_text("已登记支付并记账。")).to_be_visible()
    expect(page.locator("#order-status")).to_have_text("已支付")
    order.refresh_from_db()
    assert (order.status, order.bank_reference, order.approved_by.username, order.paid_by.username) == (
        "paid", "ICBC-20250403-001", "sx_auditor", "sx_staff")


def test_the_finance_officer_co_signs_disbursements_and_exports_the_list(page):
    sign_in(page, "sx_finance")
    page.get_by_role("link", name="支付管理").click()
    page.get_by_label("类型").select_option("disbursement")
    page.get_by_label("状态").select_option("pending")
    page.get_by_role("button", name="筛选").click()
    caption = page.locator("caption").filter(has_text="笔支付单")
    expect(caption).to_contain_text("共 76 笔支付单")
    boxes = page.locator("input[name=orders]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="会签勾选的支付单").click()
    expect(page.get_by_text("已签批 2 笔支付单，合计")).to_be_visible()
    assert PaymentOrder.objects.filter(kind="disbursement", co_signed_by__username="sx_finance").count() == 2
    # The rest in one step: every order the filters find, on every page; the two signed already are
    # left out and listed, not errors.
    pending = PaymentOrder.objects.filter(kind="disbursement", status="pending", agreement__consortium__code="SX-YGT-01")
    total = sum(o.amount for o in pending)
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="会签查询结果中的全部 76 笔").click()
    assert asked == [f"会签查询结果中的全部 76 笔支付单，合计 ¥{total:,}？不能会签的将跳过并列出。"]
    expect(page.get_by_text("已签批 74 笔支付单，合计")).to_be_visible()
    expect(page.get_by_text("2 笔支付单不能执行此步骤，已跳过：")).to_be_visible()
    assert PaymentOrder.objects.filter(kind="disbursement", co_signed_by__username="sx_finance").count() == 76
    with page.expect_download() as download:
        page.get_by_role("link", name="导出当前结果（CSV）").click()
    lines = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 77 and lines[0].startswith("期间,医共体")
