"""`generate_county`: a synthetic county year the benchmarks build on, deterministic from its seed."""

import io

import pytest
from django.core.management import CommandError, call_command

from budgets.models import AnnualBudget, PaymentOrder
from budgets.services.prepayments import prepayment_run
from claims.models import Claim
from consortia.models import Institution


def _generate(code, seed=7, insured=100_000, **options):
    out = io.StringIO()
    call_command("generate_county", insured=insured, seed=seed, code=code, stdout=out, **options)
    return out.getvalue()


def test_a_county_is_sized_by_its_insured_and_its_money_runs(db):
    _generate("990001")
    members = Institution.objects.filter(consortium__code="SYN-990001")
    assert members.count() == 4 + 4 + 20  # 100,000 insured: four townships, five villages each
    assert members.filter(tier="township").count() == 4
    assert Institution.objects.filter(county__code="990001", consortium__isnull=True).count() == 5
    budget = AnnualBudget.objects.get(agreement__consortium__code="SYN-990001")
    assert budget.status == "approved" and budget.approved_by.username == "syn_auditor_990001"
    run = prepayment_run(period="2025-Q1", user=None)
    order = PaymentOrder.objects.get(agreement=budget.agreement, period="2025-Q1")
    assert run.orders_created == 1 and order.amount > 0


def test_the_same_seed_gives_the_same_county_and_a_code_is_used_once(db):
    _generate("990002", seed=5)
    _generate("990003", seed=5)
    first, second = (AnnualBudget.objects.get(agreement__consortium__code=c) for c in ("SYN-990002", "SYN-990003"))
    assert first.fund == second.fund and first.fund["raised"] != "0.00"
    assert [m["prior_year_paid"] for m in first.members] == [m["prior_year_paid"] for m in second.members]
    with pytest.raises(CommandError, match="exists already"):
        _generate("990002")


def test_the_claims_are_written_and_imported_with_what_makes_a_year_real(db, tmp_path):
    out = tmp_path / "claims.csv"
    said = _generate("990004", insured=2_000, visits=1.5, out=out, load=True)
    assert "已完成" in said
    claims = Claim.objects.filter(county__code="990004")
    written = out.read_text(encoding="utf-8").count("\n") - 1  # less the header
    assert claims.count() == written > 3_000  # 3,000 claims and the readmissions and referrals they bring
    readmissions = claims.filter(claim_no__endswith="-R")
    assert readmissions.exists() and all(c.visit_type == "inpatient" for c in readmissions)
    referred = claims.filter(referral_direction="up")
    admitted = claims.filter(claim_no__endswith="-U")
    assert referred.count() == admitted.count() > 0
    pair = admitted.first()
    assert referred.get(referral_no=pair.referral_no).person_id == pair.person_id
    priced = claims.filter(visit_type="inpatient", placement__in=["in_county", "in_city"])
    assert priced.exists() and not priced.filter(dip_score__isnull=True).exists()
    with_antibiotics = claims.filter(antibiotic_cost__gt=0).count() / claims.count()
    assert 0.25 < with_antibiotics < 0.45
