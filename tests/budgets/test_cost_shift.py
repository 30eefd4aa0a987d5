"""T5: where the quota pays outpatient care only, enrollees' inpatient costs are watched against
their baseline grown by g, on the clearing page and the dashboard."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from budgets.selectors import capitation_with_quotas as capitation_consumption
from budgets.selectors import cost_shift as cost_shift_monitor
from consortia.models import RosterEntry
from tests.claims.files import import_rows


def _claims(county, lead, *rows):
    import_rows(county=county.county, user=county.staff, rows=[
        f"{no},{person},{lead},{visit},{settled},,K35.9,,,{fund},{fund},0.00,0.00,{fund},0.00,0.00,,,{settled}"
        for no, person, visit, fund, settled in rows])


@pytest.fixture
def tianjin(county):
    agreement, budget, finance, data = county.agreement("tianjin-2021-capitation")
    for month in (1, 2):
        for enrollee, outpatient, inpatient in (("E1", "1200.00", "2400.00"), ("E2", "600.00", "1200.00")):
            for category, cost in (("门诊", outpatient), ("住院（监测）", inpatient)):
                RosterEntry.objects.create(agreement=agreement, month=datetime.date(2022, month, 1),
                                           enrollee_id=enrollee, team="T1", category=category,
                                           baseline_cost=Decimal(cost))
    lead = agreement.consortium.members.get().code
    _claims(county, lead,
            ("H1", "E1", "住院", "700.00", "2022-01-20"),
            ("H2", "E2", "住院", "100.00", "2022-02-11"),
            ("H3", "X9", "住院", "1000.00", "2022-02-12"),   # not enrolled
            ("O1", "E1", "门诊", "50.00", "2022-02-13"))
    return agreement


@pytest.mark.django_db(transaction=True)
def test_inpatient_costs_above_the_grown_baseline_are_flagged(tianjin):
    shift = cost_shift_monitor(agreement=tianjin)
    # Through February: baselines (2400 + 1200) / 12 in each month = 600.00, grown by g = 1.094472.
    assert (shift["through"], shift["growth_factor"], shift["expected"], shift["current"]) == (
        2, Decimal("1.094472"), Decimal("656.68"), Decimal("800.00"))
    assert (shift["ratio"], shift["flagged"]) == (Decimal("1.2182"), True)
    assert shift["rows"][0] == {"month": 1, "expected": Decimal("328.34"), "current": Decimal("700.00")}
    # The monitored category is not paid by the quota: only the outpatient visit is consumption.
    months = {r["month"]: r["consumed"] for r in capitation_consumption(agreement=tianjin)}
    assert (months[1], months[2]) == (Decimal("0.00"), Decimal("50.00"))


@pytest.mark.django_db(transaction=True)
def test_the_monitor_shows_on_the_clearing_page_and_warns_on_the_dashboard(client, county, tianjin):
    client.force_login(county.staff)
    page = client.get(reverse("clearing-page", args=[tianjin.pk])).content.decode()
    assert "签约居民住院费用与增长后基线对照（T5 费用转移监测）" in page
    assert "比值 1.2182" in page
    home = client.get("/").content.decode()
    assert "可能存在费用向住院转移（T5）" in home


@pytest.mark.django_db(transaction=True)
def test_no_monitor_where_inpatient_care_is_paid_by_the_quota(county):
    agreement, *_ = county.agreement("tianjin-2021-capitation")
    for category in ("住院", "住院（监测）"):
        RosterEntry.objects.create(agreement=agreement, month=datetime.date(2022, 1, 1), enrollee_id="E1",
                                   team="T1", category=category, baseline_cost=Decimal("100.00"))
    assert cost_shift_monitor(agreement=agreement) is None
