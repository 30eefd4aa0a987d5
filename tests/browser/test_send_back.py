"""Send back and answer, in the browser, for the approvals the budget's test does not walk: the
evaluation, the clearing and a payment order. Each time the approver's opinion is required to send
back, the maker reads it in the trail, answers or corrects and submits again, and the approver then
approves; the trail keeps every step with its opinion."""

import pytest
from playwright.sync_api import expect

from budgets.models import Clearing, PaymentOrder
from budgets.services.prepayments import prepayment_run
from consortia.models import User
from evaluation import services as evaluation_services
from evaluation.models import Evaluation

from .conftest import sign_in

pytestmark = pytest.mark.browser


def _sign_out(page):
    page.get_by_role("button", name="退出登录").click()


def _decide(page, button: str, opinion: str = "") -> None:
    page.get_by_label("审批意见（退回时必填）").fill(opinion)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=button, exact=True).click()


def test_an_evaluation_is_sent_back_answered_and_confirmed(page):
    evaluation = Evaluation.objects.get(consortium__code="SX-YGT-01", year=2025)
    staff = User.objects.get(username="sx_staff")
    for result in evaluation.results.all():
        evaluation_services.item_result_set(result=result, value="met", evidence="", user=staff)
    evaluation_services.evaluation_submit(evaluation=evaluation, user=staff)

    sign_in(page, "sx_auditor")
    page.goto(f"{page.live_url}/evaluations/{evaluation.pk}/")
    _decide(page, "退回")  # no opinion: refused, nothing changes
    expect(page.get_by_text("请说明退回理由。")).to_be_visible()
    expect(page.locator("#evaluation-status")).to_have_text("已提交")
    _decide(page, "退回", "第5项佐证材料不足，请补充转诊记录")
    expect(page.locator("#evaluation-status")).to_have_text("草稿")
    _sign_out(page)

    sign_in(page, "sx_staff")
    page.goto(f"{page.live_url}/evaluations/{evaluation.pk}/")
    expect(page.locator("#approval-trail")).to_contain_text("第5项佐证材料不足，请补充转诊记录")
    page.get_by_label("第 5 项佐证说明").fill("已补充2025年转诊登记台账")
    page.get_by_role("button", name="保存").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交待确认").click()
    expect(page.locator("#evaluation-status")).to_have_text("已提交")
    _sign_out(page)

    sign_in(page, "sx_auditor")
    page.goto(f"{page.live_url}/evaluations/{evaluation.pk}/")
    _decide(page, "确认（医保局另一位人员）", "佐证已补齐，同意")
    expect(page.locator("#evaluation-status")).to_have_text("已确认")
    trail = page.locator("#approval-trail")
    expect(trail).to_contain_text("第5项佐证材料不足，请补充转诊记录")
    expect(trail).to_contain_text("佐证已补齐，同意")
    evaluation.refresh_from_db()
    assert evaluation.status == "confirmed" and evaluation.confirmed_by.username == "sx_auditor"


def test_a_clearing_is_sent_back_answered_and_approved(page):
    agreement_code = "YX-YGT-01"  # 阳西县 entered its actuals by hand
    sign_in(page, "yx_staff")
    page.get_by_role("row").filter(has_text="阳西县总医院医共体").get_by_role("link", name="查看").click()
    page.get_by_role("button", name="按当前数据进行清算").click()
    expect(page.get_by_text("清算已测算。请核对后交由其他同事审批。")).to_be_visible()
    clearing = Clearing.objects.get(agreement__consortium__code=agreement_code)
    _sign_out(page)

    sign_in(page, "yx_auditor")
    page.goto(f"{page.live_url}/agreements/{clearing.agreement_id}/clearing/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="退回", exact=True).click()  # no opinion
    expect(page.get_by_text("请写明退回的理由（审批意见必填）。")).to_be_visible()
    page.get_by_label("审批意见（退回时必填）").fill("请核对医共体外结算费用是否含异地就医")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="退回", exact=True).click()
    expect(page.get_by_text("已连同您的审批意见退回。")).to_be_visible()
    expect(page.get_by_role("button", name="审批清算")).to_have_count(0)  # sent back: not approvable as it is
    _sign_out(page)

    sign_in(page, "yx_staff")
    page.goto(f"{page.live_url}/agreements/{clearing.agreement_id}/clearing/")
    expect(page.locator("#clearing-sent-back")).to_be_visible()
    expect(page.locator("#approval-trail")).to_contain_text("请核对医共体外结算费用是否含异地就医")
    _answer(page, "已核对，含异地就医费用，数据无误")

    sign_in(page, "yx_auditor")
    page.goto(f"{page.live_url}/agreements/{clearing.agreement_id}/clearing/")
    page.get_by_label("审批意见", exact=True).fill("同意")
    page.get_by_label("我已核对本结算单，可以生成清算支付单。").check()
    page.get_by_role("button", name="审批清算").click()
    expect(page.get_by_text("清算已审批")).to_be_visible()
    trail = page.locator("#approval-trail")
    for said in ("请核对医共体外结算费用是否含异地就医", "已核对，含异地就医费用，数据无误", "同意"):
        expect(trail).to_contain_text(said)
    assert Clearing.objects.get(pk=clearing.pk).status == "approved"


def _answer(page, answer: str) -> None:
    """The maker reads the opinion in the trail (the test checks it) and submits again with an answer."""
    page.get_by_label("答复意见").fill(answer)
    page.get_by_role("button", name="重新提交审批").click()
    expect(page.get_by_text("已重新提交审批。")).to_be_visible()
    _sign_out(page)


def test_a_payment_order_is_sent_back_answered_and_approved(page):
    prepayment_run(period="2025-Q2", user=User.objects.get(username="sx_staff"))  # the run itself: test_payments
    order = PaymentOrder.objects.get(period="2025-Q2", kind="prepayment", agreement__consortium__code="SX-YGT-01")

    sign_in(page, "sx_auditor")
    page.goto(f"{page.live_url}/payments/{order.pk}/")
    _decide(page, "退回", "预拨比例与协议第二版不符，请核对")
    expect(page.get_by_text("已连同您的审批意见退回。")).to_be_visible()
    expect(page.get_by_role("button", name="审核通过")).to_have_count(0)  # waits for the maker's answer
    _sign_out(page)

    sign_in(page, "sx_staff")
    page.goto(f"{page.live_url}/payments/")
    page.locator("#id_period").fill("2025-Q2")
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name=order.payee_name).first.click()
    expect(page.locator("#order-sent-back")).to_be_visible()
    expect(page.locator("#approval-trail")).to_contain_text("预拨比例与协议第二版不符，请核对")
    _answer(page, "已核对，按第二版比例计算无误")

    sign_in(page, "sx_auditor")
    page.goto(f"{page.live_url}/payments/{order.pk}/")
    _decide(page, "审核通过", "同意拨付")
    expect(page.get_by_text("已审批，可以支付。")).to_be_visible()  # every step answers
    expect(page.locator("#order-status")).to_have_text("已审批")
    trail = page.locator("#approval-trail")
    for said in ("预拨比例与协议第二版不符，请核对", "已核对，按第二版比例计算无误", "同意拨付"):
        expect(trail).to_contain_text(said)
    order.refresh_from_db()
    assert order.status == "approved" and order.approved_by.username == "sx_auditor"
