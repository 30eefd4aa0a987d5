"""Each printable sheet reached from its page the way a clerk does it, opened as a print layout and
downloaded as a PDF whose text is checked: the 付款审批单 of an order and of a filtered batch, the
budget approval sheet, the clearing statement and the Annex-2 checklist."""

import io
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from django.db import transaction

from budgets.models import AnnualBudget, PaymentOrder
from budgets.services.clearing import clearing_compute
from consortia.models import ServiceAgreement, User
from consortia.printing import capitals
from evaluation.models import Evaluation

from .conftest import sign_in

pytestmark = pytest.mark.browser


def _pdf(page) -> str:
    """Downloads the sheet shown as a PDF; its text, without the spaces PDF text extraction adds."""
    with page.expect_download() as download:
        page.get_by_role("link", name="下载PDF").click()
    body = open(download.value.path(), "rb").read()
    assert body.startswith(b"%PDF") and download.value.suggested_filename.endswith(".pdf")
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages).replace(" ", "")


def test_every_sheet_prints_from_its_page_and_downloads_as_pdf(page):
    order = PaymentOrder.objects.get(agreement__consortium__code="SX-YGT-01", kind="prepayment", period="2025-Q1")
    agreement = ServiceAgreement.objects.get(consortium__code="SX-YGT-01", year=2025)
    evaluation = Evaluation.objects.get(consortium__code="SX-YGT-01", year=2025)
    sign_in(page, "sx_staff")

    page.goto(f"{page.live_url}/payments/{order.pk}/")
    page.get_by_role("link", name="打印付款审批单").click()
    expect(page.get_by_role("heading", name="付款审批单")).to_be_visible()
    expect(page.locator("#amount-capitals")).to_have_text("人民币 玖仟零肆拾玖万玖仟伍佰元整")
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    text = _pdf(page)
    assert "付款审批单" in text and "¥90,499,500.00" in text and "人民币玖仟零肆拾玖万玖仟伍佰元整" in text
    assert "经办人：" in text and "审核人：李审核" in text and "（盖章）" in text

    page.goto(f"{page.live_url}/payments/")
    page.locator("#id_period").fill("2025-Q1")
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name="打印所列支付单（付款审批单）").click()
    expect(page.get_by_role("heading", name="付款审批单（批量）")).to_be_visible()
    text = _pdf(page)
    orders = PaymentOrder.objects.filter(period="2025-Q1", agreement__consortium__code="SX-YGT-01")
    co_managed = sum(o.amount for o in orders if o.channel == "co_managed")
    assert "期间：2025年第1季度" in text and f"¥{co_managed:,.2f}" in text and capitals(co_managed) in text

    page.goto(f"{page.live_url}/agreements/{agreement.pk}/budget/")
    page.get_by_role("link", name="打印第1版预算审批表").click()
    budget = AnnualBudget.objects.get(agreement=agreement, version=1)
    package = Decimal(budget.computed["package"]["target_one"])
    expect(page.locator("#package-capitals")).to_have_text(f"人民币 {capitals(package)}")
    text = _pdf(page)
    assert "预算审批表" in text and f"¥{package:,.2f}" in text and "筹集资金" in text

    page.goto(f"{page.live_url}/evaluations/{evaluation.pk}/")
    page.get_by_role("link", name="打印核查表").click()
    text = _pdf(page)
    assert "出具单位：歙县医疗保障局" in text and "（一）" in text and "总得分" in text
    page.get_by_role("link", name="返回").click()
    page.get_by_role("button", name="退出登录").click()

    # 阳西县 entered its actuals by hand: its clearing is computed and printed by its own clerk.
    yangxi = ServiceAgreement.objects.get(consortium__code="YX-YGT-01", year=2025)
    with transaction.atomic():
        clearing = clearing_compute(agreement=yangxi, user=User.objects.get(username="yx_staff"))
    sign_in(page, "yx_staff")
    page.goto(f"{page.live_url}/agreements/{yangxi.pk}/clearing/?clearing={clearing.pk}")
    page.get_by_role("link", name="打印结算单").click()
    final = Decimal(clearing.result["clearing"]["final_payment"])
    text = _pdf(page)
    assert "出具单位：阳西县医疗保障局" in text and f"{final:,.2f}" in text and capitals(final) in text
