"""Checks, audits and benefit rules are written by their services only, whichever door: who may
is the service's question too, and the admin makes a new rule version the way the page does."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from claims.audits import audit_recovery_record, spot_check_record
from claims.models import AuditRecovery, BenefitRuleSet, SpotCheck
from consortia.models import User
from tests.consortia import factories as f


def test_only_the_county_bureau_records_checks_and_own_audits(world):
    member = world.consortium_a1x.lead_hospital
    check = {"institution": member, "year": 2025, "violation_amount": D("100.00"), "sample_ratio": D("0.1000"),
             "note": ""}
    audit = {"consortium": world.consortium_a1x, "year": 2025, "recovered": D("10.00"), "own_penalty": D("5.00"),
             "description": "自查"}
    other_county = f.user(User.Role.BUREAU_STAFF, "staff_a2", county=world.county_a2)
    for user in (world.finance_a1x, world.auditor_a1, world.reviewer_a, other_county):
        with pytest.raises(ValidationError):
            spot_check_record(user=user, **check)
        with pytest.raises(ValidationError):
            audit_recovery_record(user=user, **audit)
    assert not SpotCheck.objects.exists() and not AuditRecovery.objects.exists()
    assert spot_check_record(user=world.staff_a1, **check).refused == D("1000.00")  # J7: 100 / 0.1
    assert audit_recovery_record(user=world.staff_a1, **audit).recorded_by == world.staff_a1


def _rules(world, **values):
    return {"county": world.county_a1.pk, "year": 2025, "effective_from": "2025-01-01", "reason": "",
            "rates-TOTAL_FORMS": 1, "rates-INITIAL_FORMS": 0, "rates-MIN_NUM_FORMS": 0, "rates-MAX_NUM_FORMS": 1000,
            "rates-0-visit_type": "inpatient", "rates-0-level": "2", "rates-0-area": "county",
            "rates-0-referred": "on", "rates-0-deductible": "500.00", "rates-0-rate": "0.75", **values}


def test_the_admin_makes_benefit_rules_versions_as_the_page_does(client, world):
    client.force_login(world.staff_a1)
    url = reverse("admin:claims_benefitruleset_add")
    assert client.post(url, _rules(world)).status_code == 302
    first = BenefitRuleSet.objects.get()
    unexplained = client.post(url, _rules(world, effective_from="2025-07-01"), follow=True)
    assert "请填写新增版本的原因。" in unexplained.content.decode()
    early = client.post(url, _rules(world, reason="调整", effective_from="2025-01-01"), follow=True)
    assert "2025-01-01" in early.content.decode()  # the new version must apply later than version 1
    assert list(BenefitRuleSet.objects.values_list("version", flat=True)) == [1]
    assert client.post(url, _rules(world, reason="提高报销比例", effective_from="2025-07-01")).status_code == 302
    second = BenefitRuleSet.objects.get(version=2)
    assert (second.effective_from, second.reason, second.rates.get().rate) == (
        datetime.date(2025, 7, 1), "提高报销比例", D("0.7500"))
    # A version in force is never edited, here either.
    edit = client.post(reverse("admin:claims_benefitruleset_change", args=[first.pk]),
                       _rules(world, effective_from="2025-02-01"))
    assert edit.status_code == 403
    first.refresh_from_db()
    assert first.effective_from == datetime.date(2025, 1, 1)
