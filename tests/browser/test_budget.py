"""The budget in the browser: a new version with its reason, computed on saving, submitted by the
clerk and approved by another person of the bureau; the clerk cannot approve their own."""

import re

import pytest
from playwright.sync_api import expect

from budgets.models import AnnualBudget

from .conftest import sign_in

pytestmark = pytest.mark.browser


def revised_agreement() -> int:
    return AnnualBudget.objects.get(agreement__consortium__code="SX-YGT-01", version=2).agreement_id


def test_a_new_budget_version_is_entered_submitted_sent_back_resubmitted_and_approved_by_another(page):
    sign_in(page, "sx_staff")
    page.get_by_role("link", name="第 1 版，已锁定").click()
    expect(page.get_by_role("heading", name="第 1 版（已锁定）测算结果")).to_be_visible()
    expect(page.get_by_role("row", name="目标一 ¥425,880,000.00")).to_be_visible()
    page.get_by_role("link", name="生成新版本").click()
    page.get_by_label("生成新版本的原因").fill("省级调剂金到位，筹集资金调整")
    page.get_by_label("筹集资金（歙县）").fill("478000000.00")
    page.get_by_label("上年度支付额（第 1 行）").fill("29220000.00")
    page.get_by_role("button", name="保存并测算").click()
    expect(page.get_by_text("预算已保存并完成测算。")).to_be_visible()
    expect(page.locator("#budget-2-status")).to_have_text("草稿")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交审批").click()
    expect(page.locator("#budget-2-status")).to_have_text("已提交")
    expect(page.get_by_role("button", name="审批通过预算")).to_have_count(0)  # not the clerk's own
    page.get_by_role("button", name="退出登录").click()

    sign_in(page, "sx_auditor")
    expect(page.get_by_role("heading", name="待我处理")).to_be_visible()
    page.get_by_role("link", name=re.compile("预算第 2 版")).click()  # from the overview's list of what waits
    comparison = page.locator("#comparison")  # what is approved, beside the version in force
    expect(comparison).to_contain_text("¥478,000,000.00")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="退回").click()
    expect(page.get_by_text("请写明退回的理由（审批意见必填）。")).to_be_visible()
    page.get_by_label("审批意见（退回时必填）").fill("第 1 行上年度支付额与结算数据不符，请核对")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="退回").click()
    expect(page.locator("#budget-2-status")).to_have_text("草稿")
    page.get_by_role("button", name="退出登录").click()

    sign_in(page, "sx_staff")  # the clerk reads the opinion, corrects and submits again
    page.goto(f"{page.live_url}/agreements/{revised_agreement()}/budget/")
    expect(page.locator("#approval-trail")).to_contain_text("第 1 行上年度支付额与结算数据不符，请核对")
    page.get_by_label("上年度支付额（第 1 行）").fill("29230000.00")
    page.get_by_role("button", name="保存并测算").click()
    expect(page.get_by_text("预算已保存并完成测算。")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交审批").click()
    expect(page.locator("#budget-2-status")).to_have_text("已提交")
    page.get_by_role("button", name="退出登录").click()

    sign_in(page, "sx_auditor")
    page.goto(f"{page.live_url}/agreements/{revised_agreement()}/budget/")
    page.get_by_label("审批意见（退回时必填）").fill("已核对，同意")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="审批通过预算").click()
    expect(page.locator("#budget-2-status")).to_have_text("已审批")
    expect(page.locator("#approval-trail")).to_contain_text("已核对，同意")
    revised = AnnualBudget.objects.get(agreement__consortium__code="SX-YGT-01", version=2)
    assert revised.fund["raised"] == "478000000.00" and revised.members[0]["prior_year_paid"] == "29230000.00"
    assert revised.approved_by.username == "sx_auditor" and revised.reason == "省级调剂金到位，筹集资金调整"


def test_a_missing_figure_is_named_and_nothing_is_saved(page):
    sign_in(page, "sx_staff")
    page.goto(f"{page.live_url}/agreements/{AnnualBudget.objects.get(agreement__consortium__code='SX-YGT-01').agreement_id}/budget/?revise=1")
    page.get_by_label("生成新版本的原因").fill("测试")
    page.get_by_label("筹集资金（歙县）").fill("")
    page.get_by_role("button", name="保存并测算").click()
    expect(page.get_by_text("请更正下面标出的内容。")).to_be_visible()
    expect(page.get_by_text("该字段是必填项。")).to_be_visible()
    assert AnnualBudget.objects.filter(agreement__consortium__code="SX-YGT-01").count() == 1
