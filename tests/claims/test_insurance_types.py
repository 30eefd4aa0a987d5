"""The insurance type (险种类型, insutype) is kept on every claim and roll-up. A package covers the
type its agreement names (歙县's: 城乡居民, 390); the county's claims of other types are imported,
listed apart on the overview, the clearing page and the claims list, and never consume the package,
enter the clearing or the indicators."""

from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from claims.models import Claim, ClaimMonthly
from claims.selectors import fund_paid_by_member, monthly_fund_paid, other_types, year_fund_paid
from consortia.models import Job, ServiceAgreement
from tests.claims.test_import import csv, row, run
from tests.claims.test_national_platform import HEADER


def _platform(setl_id, institution, insutype, total, fund):
    return (f"{setl_id},MD{setl_id},P{setl_id},{insutype},{institution},21,2025-03-01 08:00:00,"
            f"2025-03-05 09:30:00,2025-03-06 10:21:07,K35.900,{total},{total},0.00,0.00,{fund},{fund},"
            f"{Decimal(total) - Decimal(fund)}")


def _import_both(world, inside, outside):
    text = "\n".join([HEADER, _platform("R1", inside, "390", "1000.00", "800.00"),
                      _platform("R2", outside, "390", "500.00", "300.00"),
                      _platform("E1", inside, "310", "2000.00", "1600.00"),
                      _platform("E2", outside, "310", "700.00", "560.00")]) + "\n"
    job = run(world, text, name="2207结算.csv")
    assert job.status == Job.Status.SUCCEEDED, job.errors
    return job


@pytest.mark.django_db(transaction=True)
def test_each_claim_keeps_its_insurance_type_and_visit_id_on_both_import_paths(world, codes):
    inside, outside = codes
    job = _import_both(world, inside, outside)
    assert job.result["path"] == ("copy" if connection.vendor == "postgresql" else "rows")
    kept = dict(Claim.objects.values_list("claim_no", "insurance_type"))
    assert kept == {"R1": "390", "R2": "390", "E1": "310", "E2": "310"}
    assert Claim.objects.get(claim_no="E1").visit_id == "MDE1"
    rollups = {(r.institution.code, r.insurance_type): (r.claims, r.fund_paid)
               for r in ClaimMonthly.objects.select_related("institution")}
    assert rollups == {(inside, "390"): (1, Decimal("800.00")), (outside, "390"): (1, Decimal("300.00")),
                       (inside, "310"): (1, Decimal("1600.00")), (outside, "310"): (1, Decimal("560.00"))}


@pytest.mark.django_db(transaction=True)
def test_claims_of_another_type_never_consume_the_package(world, codes):
    inside, outside = codes
    _import_both(world, inside, outside)
    agreement = world.agreement_a1x
    assert agreement.insurance_type == "390"
    members, beyond = year_fund_paid(agreement=agreement)
    assert members[inside] == Decimal("800.00") and beyond == Decimal("300.00")
    series, others = monthly_fund_paid(agreement=agreement)
    assert sum(series["in_consortium"]) == Decimal("800.00") and sum(series["in_city"]) == Decimal("300.00")
    assert others == other_types(agreement=agreement)
    assert fund_paid_by_member(consortium=world.consortium_a1x, year=2025)[2] == 2  # claims counted
    assert other_types(agreement=agreement) == [{
        "insurance_type": "310", "label": "职工基本医疗保险", "claims": 2, "total_cost": Decimal("2700.00"),
        "fund_paid": Decimal("2160.00")}]
    # An agreement naming the employees' insurance counts those and sets the residents' apart.
    ServiceAgreement.objects.filter(pk=agreement.pk).update(insurance_type="310")
    agreement.refresh_from_db()
    members, beyond = year_fund_paid(agreement=agreement)
    assert members[inside] == Decimal("1600.00") and beyond == Decimal("560.00")
    assert [t["insurance_type"] for t in other_types(agreement=agreement)] == ["390"]


@pytest.mark.django_db(transaction=True)
def test_the_clearing_page_and_the_claims_list_show_the_other_types_apart(client, world, codes):
    inside, outside = codes
    _import_both(world, inside, outside)
    client.force_login(world.staff_a1)
    page = client.get(reverse("clearing-page", args=[world.agreement_a1x.pk])).content.decode()
    assert "城乡居民基本医疗保险（390）" in page
    assert "职工基本医疗保险（310）：2 笔，总费用 ¥2,700.00，统筹基金支付 ¥2,160.00" in page
    claims = client.get(reverse("claims"), {"settled_from": "2025-03-01", "settled_to": "2025-03-31",
                                            "insurance_type": "310"}).content.decode()
    assert "E1" in claims and "E2" in claims and "R1" not in claims
    assert "共 2 条结算记录：医疗费总额 ¥2,700.00，统筹基金支付 ¥2,160.00" in claims


@pytest.mark.django_db(transaction=True)
def test_a_file_without_the_column_is_the_residents_and_an_unknown_type_is_refused_by_name(world, codes):
    inside, _outside = codes
    job = run(world, csv(row("C1", inside, insurance="")))
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert Claim.objects.get().insurance_type == "390"
    job = run(world, csv(row("C2", inside, insurance="职工医保"), row("C3", inside, insurance="311")))
    assert job.status == Job.Status.FAILED and not Claim.objects.filter(claim_no__in=["C2", "C3"]).exists()
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [
        (3, "险种类型", "必须是国家医保信息平台的险种类型代码：310, 320, 330, 340, 390, 391, 392, 399, 510")]


@pytest.mark.django_db(transaction=True)
def test_all_funds_paid_is_kept_and_rolled_up_and_refused_outside_its_bounds(world, codes):
    inside, outside = codes
    _import_both(world, inside, outside)  # the platform's fund_pay_sumamt equals hifp_pay in these lines
    assert Claim.objects.get(claim_no="R1").fund_pay_total == Decimal("800.00")
    rollup = ClaimMonthly.objects.get(institution__code=inside, insurance_type="390")
    assert (rollup.fund_pay_total, rollup.fund_pay_total_claims) == (Decimal("800.00"), 1)
    job = run(world, csv(row("C9", inside)))  # the template without the column: not known
    assert job.status == Job.Status.SUCCEEDED and Claim.objects.get(claim_no="C9").fund_pay_total is None
    assert ClaimMonthly.objects.get(institution__code=inside, insurance_type="390").fund_pay_total_claims == 1
    bad = "\n".join([HEADER, _platform("R9", inside, "390", "1000.00", "800.00").replace(",800.00,800.00,", ",800.00,700.00,")])
    job = run(world, bad + "\n")
    assert job.status == Job.Status.FAILED
    assert [e["column"] for e in job.errors] == ["基金支付总额"]
