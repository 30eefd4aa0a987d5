"""A budget filled from the records already in the system: the prior-year cleared expenditure (S1
target two) and each member's prior-year paid amount (S3) from the last year's claims or, once it is
approved, its clearing; three years of history (J2) year by year; each figure with where it came
from, what is missing said, and nothing saved until the clerk saves."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from budgets.models import AnnualBudget
from budgets.records import figures_found
from claims.models import Claim
from consortia import services as registry
from consortia.models import Consortium, User
from tests.test_exports import demo  # noqa: F401  (the demo fixture)


def _claims_of(year: int, consortium) -> tuple[dict[str, Decimal], Decimal]:
    """The claims themselves, settled in `year`: fund paid by member, and the county's total the
    package bore (the consortium's and every place outside any consortium), of the residents'
    insurance only: the demo's employees' claims (310) never count."""
    claims = Claim.objects.filter(county=consortium.county, settled_on__year=year, insurance_type="390")
    members: dict[str, Decimal] = {}
    total = Decimal("0.00")
    for code, owner, amount in claims.values_list("institution__code", "consortium_id", "fund_paid"):
        if owner == consortium.pk:
            members[code] = members.get(code, Decimal("0.00")) + amount
        if owner in (consortium.pk, None):
            total += amount
    return members, total


def _next_year(scheme: str = "shexian-2025", year: int = 2026):
    sx = Consortium.objects.get(code="SX-YGT-01")
    return registry.agreement_create(consortium=sx, year=year, scheme=scheme, user=User.objects.get(username="sx_staff"))


@pytest.mark.django_db
def test_next_years_budget_takes_last_years_claims_with_their_source(demo):  # noqa: F811
    agreement = _next_year()
    codes = [m.code for m in agreement.consortium.members.all()]
    members, total = _claims_of(2025, agreement.consortium)
    assert total > 0 and members

    found = figures_found(agreement=agreement, codes=codes)
    assert found.fund == {"prior_year_expenditure": total}
    for code in codes:
        assert found.members[code] == {"prior_year_paid": members.get(code, Decimal("0.00"))}
    claims = Claim.objects.filter(county=agreement.consortium.county, settled_on__year=2025,
                                  insurance_type="390").exclude(
        consortium__isnull=False, consortium__in=Consortium.objects.exclude(pk=agreement.consortium_id)).count()
    assert [s["source"] for s in found.sources] == [f"2025年导入系统的结算数据（{claims:,}笔，医保基金支付）"] * 2
    assert found.missing == []


@pytest.mark.django_db
def test_an_approved_clearing_wins_over_the_claims(demo):  # noqa: F811
    from budgets.models import Clearing, YearActuals
    from budgets.services import clearing as clearing_services
    from evaluation import services as evaluation_services
    from evaluation.models import Evaluation

    staff, auditor = User.objects.get(username="sx_staff"), User.objects.get(username="sx_auditor")
    evaluation = Evaluation.objects.get(consortium__code="SX-YGT-01", year=2025)
    for result in evaluation.results.all():
        evaluation_services.item_result_set(result=result, value="met", evidence="", user=staff)
    evaluation_services.evaluation_confirm(
        evaluation=evaluation_services.evaluation_submit(evaluation=evaluation, user=staff), user=auditor)
    this_year = _next_year().consortium.agreements.get(year=2025)
    with transaction.atomic():
        actuals = clearing_services.actuals_from_claims(agreement=this_year, user=staff)
        lead = next(iter(actuals.in_consortium))
        actuals.in_consortium[lead] = "12345678.90"  # the bureau corrected a member's figure by hand
        actuals.source = YearActuals.Source.ENTERED
        actuals.save()
        clearing = clearing_services.clearing_compute(agreement=this_year, user=staff)
    clearing_services.clearing_approve(clearing=clearing, user=auditor)
    clearing = Clearing.objects.get(pk=clearing.pk)

    found = figures_found(agreement=this_year.consortium.agreements.get(year=2026), codes=[lead])
    assert found.members[lead]["prior_year_paid"] == Decimal("12345678.90")
    assert found.fund["prior_year_expenditure"] == Decimal(clearing.result["clearing"]["expenditure"])
    assert found.sources[0]["source"] == f"2025年已审批的清算（第{clearing.pk}号）"


@pytest.mark.django_db
def test_three_years_of_history_say_which_years_the_system_does_not_hold(demo):  # noqa: F811
    agreement = _next_year(scheme="jiangmen-2016", year=2028)  # history 2025, 2026, 2027
    codes = [m.code for m in agreement.consortium.members.all()]
    members, _total = _claims_of(2025, agreement.consortium)
    found = figures_found(agreement=agreement, codes=codes)
    assert {code: f for code, f in found.members.items()} == {
        code: {"h1": members.get(code, Decimal("0.00"))} for code in codes}
    assert found.fund == {}  # the Jiangmen budget asks for no prior-year expenditure
    assert found.missing == ["历史数据（中间一年）（2026年）：系统中没有2026年的数据",
                             "历史数据（最近一年）（2027年）：系统中没有2027年的数据"]


@pytest.mark.django_db
def test_the_page_fills_the_fields_shows_the_sources_and_saves_nothing(client, demo):  # noqa: F811
    agreement = _next_year()
    members, total = _claims_of(2025, agreement.consortium)
    client.force_login(User.objects.get(username="sx_staff"))
    page = client.get(reverse("budget-page", args=[agreement.pk]))
    assert "用系统中的结算数据和清算填写往年数据" in page.content.decode()
    filled = client.get(reverse("budget-page", args=[agreement.pk]), {"from": "records"}).content.decode()
    assert f'name="prior_year_expenditure" value="{total}"' in filled
    lead = max(members, key=members.get)
    index = [m["code"] for m in _rows(filled)].index(lead)
    assert f'name="members-{index}-prior_year_paid" value="{members[lead]}"' in filled
    assert "往年数据的来源" in filled and "2025年导入系统的结算数据" in filled
    assert "已按系统中的记录填写" in filled
    assert not AnnualBudget.objects.filter(agreement=agreement).exists()


def _rows(html: str) -> list[dict]:
    import re

    return [{"code": code} for code in re.findall(r'name="members-\d+-code"[^>]*value="([^"]+)"', html)]


@pytest.mark.django_db
def test_a_year_with_no_records_fills_nothing_and_says_so(client, demo):  # noqa: F811
    agreement = _next_year(year=2031)  # nothing of 2030 in the system
    client.force_login(User.objects.get(username="sx_staff"))
    page = client.get(reverse("budget-page", args=[agreement.pk]), {"from": "records"}).content.decode()
    assert "系统中没有所需年份的结算数据或已审批的清算，未填写任何数据。" in page
    assert "系统中没有2030年的数据" in page


@pytest.mark.django_db
def test_the_feasibility_study_starts_from_a_consortiums_members_with_their_past_years(client, demo,  # noqa: F811
                                                                                     monkeypatch):
    import datetime

    from budgets import views

    monkeypatch.setattr(views.timezone, "localdate", lambda: datetime.date(2026, 3, 2))  # the demo's year is past
    consortium = Consortium.objects.get(code="SX-YGT-01")
    last_year = 2025
    members, _total = _claims_of(last_year, consortium)
    client.force_login(User.objects.get(username="sx_staff"))
    page = client.get(reverse("feasibility"), {"consortium": consortium.pk})
    rows = {row["code"]: row for row in page.context["members"].initial}
    assert len(rows) == 76
    for code, row in rows.items():
        assert Decimal(row["prior_year_paid"]) == members.get(code, Decimal("0.00"))
        assert row["h3"] == row["prior_year_paid"] and "h1" not in row
    said = [str(m) for m in page.context["messages"]]
    assert f"上年度支付额（{last_year}年）：取自{last_year}年导入系统的结算数据" in said[0]
    assert f"历史数据（最早一年）（{last_year - 2}年）：系统中没有{last_year - 2}年的数据" in said
