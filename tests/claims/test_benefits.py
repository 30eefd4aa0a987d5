"""Benefit rules B1-B6 and the calculator."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from claims.benefits import benefit_rules_check, expected_fund
from claims.models import BenefitRate, BenefitRuleSet, Claim
from tests.claims.test_import import csv, row, run


def rules(county, overrides=None):
    rule_set = BenefitRuleSet.objects.create(county=county, year=2025, effective_from=datetime.date(2025, 1, 1))
    lines = {
        ("inpatient", "basic", "county", True): ("200.00", "0.85"),
        ("inpatient", "2", "county", True): ("500.00", "0.75"),
        ("outpatient", "basic", "county", True): ("0.00", "0.60"),
        ("chronic", "basic", "county", True): ("0.00", "0.60"),
        ("inpatient", "3", "city", True): ("800.00", "0.65"),
        ("inpatient", "3", "city", False): ("800.00", "0.55"),
    }
    lines.update(overrides or {})
    for (visit, level, area, referred), (deductible, rate) in lines.items():
        BenefitRate.objects.create(rule_set=rule_set, visit_type=visit, level=level, area=area, referred=referred,
                                   deductible=D(deductible), rate=D(rate))
    return rule_set


def referral_row(no, institution, admitted, referral_no, direction, person="P9"):
    values = row(no, institution, admitted=admitted, discharged=admitted, settled=admitted, person=person).split(",")
    values[16], values[17] = referral_no, direction
    return ",".join(values)


def test_the_table_obeys_b1_b2_b3_b5(world):
    benefit_rules_check(rule_set=rules(world.county_a1))
    bad = rules(world.county_a2, {("inpatient", "basic", "county", True): ("200.00", "0.80"),
                                  ("outpatient", "basic", "county", True): ("10.00", "0.60"),
                                  ("chronic", "basic", "county", True): ("0.00", "0.55"),
                                  ("inpatient", "3", "city", False): ("800.00", "0.70")})
    with pytest.raises(ValidationError) as caught:
        benefit_rules_check(rule_set=bad)
    text = " ".join(caught.value.messages)
    for rule in ("B1", "B2", "B3", "B5"):
        assert rule in text


@pytest.mark.django_db(transaction=True)
def test_the_calculator_and_the_referral_pair(world):
    rules(world.county_a1)
    lead = world.consortium_a1x.lead_hospital  # level 2
    township = world.consortium_a1x.members.get(tier="township")  # basic level
    run(world, csv(
        row("A1", lead.code, fund="375.00"),
        referral_row("R1", township.code, "2025-03-01", "ZZ-1", ""),
        referral_row("R2", lead.code, "2025-03-10", "ZZ-1", "上转"),
        referral_row("S1", lead.code, "2025-04-01", "ZZ-2", "", person="P8"),
        referral_row("S2", township.code, "2025-04-10", "ZZ-2", "下转", person="P8"),
        row("C1", world.outside_a1.code, fund="130.00"),
    ))
    a1 = expected_fund(claim=Claim.objects.get(claim_no="A1"))
    assert (a1["deductible"], a1["rate"], a1["expected"], a1["differs"]) == (D("500.00"), D("0.75"), D("375.00"), False)
    up = expected_fund(claim=Claim.objects.get(claim_no="R2"))  # pays only the difference of deductibles
    assert (up["deductible"], up["expected"], up["notes"]) == (D("300.00"), D("525.00"), ["B4"])
    down = expected_fund(claim=Claim.objects.get(claim_no="S2"))  # no second deductible, +2 points
    assert (down["deductible"], down["rate"], down["expected"]) == (D("0.00"), D("0.87"), D("870.00"))
    unreferred = expected_fund(claim=Claim.objects.get(claim_no="C1"))  # B5: the reduced rate
    assert (unreferred["rate"], unreferred["expected"]) == (D("0.55"), D("110.00"))
    flagged = {claim.claim_no for claim in Claim.objects.all() if expected_fund(claim=claim)["differs"]}
    assert flagged == {"R1", "R2", "S1", "S2", "C1"}  # every one paid 800 or 130, not what the rules give


@pytest.mark.django_db(transaction=True)
def test_the_admin_keeps_only_rules_that_obey_the_policy_and_shows_the_calculation(client, world):
    from django.urls import reverse

    client.force_login(world.staff_a1)
    url = reverse("admin:claims_benefitruleset_add")
    form = {"county": world.county_a1.pk, "year": 2025, "version": 1, "effective_from": "2025-01-01", "reason": "",
            "rates-TOTAL_FORMS": 2, "rates-INITIAL_FORMS": 0, "rates-MIN_NUM_FORMS": 0, "rates-MAX_NUM_FORMS": 1000,
            "rates-0-visit_type": "outpatient", "rates-0-level": "basic", "rates-0-area": "county",
            "rates-0-referred": "on", "rates-0-deductible": "50.00", "rates-0-rate": "0.60",
            "rates-1-visit_type": "inpatient", "rates-1-level": "2", "rates-1-area": "county",
            "rates-1-referred": "on", "rates-1-deductible": "500.00", "rates-1-rate": "0.75"}
    refused = client.post(url, form, follow=True)
    assert "B2" in refused.content.decode()
    assert not BenefitRuleSet.objects.exists()
    form["rates-0-deductible"] = "0.00"
    assert client.post(url, form).status_code == 302
    assert BenefitRate.objects.count() == 2
    run(world, csv(row("A1", world.consortium_a1x.lead_hospital.code, fund="800.00")))
    claim = Claim.objects.get(claim_no="A1")
    page = client.get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()
    assert "应付 375.00" in page and "差额 425.00" in page
    api = client.get(reverse("claim-benefit", args=[claim.pk])).json()
    assert (api["expected"], api["differs"]) == ("375.00", True)


def _page_post(client, world, lines, **values):
    from django.urls import reverse

    data = {"county": world.county_a1.pk, "year": 2025, "effective_from": "2025-01-01", "reason": "",
            "rates-TOTAL_FORMS": len(lines), "rates-INITIAL_FORMS": len(lines), **values}
    for n, (visit, level, area, referred, deductible, rate) in enumerate(lines):
        data |= {f"rates-{n}-visit_type": visit, f"rates-{n}-level": level, f"rates-{n}-area": area,
                 f"rates-{n}-deductible": deductible, f"rates-{n}-rate": rate}
        if referred:
            data[f"rates-{n}-referred"] = "on"
    return client.post(reverse("benefit-rules"), data, follow=True)


LINES = [("inpatient", "basic", "county", True, "200.00", "0.85"),
         ("inpatient", "2", "county", True, "500.00", "0.75"),
         ("outpatient", "basic", "county", True, "0.00", "0.60")]


def test_staff_enter_the_rules_and_a_new_version_on_the_page(client, world):
    client.force_login(world.staff_a1)
    first = _page_post(client, world, LINES).content.decode()
    assert "待遇规则已保存为 2025 年度第 1 版。" in first
    made = BenefitRuleSet.objects.get()
    assert (made.version, made.rates.count()) == (1, 3)
    assert made.rates.get(visit_type="inpatient", level="2").rate == D("0.7500")
    unexplained = _page_post(client, world, LINES, effective_from="2025-07-01")
    assert unexplained.context["form"].errors["reason"] == ["请填写新增版本的原因。"]
    raised = [line if line[1] != "2" else (*line[:5], "0.80") for line in LINES]  # level 2 at 80%: B1 broken
    refused = _page_post(client, world, raised, effective_from="2025-07-01", reason="提高二级医院报销比例")
    assert any(m.startswith("B1：") or m.startswith("B1:") for m in refused.context["form"].non_field_errors())
    assert BenefitRuleSet.objects.count() == 1 and BenefitRate.objects.count() == 3  # nothing half-saved
    _page_post(client, world, LINES[:2] + [("outpatient", "basic", "county", True, "0.00", "0.65")],
               effective_from="2025-07-01", reason="门诊提标")
    second = BenefitRuleSet.objects.get(version=2)
    assert second.effective_from == datetime.date(2025, 7, 1) and second.reason == "门诊提标"
    assert second.rates.get(visit_type="outpatient").rate == D("0.6500")


def test_the_finance_officer_reads_the_rules_only(client, world):
    from django.urls import reverse

    rules(world.county_a1)
    client.force_login(world.finance_a1x)
    body = client.get(reverse("benefit-rules")).content.decode()
    assert "85.00%" in body and "保存新版本" not in body
    assert _page_post(client, world, LINES).status_code == 403
