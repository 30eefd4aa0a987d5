"""Each role signs in and finds its own overview, pictures included."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_bureau_staff_see_their_county_with_the_burn_up_and_places_of_care(page):
    sign_in(page, "sx_staff")
    expect(page.get_by_role("heading", name="概览")).to_be_visible()
    expect(page.get_by_text("您可查看的范围：安徽省黄山市歙县")).to_be_visible()
    burn = page.get_by_role("img", name="基金使用累计曲线")
    expect(burn).to_be_visible()
    expect(burn).to_have_accessible_description(re.compile(r"已使用 [\d,.]+ 元，打包额度 [\d,.]+ 元"))
    expect(page.get_by_role("img", name="按就医地点的月度基金支出")).to_be_visible()
    page.get_by_text("图表数据").click()
    expect(page.get_by_role("columnheader", name="医共体内")).to_be_visible()
    expect(page.get_by_text("阳西县")).to_have_count(0)


def test_a_finance_officer_sees_their_consortium_and_the_passing_on(page):
    sign_in(page, "sx_finance")
    expect(page.get_by_text("您可查看的范围：歙县人民医院紧密型县域医共体")).to_be_visible()
    expect(page.get_by_role("heading", name="预拨资金到账及向成员单位拨付")).to_be_visible()
    expect(page.get_by_role("heading", name="待我处理")).to_be_visible()  # co-managed orders to co-sign
    expect(page.get_by_role("link", name="阳西县")).to_have_count(0)


def test_a_provincial_reviewer_sees_the_counties_side_by_side(page):
    sign_in(page, "gd_reviewer")
    table = page.get_by_role("table", name="各县对照")
    expect(table).to_be_visible()
    expect(table.get_by_role("cell", name="阳西县", exact=False)).to_be_visible()
    expect(page.get_by_text("歙县人民医院紧密型县域医共体")).to_have_count(0)


def test_english_is_a_switch_away(page):
    sign_in(page, "sx_staff")
    page.get_by_label("语言").select_option("en")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_role("img", name="Fund burn-up")).to_be_visible()
