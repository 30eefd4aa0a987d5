"""The yearly rules in the browser: bureau staff enter the county's benefit rules (refused while
they break B1, kept once mended) and try the DIP point value before there are cases to price."""

import pytest
from playwright.sync_api import expect

from claims.models import BenefitRuleSet, DipPeriod

from .conftest import sign_in

pytestmark = pytest.mark.browser


def _line(page, row: int, level: str, deductible: str, rate: str) -> None:
    page.get_by_label(f"医疗类别（第 {row} 行）").select_option(label="住院")
    page.get_by_label(f"级别（第 {row} 行）").select_option(label=level)
    page.get_by_label(f"就医区域（第 {row} 行）").select_option(label="县内")
    page.get_by_label(f"起付标准（第 {row} 行）").fill(deductible)
    page.get_by_label(f"支付比例（第 {row} 行）").fill(rate)


def test_staff_enter_benefit_rules_refused_then_mended(page):
    sign_in(page, "sx_staff")
    page.get_by_role("link", name="结算数据", exact=True).click()
    page.get_by_role("link", name="待遇规则").click()
    page.get_by_label("统筹区").select_option(index=1)
    page.get_by_label("年度:").fill("2025")
    page.get_by_label("执行日期").fill("2025-01-01")
    _line(page, 1, "基层", "200", "0.85")
    _line(page, 2, "二级", "500", "0.80")  # basic level only 5 points above: B1
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="保存新版本").click()
    expect(page.get_by_text("B1", exact=False).first).to_be_visible()
    assert not BenefitRuleSet.objects.exists()
    page.get_by_label("支付比例（第 2 行）").fill("0.75")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="保存新版本").click()
    expect(page.get_by_text("待遇规则已保存为 2025 年度第 1 版。")).to_be_visible()
    version = page.get_by_role("table", name="歙县 2025 年度第 1 版")
    expect(version.get_by_role("row", name="住院 基层 县内")).to_contain_text("85.00%")
    assert BenefitRuleSet.objects.get().rates.count() == 2


def test_the_point_value_waits_for_cases_priced_by_points(page):
    sign_in(page, "yx_staff")
    page.get_by_role("link", name="服务协议").click()
    page.get_by_role("link", name="阳西县总医院医共体").click()
    page.get_by_role("link", name="DIP 点值").click()
    page.locator("#id_year").fill("2025")  # the point value's year (the catalogue form has its own)
    page.get_by_label("点数法预算").fill("1000000")
    page.get_by_label("基层病种").fill("J18.9 500")
    page.get_by_role("button", name="计算点值").click()
    expect(page.get_by_text("2025 年度尚无带 DIP 分值的医共体外病例。")).to_be_visible()
    assert not DipPeriod.objects.exists()
