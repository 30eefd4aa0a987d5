"""The year-end clearing in the browser: actuals from the imported claims, the evaluation's
confirmed score, run by the clerk, read with its rules, approved by another person of the bureau."""

import pytest
from playwright.sync_api import expect

from budgets.models import Clearing, PaymentOrder
from evaluation import services as evaluation_services
from evaluation.models import Evaluation

from .conftest import sign_in

pytestmark = pytest.mark.browser
MESSAGE = "清算须由测算人以外的人员审批。"


def _confirmed_evaluation():
    from consortia.models import User

    evaluation = Evaluation.objects.get(consortium__code="SX-YGT-01", year=2025)
    staff, auditor = User.objects.get(username="sx_staff"), User.objects.get(username="sx_auditor")
    for result in evaluation.results.all():
        evaluation_services.item_result_set(result=result, value="met" if result.item.number != 17 else "not_met",
                                            evidence="", user=staff)
    evaluation_services.evaluation_submit(evaluation=evaluation, user=staff)
    evaluation_services.evaluation_confirm(evaluation=evaluation, user=auditor)


def test_the_clearing_takes_the_claims_and_the_score_and_is_approved_by_another(page):
    _confirmed_evaluation()  # 92.00: item 17 (8 points) not met
    sign_in(page, "sx_staff")
    page.get_by_role("row").filter(has_text="歙县人民医院紧密型县域医共体").get_by_role("link", name="查看").click()
    page.get_by_role("button", name="按导入的结算数据汇总本年度实际支出").click()
    page.get_by_role("button", name="按当前数据进行清算").click()
    expect(page.get_by_text("清算已测算。请核对后交由其他同事审批。")).to_be_visible()
    expect(page.get_by_role("heading", name="清算运行 #")).to_contain_text("已完成")
    clearing = Clearing.objects.get(agreement__consortium__code="SX-YGT-01")
    assert clearing.inputs["evaluation"]["score"] == "92.00"
    expect(page.get_by_role("img", name="按成员单位类别的结余分配")).to_be_visible()
    page.get_by_label("我已核对本结算单，可以生成清算支付单。").check()
    page.get_by_role("button", name="审批清算").click()  # not the clerk's own run
    expect(page.get_by_text(MESSAGE)).to_be_visible()
    page.get_by_role("button", name="退出登录").click()

    sign_in(page, "sx_auditor")
    page.goto(f"{page.live_url}/agreements/{clearing.agreement_id}/clearing/")
    page.get_by_label("我已核对本结算单，可以生成清算支付单。").check()
    page.get_by_role("button", name="审批清算").click()
    expect(page.get_by_text("清算已审批")).to_be_visible()
    assert Clearing.objects.get(pk=clearing.pk).status == "approved"
    assert PaymentOrder.objects.filter(agreement=clearing.agreement, kind="final_payment").exists()
