"""Printed sheets (consortia.printing): amounts in Chinese capitals as vouchers write them, and the
付款审批单 of an order and of a batch, the clearing statement, the budget approval sheet and the
Annex-2 checklist as print layouts and as PDFs whose text says what the page says, signed and
sealed, for the people who may see the object and no one else."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from consortia.printing import capitals, pdf_bytes
from tests.test_exports import demo  # noqa: F401  (the demo fixture)

# 会计基础工作规范 第五十二条 and the usual voucher examples.
WRITTEN = {
    "0": "零元整",
    "0.05": "伍分",
    "0.50": "伍角整",
    "1": "壹元整",
    "10": "壹拾元整",
    "1.05": "壹元零伍分",
    "10.05": "壹拾元零伍分",
    "200.50": "贰佰元零伍角整",
    "1409.50": "壹仟肆佰零玖元伍角整",
    "6007.14": "陆仟零柒元壹角肆分",
    "1680.32": "壹仟陆佰捌拾元零叁角贰分",
    "107000.53": "壹拾万柒仟元零伍角叁分",
    "100010000": "壹亿零壹万元整",
    "1000000001": "壹拾亿零壹元整",
    "90499500.00": "玖仟零肆拾玖万玖仟伍佰元整",
    "425880000.00": "肆亿贰仟伍佰捌拾捌万元整",
    "1000000000000": "壹万亿元整",
    "-25.30": "负贰拾伍元叁角整",
}


@pytest.mark.parametrize("amount,written", WRITTEN.items())
def test_amounts_are_written_in_capitals_as_a_voucher_writes_them(amount, written):
    assert capitals(Decimal(amount)) == written


def test_an_amount_that_is_not_whole_fen_is_refused_not_rounded():
    with pytest.raises(ValueError):
        capitals(Decimal("1.005"))


DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def _read_back(text: str) -> Decimal:
    """Capitals read back into an amount, the way a cashier checks them against the figures."""
    sign = -1 if text.startswith("负") else 1
    text = text.removeprefix("负").removesuffix("整")
    whole, _, fraction = text.partition("元") if "元" in text else ("", "", text)
    total = section = digit = 0
    for character in whole:
        if character in DIGITS:
            digit = DIGITS.index(character)
        elif character in SMALL:
            section += digit * SMALL[character]
            digit = 0
        elif character == "万":
            total += (section + digit) * 10_000
            section = digit = 0
        elif character == "亿":
            total = (total + section + digit) * 100_000_000
            section = digit = 0
    fen = (total + section + digit) * 100
    for amount, unit in re.findall(r"([壹贰叁肆伍陆柒捌玖])([角分])", fraction):
        fen += DIGITS.index(amount) * (10 if unit == "角" else 1)
    return sign * Decimal(fen) / 100


@given(st.integers(min_value=-(10 ** 14), max_value=10 ** 14))
def test_capitals_read_back_to_the_same_amount_with_one_zero_for_each_gap(fen):
    amount = Decimal(fen) / 100
    written = capitals(amount)
    assert _read_back(written) == amount, written
    assert "零零" not in written and not written.endswith("零")
    assert written == "零元整" or not written.removeprefix("负").startswith("零"), written
    assert written.endswith("整") == (fen % 10 == 0), written


def _pdf_text(body: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).replace(" ", "")


def _sheet(client, route: str, *args, query: dict | None = None) -> tuple[str, str]:
    """The sheet's print layout and the text of its PDF."""
    page = client.get(reverse(route, args=args), query or {})
    pdf = client.get(reverse(f"{route}-pdf", args=args), query or {})
    assert page.status_code == 200 and pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf" and pdf["Content-Disposition"].endswith('.pdf"')
    return page.content.decode(), _pdf_text(pdf.content)


SIGNED = ("经办人：", "审核人：", "负责人：", "盖章", "出具单位：歙县医疗保障局")


@pytest.mark.django_db
def test_an_orders_approval_form_says_the_amount_in_figures_and_capitals_and_is_signed(client, demo):  # noqa: F811
    from budgets.models import PaymentOrder

    order = PaymentOrder.objects.get(agreement__consortium__code="SX-YGT-01", kind="prepayment", period="2025-Q1")
    client.force_login(demo["sx_staff"])
    page, text = _sheet(client, "order-sheet", order.pk)
    for shown in (page, text):
        assert "付款审批单" in shown and "¥90,499,500.00" in shown
        assert "人民币" in shown and "玖仟零肆拾玖万玖仟伍佰元整" in shown
        assert "预拨" in shown and "2025年第1季度" in shown and order.bank_reference in shown
    assert all(label in text for label in SIGNED), text
    assert "李审核" in text  # the approver on record, by name
    assert "下载PDF" in page and "下载PDF" not in text  # the toolbar is the screen's, not the paper's
    assert re.search(r"第1页，共1页", text), text


