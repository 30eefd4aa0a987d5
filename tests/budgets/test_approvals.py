"""Approvals with send-back (审批与退回): the approver approves or sends back with an opinion
(required to send back); the budget goes back to its author as a draft, is corrected and submitted
again; every step stays on the budget's trail, shown on its page, in order, and can never change."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from budgets.services import budgets as budget_services
from consortia.models import Decision
from consortia.services.approvals import decisions_of
from tests.budgets.test_one_writer import FIRST, _agreement


def _submitted(county):
    agreement, members = _agreement(county)
    budget = budget_services.budget_save(agreement=agreement, fund={"revenue": FIRST}, members=members,
                                         user=county.staff)
    return agreement, members, budget_services.budget_submit(budget=budget, user=county.staff)


def test_a_budget_is_sent_back_with_an_opinion_corrected_resubmitted_and_approved_on_its_page(client, county):
    agreement, members, budget = _submitted(county)
    page = reverse("budget-page", args=[agreement.pk])
    client.force_login(county.auditor)
    refused = client.post(page, {"step": "send_back", "opinion": "  "}, follow=True)
    assert [str(m) for m in refused.context["messages"]] == ["请写明退回的理由（审批意见必填）。"]
    budget.refresh_from_db()
    assert budget.status == "submitted" and decisions_of(budget)[-1].step == "submitted"

    sent = client.post(page, {"step": "send_back", "opinion": "乡镇卫生院上年支付额有误，请核对"}, follow=True)
    assert "已退回编制人" in sent.content.decode()
    budget.refresh_from_db()
    assert (budget.status, budget.submitted_by) == ("draft", None)

    client.force_login(county.staff)  # the author corrects the draft and submits it again
    budget_services.budget_save(agreement=agreement, budget=budget, fund={"revenue": "1200000.00"},
                                members=members, user=county.staff)
    client.post(page, {"step": "submit"})
    client.force_login(county.auditor)
    client.post(page, {"step": "approve", "opinion": "同意"})
    budget.refresh_from_db()
    assert budget.status == "approved" and budget.fund["revenue"] == "1200000.00"

    trail = [(d.step, d.by.username, d.opinion) for d in decisions_of(budget)]
    assert trail == [("submitted", "staff", ""), ("sent_back", "auditor", "乡镇卫生院上年支付额有误，请核对"),
                     ("submitted", "staff", ""), ("approved", "auditor", "同意")]
    body = client.get(page).content.decode()
    table = body[body.index('id="approval-trail"'):]
    assert table.index("已提交") < table.index("已退回") < table.index("乡镇卫生院上年支付额有误") < table.index("同意")


def test_the_author_cannot_send_back_their_own_budget_and_the_api_sends_back_too(client, county):
    agreement, _members, budget = _submitted(county)
    client.force_login(county.staff)
    own = client.post(reverse("budget-send-back", args=[budget.pk]), {"opinion": "自己退回"},
                      content_type="application/json")
    assert own.status_code == 400 and "编制人以外" in own.content.decode()
    client.force_login(county.auditor)
    missing = client.post(reverse("budget-send-back", args=[budget.pk]), {}, content_type="application/json")
    assert missing.status_code == 400 and "审批意见必填" in missing.content.decode()
    sent = client.post(reverse("budget-send-back", args=[budget.pk]), {"opinion": "请补充说明"},
                       content_type="application/json")
    assert sent.status_code == 200 and sent.json()["status"] == "draft"


@pytest.mark.django_db(transaction=True)
def test_a_step_of_the_trail_is_kept_as_it_was_taken(county):
    _agreement_, _members, budget = _submitted(county)
    step = decisions_of(budget)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(pk=step.pk).update(opinion="改过")
    with pytest.raises(IntegrityError), transaction.atomic():  # a send-back without its reason
        Decision.objects.create(content_type=step.content_type, object_id=budget.pk, step="sent_back", opinion="")


def test_the_approver_sees_the_figures_beside_last_years_with_the_change(client, county):
    """Last year's budget in force had revenue ¥1,000,000.00 and the lead's prior-year paid ¥100.00;
    this year's submitted one has ¥1,250,000.00 (+25.00%, marked) and ¥110.00 (+10.00%)."""
    import datetime

    from consortia import services as registry

    agreement, members, _budget = _submitted(county)  # year 2025, revenue FIRST = 1,000,000.00
    budget_services.budget_approve(budget=_budget, user=county.auditor)
    following = registry.agreement_create(consortium=agreement.consortium, year=2026, scheme="guangdong-2019",
                                          user=None, signed_date=datetime.date(2026, 1, 2))
    budget = budget_services.budget_save(agreement=following, fund={"revenue": "1250000.00"},
                                         members=[{**members[0], "prior_year_paid": "110.00"}], user=county.staff)
    budget_services.budget_submit(budget=budget, user=county.staff)
    client.force_login(county.auditor)
    response = client.get(reverse("budget-page", args=[following.pk]))
    fund = response.context["comparison"]["fund"]
    assert [(r["label"], r["now"], r["before"], str(r["change"])) for r in fund] == [
        ("年度基金收入", "¥1,250,000.00", "¥1,000,000.00", "0.2500")]
    body = response.content.decode()
    section = body[body.index('id="comparison"'):]
    assert '<td class="num warning">+25.00%</td>' in section
    assert "¥110.00<br><small>¥100.00 · +10.00%</small>" in section


