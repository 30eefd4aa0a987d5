"""The claims list: filters, the totals of everything that matches, pages, the export of what is
shown, and the insured's id masked for those who do not need it."""

import pytest
from playwright.sync_api import expect

from claims.models import Claim

from .conftest import sign_in

pytestmark = pytest.mark.browser


def _money(amount):
    return f"¥{amount:,.2f}"


def test_the_clerk_filters_sees_the_totals_and_exports_what_is_shown(page):
    sign_in(page, "sx_staff")
    page.get_by_role("link", name="结算数据", exact=True).click()
    inpatient = Claim.objects.filter(county__code="341021", visit_type="inpatient")
    expect(page.locator("#default-period")).to_contain_text("有结算数据的最近一个月")  # never the whole scope
    page.locator("#id_settled_from").fill("2025-01-01")
    page.locator("#id_settled_to").fill("2025-12-31")
    page.get_by_label("医疗类别").select_option("inpatient")
    page.get_by_role("button", name="筛选").click()
    total = sum(c.total_cost for c in inpatient)
    expect(page.get_by_role("table").locator("caption")).to_have_text(
        f"共 {inpatient.count()} 条结算记录：医疗费总额 {_money(total)}，统筹基金支付 "
        f"{_money(sum(c.fund_paid for c in inpatient))}")
    expect(page.get_by_role("cell", name=inpatient.order_by("-settled_on", "-id")[0].person_id)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="导出当前结果（CSV）").click()
    lines = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == inpatient.count() + 1 and all(",住院," in line for line in lines[1:])


def test_a_finance_officer_sees_ids_masked_and_only_their_consortium(page):
    sign_in(page, "sx_finance")
    page.get_by_role("link", name="结算数据", exact=True).click()
    first = Claim.objects.filter(consortium__code="SX-YGT-01").order_by("-settled_on", "-id")[0]  # the latest month
    masked = first.person_id[:2] + "*" * (len(first.person_id) - 4) + first.person_id[-2:]
    expect(page.get_by_role("cell", name=masked, exact=True).first).to_be_visible()
    expect(page.get_by_text(first.person_id, exact=True)).to_have_count(0)
    expect(page.get_by_role("cell", name="市内县外")).to_have_count(0)  # no claims outside the consortium
    page.get_by_role("link", name="下一页").click()  # the next page, found by position
    expect(page.get_by_role("link", name="首页")).to_be_visible()
    expect(page.get_by_role("link", name="上一页")).to_be_visible()
    page.get_by_role("link", name="上一页").click()
    expect(page.get_by_role("cell", name=masked, exact=True).first).to_be_visible()
