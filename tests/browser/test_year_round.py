"""The rest of the year in the browser: the finance officer passes a quarter on to the members; the
provincial reviewer makes the province's summary workbook and downloads it."""

import datetime
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from budgets.models import PaymentOrder
from budgets.services import payments
from budgets.services.prepayments import prepayment_run
from consortia.models import User

from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_finance_officer_passes_a_paid_quarter_on_to_the_members(page):
    staff, auditor = User.objects.get(username="sx_staff"), User.objects.get(username="sx_auditor")
    prepayment_run(period="2025-Q2", user=staff)
    quarter = PaymentOrder.objects.get(period="2025-Q2", kind="prepayment", agreement__consortium__code="SX-YGT-01")
    payments.order_approve(order=quarter, user=auditor)
    payments.order_pay(order=quarter, user=staff, paid_on=datetime.date(2025, 4, 2), bank_reference="B-Q2")
    sign_in(page, "sx_finance")
    page.goto(f"{page.live_url}/payments/{quarter.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="拨付成员单位").click()
    expect(page.get_by_text("已生成 76 笔向成员单位拨付的支付单")).to_be_visible()
    passed = page.get_by_role("table", name="向成员单位拨付")
    expect(passed.get_by_role("row")).to_have_count(77)
    shares = PaymentOrder.objects.filter(funded_by=quarter)
    assert sum(o.amount for o in shares) == quarter.amount  # allocated to the fen


def test_the_provincial_reviewer_makes_and_downloads_the_summary(page):
    sign_in(page, "ah_reviewer")
    page.get_by_role("link", name="绩效评价").first.click()
    page.get_by_label("全省汇总工作簿 · 年度").fill("2025")
    page.get_by_role("button", name="生成工作簿").click()
    expect(page.locator("#job-status")).to_have_text("已完成")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载工作簿").click()
    rows = list(load_workbook(io.BytesIO(download.value.path().read_bytes())).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("县（市、区）", "医共体", "状态", "总得分")
    average = [r[0] for r in rows].index("平均")
    assert [r[1] for r in rows[1:average]] == ["歙县人民医院紧密型县域医共体"]  # Anhui only
    assert rows[1][2] == "草稿" and rows[-1][0] == "制表人："