# --- less typing: the members by workbook, or from last year's budget --------------------------

def _workbook(response):
    import io

    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(response.content)).active


def _upload(client, page, sheet, name="members.xlsx"):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    return client.post(page, {"step": "upload_members", "members_file": SimpleUploadedFile(name, buffer.getvalue())},
                       follow=True)


def test_a_budgets_members_come_from_a_filled_in_workbook_and_nothing_is_stored_before_saving(client, county):
    agreement, members = _agreement(county)
    budget = budget_services.budget_save(agreement=agreement, fund={"revenue": FIRST}, members=members,
                                         user=county.staff)
    client.force_login(county.staff)
    page = reverse("budget-page", args=[agreement.pk])
    sheet = _workbook(client.get(page, {"members_workbook": 1}))
    header = [c.value for c in sheet[1]]
    assert header == ["成员单位编码", "名称", "类别", "上年度支付额"]  # what the scheme asks of a member, no more
    assert [c.value for c in sheet[2]][:4] == [members[0]["code"], "牵头医院", "牵头医院", 100]
    sheet.cell(row=2, column=4, value=250.5)  # the clerk's figure, typed in Excel

    read = _upload(client, page, sheet)
    assert "已从工作簿读入 1 个成员单位" in read.content.decode()
    rows = read.context["members"].initial
    assert rows[0]["code"] == members[0]["code"] and str(rows[0]["prior_year_paid"]) == "250.50"
    budget.refresh_from_db()
    assert budget.members[0]["prior_year_paid"] == "100.00"  # read, not stored


def test_a_workbook_with_a_bad_cell_is_refused_whole_with_each_problem_by_row_and_column(client, county):
    agreement, members = _agreement(county)
    client.force_login(county.staff)
    page = reverse("budget-page", args=[agreement.pk])
    sheet = _workbook(client.get(page, {"members_workbook": 1}))
    sheet.cell(row=2, column=4, value="一百")
    sheet.append(["X-2", "另一家", "卫生室", 5])  # not a tier
    refused = _upload(client, page, sheet)
    problems = refused.context["upload_problems"]
    assert "工作簿未读入：有 2 处问题" in refused.content.decode()
    assert problems == ["第 2 行，上年度支付额：输入一个数字。", "第 3 行，类别：选择一个有效的选项。 卫生室 不在可用的选项中。"]
    assert not agreement.budgets.exists()


