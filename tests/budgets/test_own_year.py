"""Every scheme run on a consortium's own year: the fund figures of the budget approved for it, the
year's expenditure from its claims (or the actuals the bureau entered), each figure's source and
each stand-in said beside the results; a year the system does not hold is refused in words."""

from decimal import Decimal

import pytest
from django.urls import reverse

from claims.models import Claim
from consortia.models import Consortium, User
from tests.test_exports import demo  # noqa: F401  (the demo fixture)


def _run(client, username: str, code: str, year) -> object:
    client.force_login(User.objects.get(username=username))
    consortium = Consortium.objects.get(code=code)
    return client.get(reverse("feasibility"), {"own_year": "1", "consortium": consortium.pk, "year": year})


@pytest.mark.django_db
def test_shexians_2025_runs_under_every_scheme_on_its_budget_and_claims(client, demo):  # noqa: F811
    page = _run(client, "sx_staff", "SX-YGT-01", 2025)
    consortium = Consortium.objects.get(code="SX-YGT-01")
    scenario = page.context["own"].scenario
    claims = Claim.objects.filter(county=consortium.county, settled_on__year=2025, insurance_type="390")
    inside: dict[str, Decimal] = {}
    outside = Decimal("0.00")
    for code, owner, amount in claims.values_list("institution__code", "consortium_id", "fund_paid"):
        if owner == consortium.pk:
            inside[code] = inside.get(code, Decimal("0.00")) + amount
        elif owner is None:
            outside += amount
    assert scenario["actuals"]["out_of_consortium"] == format(outside, "f")
    assert {c: Decimal(a) for c, a in scenario["actuals"]["in_consortium"].items() if Decimal(a)} == inside
    # The year's fund is the budget's 筹集资金, under each scheme's own name.
    assert scenario["fund"]["raised"] == scenario["fund"]["revenue"] == scenario["fund"]["budget"] == "468000000.00"
    assert [r["scheme"] for r in page.context["results"]] == ["shexian-2025", "guangdong-2019", "jiangmen-2016"]
    assert all(not r["errors"] for r in page.context["results"])
    table = page.context["comparison"]
    assert len(table["schemes"]) == 3 and "comparison-chart" in str(page.context["comparison_chart"])
    body = page.content.decode()
    assert "本县实际数据及其来源" in body and "歙县人民医院紧密型县域医共体 2025 预算第 1 版" in body
    assert "2025年导入系统的结算数据" in body
    assert "年度基金收入（广东）：取本预算的年度基金数额 ¥468,000,000.00" in body
    assert "考核得分：按100分计（2025年度绩效评价尚未确认）" in body


@pytest.mark.django_db
def test_a_county_with_entered_actuals_is_run_and_a_scheme_lacking_a_figure_says_so(client, demo):  # noqa: F811
    page = _run(client, "yx_staff", "YX-YGT-01", 2025)
    body = page.content.decode()
    assert "医保局录入的2025年度实际支出" in body
    shexian = next(r for r in page.context["results"] if r["scheme"] == "shexian-2025")
    assert [e["message"] for e in shexian["errors"]] == ["缺少上年度清算支出（fund.prior_year_expenditure）。"]
    assert "该付费方式无法按现有数据测算" in body


@pytest.mark.django_db
def test_a_year_the_system_does_not_hold_is_refused_in_words(client, demo):  # noqa: F811
    page = _run(client, "sx_staff", "SX-YGT-01", 2030)
    body = page.content.decode()
    assert "歙县人民医院紧密型县域医共体没有2030年度已审批的预算，系统中没有该年度的基金数据。" in body
    assert "系统中没有2030年度的结算数据、已录入的实际支出或已审批的清算。" in body
    assert not page.context["results"]
    assert "请以四位数字填写年度" in _run(client, "sx_staff", "SX-YGT-01", "明年").content.decode()


@pytest.mark.django_db
def test_another_countys_consortium_is_not_run(client, demo):  # noqa: F811
    page = _run(client, "yx_finance", "SX-YGT-01", 2025)
    assert page.status_code == 200 and not page.context["results"] and page.context["own"] is None
