"""Setting up a year in the browser: bureau staff make next year's agreement, set its parameters,
sign and activate it, and record a spot check and an own audit for the clearing; the finance
officer reads the agreement and cannot change it."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from claims.models import AuditRecovery, SpotCheck
from consortia.models import ServiceAgreement

from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_staff_set_up_next_years_agreement(page):
    sign_in(page, "sx_staff")
    page.get_by_role("link", name="服务协议").click()
    page.get_by_label("医共体").select_option(label="歙县人民医院紧密型县域医共体")
    page.get_by_label("年度").last.fill("2026")
    page.get_by_label("付费方式").select_option(label="歙县 2025 医共体打包付费（双目标）")
    page.get_by_role("button", name="创建草稿").click()
    expect(page.locator("#agreement-status")).to_have_text("草稿")

    page.get_by_role("link", name="修改参数").click()
    page.get_by_label("预付比例").fill("0.9")
    page.get_by_role("button", name="保存参数").click()
    expect(page.get_by_text("参数已保存为第 1 版，自 2026-01 起生效。")).to_be_visible()
    expect(page.get_by_role("row", name="预付比例 0.9")).to_be_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="启用协议").click()
    expect(page.get_by_text("启用协议前，请先填写签订日期。")).to_be_visible()
    page.get_by_label("签订日期").fill("2025-12-18")
    page.get_by_role("button", name="保存", exact=True).click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="启用协议").click()
    expect(page.locator("#agreement-status")).to_have_text("生效")
    made = ServiceAgreement.objects.get(consortium__code="SX-YGT-01", year=2026)
    assert made.status == "active" and made.signed_date == datetime.date(2025, 12, 18)
    assert made.parameter_versions.get().values["advance_rate"] == "0.9"


def test_staff_record_a_spot_check_and_an_own_audit(page):
    sign_in(page, "sx_staff")
    page.get_by_role("link", name="抽查与自查").click()
    page.get_by_label("年度").first.fill("2025")
    page.get_by_role("button", name="显示").click()
    page.get_by_label("定点医疗机构").select_option(index=1)
    page.get_by_label("抽查拒付金额").fill("8000")
    page.get_by_label("抽样比例").fill("0.05")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="登记抽查").click()
    expect(page.get_by_text("抽查已登记：按比例放大后拒付 ¥160,000.00。")).to_be_visible()
    expect(page.locator("#refused-total")).to_have_text("¥160,000.00")

    page.get_by_label("医共体").select_option(label="歙县人民医院紧密型县域医共体")
    page.get_by_label("自查追回金额").fill("12000.50")
    page.get_by_label("自身违规处罚金额").fill("3000")
    page.get_by_label("说明").fill("牵头医院年度自查")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="登记自查").click()
    expect(page.locator("#recovered-total")).to_have_text("¥12,000.50")
    expect(page.locator("#penalty-total")).to_have_text("¥3,000.00")
    assert SpotCheck.objects.get().refused == Decimal("160000.00")
    assert AuditRecovery.objects.get().recovered == Decimal("12000.50")


def test_the_finance_officer_reads_the_agreement(page):
    sign_in(page, "sx_finance")
    page.get_by_role("link", name="服务协议").click()
    page.get_by_role("link", name="歙县人民医院紧密型县域医共体").click()
    expect(page.locator("#agreement-status")).to_have_text("生效")
    expect(page.get_by_role("row", name="预付比例 0.95")).to_be_visible()
    expect(page.get_by_role("button", name="终止协议")).to_have_count(0)
    page.get_by_role("link", name="歙县人民医院紧密型县域医共体").first.click()
    expect(page.get_by_role("row", name="歙县人民医院")).to_be_visible()


def test_staff_register_a_new_village_clinic(page):
    sign_in(page, "sx_staff")
    page.get_by_role("link", name="定点机构").click()
    page.get_by_label("统筹区").select_option(index=1)  # the clerk's one county
    page.get_by_label("机构编码").fill("H34102101999")
    page.get_by_label("名称").fill("徽城镇新建村卫生室")
    page.get_by_label("所在位置").last.select_option(label="医共体内")
    page.get_by_label("医共体").select_option(label="歙县人民医院紧密型县域医共体")
    page.get_by_label("类别").select_option(label="村卫生室")
    page.get_by_label("级别").select_option(label="基层")
    page.get_by_label("所有制").select_option(label="公立")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存：徽城镇新建村卫生室。")).to_be_visible()
    page.get_by_role("link", name="徽城镇新建村卫生室").click()
    expect(page.get_by_label("所在位置").last).to_be_disabled()
