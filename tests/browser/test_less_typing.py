"""Less typing, in the browser: next year's budget filled from the members' workbook, from last
year's budget and from the system's records; payments recorded from the bank's file after a
preview. Each time the clerk checks what was filled, and nothing is stored before they save or
confirm."""

import csv
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from budgets.models import AnnualBudget, PaymentOrder
from budgets.services import payments
from budgets.services.prepayments import prepayment_run
from consortia import services as registry
from consortia.models import Consortium, User

from .conftest import sign_in

pytestmark = pytest.mark.browser


def _next_year():
    return registry.agreement_create(consortium=Consortium.objects.get(code="SX-YGT-01"), year=2026,
                                     scheme="shexian-2025", user=User.objects.get(username="sx_staff"))


def test_next_years_budget_is_filled_from_last_year_the_records_and_the_members_workbook(page, tmp_path):
    agreement = _next_year()
    sign_in(page, "sx_staff")
    page.goto(f"{page.live_url}/agreements/{agreement.pk}/budget/")

    page.get_by_role("link", name="以歙县人民医院紧密型县域医共体 2025 预算第 1 版为基础填写").click()
    expect(page.get_by_label("筹集资金（歙县）")).to_have_value("468000000.00")
    assert not AnnualBudget.objects.filter(agreement=agreement).exists()  # a copy to start from, not stored

    page.get_by_role("link", name="用系统中的结算数据和清算填写往年数据").click()
    sources = page.locator("#records-sources")
    expect(sources).to_contain_text("上年度清算支出")
    expect(sources).to_contain_text("2025年导入系统的结算数据")
    expected = page.get_by_label("上年度清算支出（歙县）").input_value()
    assert Decimal(expected) > 0

    with page.expect_download() as download:
        page.get_by_role("link", name="下载成员单位工作簿（已预填）").click()
    assert download.value.suggested_filename == "budget-members-SX-YGT-01-2026.xlsx"
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    paid = header.index("上年度支付额") + 1
    codes = {}
    for row in range(2, sheet.max_row + 1):
        code = sheet.cell(row, header.index("成员单位编码") + 1).value
        if code:
            codes[code] = Decimal(1_000_000 + row * 1000).quantize(Decimal("0.01"))
            sheet.cell(row, paid).value = float(codes[code])
    filled = tmp_path / "成员单位.xlsx"
    book.save(filled)
    page.get_by_label("填好的工作簿").set_input_files(str(filled))
    page.get_by_role("button", name="读入下方各行").click()
    expect(page.get_by_text(f"已从工作簿读入 {len(codes)} 个成员单位，请核对下方各行后保存。")).to_be_visible()

    for label, value in (("筹集资金（歙县）", "478000000.00"), ("风险调剂金上解（歙县）", "9560000.00"),
                         ("大病保险保费（歙县）", "33460000.00"), ("上年度清算支出（歙县）", expected),
                         ("上年度财政赤字补助（歙县）", "0.00")):
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="保存并测算").click()
    expect(page.get_by_text("预算已保存并完成测算。")).to_be_visible()
    budget = AnnualBudget.objects.get(agreement=agreement)
    assert {m["code"]: Decimal(m["prior_year_paid"]) for m in budget.members} == codes
    assert budget.fund["raised"] == "478000000.00" and budget.fund["prior_year_expenditure"] == expected


def test_payments_are_recorded_from_the_banks_file_after_a_preview(page, tmp_path):
    staff, auditor = User.objects.get(username="sx_staff"), User.objects.get(username="sx_auditor")
    prepayment_run(period="2025-Q2", user=staff)
    order = PaymentOrder.objects.get(period="2025-Q2", kind="prepayment", agreement__consortium__code="SX-YGT-01")
    payments.order_approve(order=order, user=auditor)
    today = timezone.localdate().isoformat()
    statement = tmp_path / "回单.csv"
    with statement.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["支付单号", "收款方", "金额", "交易日期", "银行流水号"])
        writer.writerow([order.pk, order.payee_name, f"{order.amount:,}", today, "ICBC-20260401-7"])
        writer.writerow(["999999", "不明收款方", "100.00", today, "ICBC-20260401-8"])

    sign_in(page, "sx_staff")
    page.get_by_role("link", name="支付管理").click()
    page.get_by_role("link", name="按银行回单登记支付").click()
    page.get_by_label("银行回单文件（.csv 或 .xlsx）").set_input_files(str(statement))
    page.get_by_role("button", name="逐行核对").click()
    lines = page.locator("#bank-lines")
    expect(lines).to_contain_text(f"已对上 1 笔（¥{order.amount:,}），不一致 0 笔，未找到 1 笔")
    assert PaymentOrder.objects.get(pk=order.pk).status == "approved"  # the preview records nothing
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="登记已对上的 1 笔支付").click()
    expect(page.get_by_text(f"已登记 1 笔支付，合计 ¥{order.amount:,}。")).to_be_visible()
    assert asked and f"¥{order.amount:,}" in asked[0]
    order.refresh_from_db()
    assert (order.status, order.bank_reference, order.paid_on.isoformat(), order.paid_by.username) == (
        "paid", "ICBC-20260401-7", today, "sx_staff")


def test_the_auditor_approves_a_quarters_disbursements_in_one_step(page):
    from budgets.models import PaymentOrder as Order

    quarter = Order.objects.filter(kind="disbursement", period="2025-Q1", agreement__consortium__code="SX-YGT-01")
    finance = User.objects.get(username="sx_finance")
    for order in quarter:  # the finance officer co-signed them first (S11)
        payments.order_co_sign(order=order, user=finance)
    total = sum(o.amount for o in quarter)
    sign_in(page, "sx_auditor")
    page.get_by_role("link", name="支付管理").click()
    page.get_by_label("类型").select_option("disbursement")
    page.locator("#id_period").fill("2025-Q1")
    page.get_by_role("button", name="筛选").click()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name=f"审核通过查询结果中的全部 {quarter.count()} 笔").click()
    assert asked == [f"审核通过查询结果中的全部 {quarter.count()} 笔支付单，合计 ¥{total:,}？不能审核通过的将跳过并列出。"]
    expect(page.get_by_text(f"已签批 {quarter.count()} 笔支付单，合计 ¥{total:,}")).to_be_visible()
    assert set(quarter.values_list("status", flat=True)) == {"approved"}
    assert set(quarter.values_list("approved_by__username", flat=True)) == {"sx_auditor"}