@pytest.mark.django_db
def test_a_co_managed_payment_carries_the_consortiums_signature_and_seal(client, demo):  # noqa: F811
    from budgets.models import PaymentOrder

    order = PaymentOrder.objects.filter(agreement__consortium__code="SX-YGT-01", channel="co_managed").first()
    client.force_login(demo["sx_finance"])
    _, text = _sheet(client, "order-sheet", order.pk)
    assert "医共体财务：" in text and "歙县人民医院紧密型县域医共体" in text
    assert text.count("盖章") == 2  # the bureau's and the consortium's
    assert capitals(order.amount) in text


@pytest.mark.django_db
def test_a_batch_form_prints_the_filtered_orders_with_each_channel_totalled_apart(client, demo):  # noqa: F811
    from budgets.models import PaymentOrder

    client.force_login(demo["sx_staff"])
    orders = PaymentOrder.objects.filter(agreement__consortium__code="SX-YGT-01", period="2025-Q1")
    bureau = sum(o.amount for o in orders if o.channel == "bureau")
    co_managed = sum(o.amount for o in orders if o.channel == "co_managed")
    assert bureau and co_managed
    page, text = _sheet(client, "orders-sheet", query={"period": "2025-Q1", "consortium": orders[0].agreement.consortium_id})
    for shown in (page, text):
        assert "付款审批单（批量）" in shown and "期间：2025年第1季度" in shown
        assert f"¥{bureau:,.2f}" in shown and capitals(bureau) in shown
        assert f"¥{co_managed:,.2f}" in shown and capitals(co_managed) in shown
    assert f"¥{bureau + co_managed:,.2f}" not in page  # never added together
    assert re.search(rf"支付单张数</th><td class=\"num\">{orders.count()}<", page)
    assert "2025年第2季度" not in page  # the filter holds


@pytest.mark.django_db
def test_the_clearing_statement_prints_the_final_payment_in_capitals(client, demo):  # noqa: F811
    from budgets.models import Clearing
    from consortia.models import User

    clearing = Clearing.objects.get(agreement__consortium__code="YX-YGT-01", agreement__year=2025)
    final = Decimal(clearing.result["clearing"]["final_payment"])
    client.force_login(demo["yx_staff"])
    page, text = _sheet(client, "clearing-sheet", clearing.pk)
    for shown in (page, text):
        assert "年终清算单" in shown or "清算" in shown
        assert f"{final:,.2f}" in shown and capitals(final) in shown
    assert "出具单位：阳西县医疗保障局" in text and "医共体：" in text
    client.force_login(User.objects.get(username="sx_finance"))  # another county's consortium
    assert client.get(reverse("clearing-sheet", args=[clearing.pk])).status_code == 404
    assert client.get(reverse("clearing-sheet-pdf", args=[clearing.pk])).status_code == 404


@pytest.mark.django_db
def test_the_budget_approval_sheet_prints_inputs_package_and_schedule(client, demo):  # noqa: F811
    from budgets.models import AnnualBudget

    budget = AnnualBudget.objects.get(agreement__consortium__code="SX-YGT-01", agreement__year=2025)
    package = Decimal(budget.computed["package"]["target_one"] if "target_one" in budget.computed["package"]
                      else budget.computed["package"]["package"])
    client.force_login(demo["sx_staff"])
    page, text = _sheet(client, "budget-sheet", budget.pk)
    for shown in (page, text):
        assert "预算审批表" in shown and f"¥{package:,.2f}" in shown and capitals(package) in shown
        assert "筹集资金" in shown and "¥468,000,000.00" in shown  # an input, beside the result
        assert "歙县人民医院" in shown  # a member's line
        assert "2025年第4季度" in shown  # the prepayment schedule
    assert all(label in text for label in SIGNED), text


@pytest.mark.django_db
def test_the_annex2_checklist_prints_every_item_with_its_full_marks(client, demo):  # noqa: F811
    from evaluation.models import Evaluation

    evaluation = Evaluation.objects.get(consortium__code="SX-YGT-01", year=2025)
    items = list(evaluation.template.items.all())
    client.force_login(demo["sx_staff"])
    page, text = _sheet(client, "checklist-sheet", evaluation.pk)
    assert evaluation.template.title.replace(" ", "") in text
    for item in items:
        assert f'<td class="num">{item.number}</td><td>{item.text}</td>' in page
    assert "（一）" in text and "总得分" in text
    assert all(label in text for label in SIGNED), text


def test_a_printed_sheet_fetches_nothing_it_names(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text('body::before { content: "LEAKED-FILE"; }')
    html = (f'<html><head><link rel="stylesheet" href="file://{secret}"></head>'
            f'<body><p>付款审批单</p><img src="file://{secret}" alt="x"></body></html>')
    text = _pdf_text(pdf_bytes(html))
    assert "付款审批单" in text and "LEAKED" not in text


@pytest.mark.django_db
def test_a_batch_form_of_nothing_found_says_so_under_the_clerks_own_bureau(client, demo):  # noqa: F811
    client.force_login(demo["sx_staff"])
    page, text = _sheet(client, "orders-sheet", query={"period": "2031"})
    assert "没有符合条件的支付单。" in page and "出具单位：歙县医疗保障局" in text
    assert "¥0.00" in text and "零元整" in text