def test_next_years_budget_starts_from_last_years(client, county):
    import datetime

    from consortia import services as registry

    agreement, members, budget = _submitted(county)
    budget_services.budget_approve(budget=budget, user=county.auditor)
    following = registry.agreement_create(consortium=agreement.consortium, year=2026, scheme="guangdong-2019",
                                          user=None, signed_date=datetime.date(2026, 1, 2))
    client.force_login(county.staff)
    response = client.get(reverse("budget-page", args=[following.pk]), {"from": "last_year"})
    assert response.context["form"].initial["revenue"] in ("1000000.00", "1000000")
    assert response.context["members"].initial[0]["prior_year_paid"] == "100.00"
    assert "请逐项核对后保存" in response.content.decode() and not following.budgets.exists()


def test_the_overview_keeps_the_year_in_progress_when_next_years_draft_exists(client, county):
    import datetime

    from consortia import services as registry

    agreement, _members, budget = _submitted(county)  # 2025, signed, its budget approved
    budget_services.budget_approve(budget=budget, user=county.auditor)
    registry.agreement_activate(agreement=agreement, user=county.staff)
    registry.agreement_create(consortium=agreement.consortium, year=2026, scheme="guangdong-2019", user=county.staff,
                              signed_date=datetime.date(2026, 1, 2))  # next year's draft
    client.force_login(county.staff)
    running = client.get(reverse("home"))
    assert [r["agreement"].year for r in running.context["rows"] if r["consortium"] == agreement.consortium] == [2025]
    body = running.content.decode()
    assert "正在进行的年度（2025）" in body and 'href="?year=2026"' in body
    following = client.get(reverse("home"), {"year": 2026})
    assert [r["agreement"].year for r in following.context["rows"] if r["consortium"] == agreement.consortium] == [2026]
    nowhere = client.get(reverse("home"), {"year": 1999})  # no agreement that year: the year in progress
    assert nowhere.context["year"] is None


def test_a_run_that_makes_no_order_says_why(client, county):
    from budgets.services.prepayments import prepayment_run

    agreement, _budget, _fo, _data = county.agreement("guangdong-2019-surplus")  # monthly, active, approved
    first = prepayment_run(period="2025-03", user=county.staff)
    assert first.orders_created > 0 and first.reason == ""
    again = prepayment_run(period="2025-03", user=county.staff)
    assert again.orders_created == 0 and again.reason == f"2025年3月的支付单此前已生成（{first.orders_created} 笔），本次未重复生成。"
    nobody = prepayment_run(period="2031-03", user=county.staff)
    assert nobody.reason == "没有 2031 年需按 2031年3月 这类期间预拨的生效协议，无需生成支付单。"
    client.force_login(county.staff)
    body = client.get(reverse("payments")).content.decode()
    assert '<span class="help">没有 2031 年需按' in body


def test_an_auditor_reads_no_workbook_into_a_budget(client, county):
    agreement, _members = _agreement(county)
    client.force_login(county.auditor)
    from django.core.files.uploadedfile import SimpleUploadedFile

    refused = client.post(reverse("budget-page", args=[agreement.pk]),
                          {"step": "upload_members", "members_file": SimpleUploadedFile("m.csv", b"x")})
    assert refused.status_code == 403


def test_a_budgets_member_rows_ask_what_its_scheme_asks_of_a_member(client, county):
    import datetime

    from consortia import services as registry

    guangdong, _members = _agreement(county)
    jiangmen = registry.agreement_create(consortium=guangdong.consortium, year=guangdong.year + 3,
                                         scheme="jiangmen-2016", user=county.staff,
                                         signed_date=datetime.date(guangdong.year + 3, 1, 2))
    client.force_login(county.staff)
    shares = client.get(reverse("budget-page", args=[guangdong.pk])).context["members"].empty_form.fields
    assert list(shares) == ["code", "name", "tier", "prior_year_paid", "DELETE"]
    page = client.get(reverse("budget-page", args=[jiangmen.pk]))
    history = page.context["members"].empty_form.fields
    assert list(history) == ["code", "name", "tier", "h1", "h2", "h3", "coefficient", "compliant_two_years", "grade",
                             "assessment_deduction", "DELETE"]
    body = page.content.decode()
    assert "历史数据（最早一年）" in body and "上年度支付额" not in body
