"""The clearing statement page and workbook, read by the consortium's finance officer."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from budgets.models import Clearing, PaymentOrder


def test_staff_run_the_clearing_and_a_colleague_approves_it(client, county, django_capture_on_commit_callbacks):
    agreement, _budget, finance, data = county.agreement("guangdong-2019-surplus")
    county.actuals(agreement, data)
    url = reverse("clearing-page", args=[agreement.pk])
    client.force_login(county.staff)
    assert "尚未进行清算" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "compute"}, follow=True)
    body = client.get(url).content.decode()
    assert "清算运行" in body and "已完成" in body  # the run's row
    assert "¥376,489,960.00" in body  # the entitlement W
    assert "应得总额 W = 打包总额 P + 风险金返还 = ¥376,489,960.00（其中 P = ¥" in body
    assert "risk_fund_released" not in body and "True" not in body
    clearing = Clearing.objects.get()
    refused = client.post(url, {"action": "approve", "clearing": clearing.pk, "confirm": "yes"}, follow=True)
    assert "清算须由测算人以外的人员审批" in refused.content.decode()
    client.force_login(county.auditor)
    unconfirmed = client.post(url, {"action": "approve", "clearing": clearing.pk}, follow=True)
    assert "请勾选" in unconfirmed.content.decode()
    client.post(url, {"action": "approve", "clearing": clearing.pk, "confirm": "yes"})
    clearing.refresh_from_db()
    assert clearing.status == "approved"
    assert PaymentOrder.objects.filter(kind="final_payment").count() == 1

    client.force_login(finance)
    statement = client.get(url)
    assert statement.status_code == 200 and "已审批" in statement.content.decode()
    assert b'name="action" value="compute"' not in statement.content  # reads, does not run
    workbook = client.get(reverse("clearing-statement", args=[clearing.pk]))
    code = clearing.agreement.consortium.code
    assert workbook["Content-Disposition"] == f'attachment; filename="clearing-{code}-2025.xlsx"'
    sheet = load_workbook(io.BytesIO(workbook.content))["广东 2019 医共体打包付费（阳西模式）"]
    assert sheet.cell(1, 1).value == "年终清算结算单：广东 2019 医共体打包付费（阳西模式）"
    rows = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(1, sheet.max_row + 1)}
    # Nothing was prepaid in this test: the whole entitlement less claims outside comes now (G6).
    assert rows["已预拨"] == 0
    assert rows["清算应拨付"] == 277724527.9


def test_another_consortium_cannot_see_the_statement(client, county, django_capture_on_commit_callbacks):
    agreement, _budget, _finance, data = county.agreement("guangdong-2019-surplus")
    _other, _b, other_finance, _d = county.agreement("shexian-2025-target-two")
    county.actuals(agreement, data)
    client.force_login(county.staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("clearing-page", args=[agreement.pk]), {"action": "compute"})
    clearing = Clearing.objects.get()
    client.force_login(other_finance)
    assert client.get(reverse("clearing-page", args=[agreement.pk])).status_code == 404
    assert client.get(reverse("clearing-statement", args=[clearing.pk])).status_code == 404


def test_the_overview_flags_money_not_passed_on_in_time(client, county):
    import datetime

    from budgets.services import payments
    from budgets.services.prepayments import prepayment_run

    agreement, _budget, finance, _data = county.agreement("shexian-2025-target-two")
    prepayment_run(period="2025-Q1", user=county.staff)
    quarter = PaymentOrder.objects.get()
    payments.order_approve(order=quarter, user=county.auditor)
    payments.order_pay(order=quarter, user=county.staff, paid_on=datetime.date(2025, 1, 24), bank_reference="Q1")
    client.force_login(finance)
    body = client.get(reverse("home")).content.decode()
    assert "未按时拨付给成员单位的资金" in body
    assert "2025-02-13" in body and "¥90,499,500.00" in body


def test_a_finance_officer_cannot_approve_a_clearing(client, county, django_capture_on_commit_callbacks):
    agreement, _budget, finance, data = county.agreement("guangdong-2019-surplus")
    county.actuals(agreement, data)
    client.force_login(county.staff)
    url = reverse("clearing-page", args=[agreement.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "compute"})
    clearing = Clearing.objects.get()
    client.force_login(finance)
    page = client.post(url, {"action": "approve", "clearing": clearing.pk, "confirm": "yes"}, follow=True)
    assert "由医保局审批预算和清算" in page.content.decode()
    clearing.refresh_from_db()
    assert clearing.status == "computed"


def test_a_clearing_is_sent_back_answered_submitted_again_and_approved(client, county,
                                                                       django_capture_on_commit_callbacks):
    from consortia.services.approvals import decisions_of

    agreement, _budget, _finance, data = county.agreement("guangdong-2019-surplus")
    county.actuals(agreement, data)
    url = reverse("clearing-page", args=[agreement.pk])
    client.force_login(county.staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "compute"})
    clearing = Clearing.objects.get()
    client.force_login(county.auditor)
    refused = client.post(url, {"action": "send_back", "clearing": clearing.pk, "opinion": ""}, follow=True)
    assert "请写明退回的理由" in refused.content.decode()
    sent = client.post(url, {"action": "send_back", "clearing": clearing.pk, "opinion": "医共体外费用与结算数据不符"},
                       follow=True)
    assert 'id="clearing-sent-back"' in sent.content.decode()
    blocked = client.post(url, {"action": "approve", "clearing": clearing.pk, "confirm": "yes"}, follow=True)
    assert "该清算已被退回" in blocked.content.decode() and Clearing.objects.get().status == "computed"

    client.force_login(county.staff)  # the figures stand: answered and submitted again
    client.post(url, {"action": "resubmit", "clearing": clearing.pk, "opinion": "已核对，医共体外费用含转外就医"})
    client.force_login(county.auditor)
    client.post(url, {"action": "approve", "clearing": clearing.pk, "confirm": "yes", "opinion": "同意"})
    assert Clearing.objects.get().status == "approved"
    assert [(d.step, d.by.username, d.opinion) for d in decisions_of(clearing)] == [
        ("submitted", "staff", ""), ("sent_back", "auditor", "医共体外费用与结算数据不符"),
        ("submitted", "staff", "已核对，医共体外费用含转外就医"), ("approved", "auditor", "同意")]
    body = client.get(url).content.decode()
    assert 'id="approval-trail"' in body and "已核对，医共体外费用含转外就医" in body
