"""The negative list in the browser: staff record a fraud case, the auditor confirms it, and the
evaluation's item 15 turns to not met when its computed items are refreshed."""

import pytest
from playwright.sync_api import expect

from evaluation.models import Evaluation, NegativeFinding

from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_a_recorded_fraud_case_confirmed_turns_item_15(page):
    sign_in(page, "sx_staff")
    page.get_by_role("link", name="绩效评价").first.click()
    page.get_by_role("link", name="歙县人民医院紧密型县域医共体").click()
    page.get_by_role("link", name="负面清单").click()
    page.get_by_label("医共体").select_option(label="歙县人民医院紧密型县域医共体")
    page.get_by_role("spinbutton", name="年度").fill("2025")
    page.get_by_label("情形").select_option("7")
    page.get_by_label("说明").fill("某村卫生室虚记门诊人次骗取医保基金")
    page.get_by_role("button", name="录入").click()
    expect(page.get_by_text("情形已录入，等待核实。")).to_be_visible()
    page.get_by_role("button", name="退出登录").click()

    sign_in(page, "sx_auditor")
    page.goto(f"{page.live_url}/negative-list/?year=2025")
    finding = NegativeFinding.objects.get(situation=7)
    row = page.locator(f"#finding-{finding.pk}")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="确认").click()
    expect(page.locator(f"#finding-{finding.pk}")).to_contain_text("已确认")
    evaluation = Evaluation.objects.get(consortium__code="SX-YGT-01", year=2025)
    page.goto(f"{page.live_url}/evaluations/{evaluation.pk}/")
    page.get_by_role("button", name="重新计算由数据预填的项目").click()
    expect(page.locator("#item-15")).to_contain_text("系统计算: 1")
    assert evaluation.results.get(item__number=15).result == "not_met"
