"""A settlement file exported from the national medical-insurance platform (国家医保信息平台) imports
as it is: its field codes as column names (setl_id, psn_no, fixmedins_code, med_type, setl_time…),
its 医疗类别 codes as visit types, its settlement time with the time of day, and the columns the
product does not keep (insutype, mdtrt_id, fund_pay_sumamt…) left aside. A province's own 医疗类别
code is refused by name, not guessed."""

import io
from decimal import Decimal

import pytest
from django.db import connection

from claims.models import Claim
from consortia.models import Job
from tests.claims.test_import import run

HEADER = ("setl_id,mdtrt_id,psn_no,insutype,fixmedins_code,med_type,begndate,enddate,setl_time,diag_code,"
          "medfee_sumamt,inscp_scp_amt,fulamt_ownpay_amt,preselfpay_amt,hifp_pay,fund_pay_sumamt,psn_cash_pay")


def _line(setl_id, institution, med_type, total, fund, settled="2025-03-06 10:21:07"):
    return (f"{setl_id},MD{setl_id},P{setl_id},390,{institution},{med_type},2025-03-01 08:00:00,"
            f"2025-03-05 09:30:00,{settled},K35.900,{total},{Decimal(total) - 50},50.00,30.00,{fund},{fund},"
            f"{Decimal(total) - Decimal(fund)}")


@pytest.mark.django_db(transaction=True)
def test_a_file_in_the_platforms_format_imports_as_it_is(world, codes):
    inside, outside = codes
    text = "\n".join([HEADER, _line("S1", inside, "21", "8650.40", "6935.00"), _line("S2", inside, "14", "380.00", "300.00"),
                      _line("S3", outside, "11", "120.00", "90.00")]) + "\n"
    job = run(world, text, name="2207结算.csv")
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert job.result["path"] == ("copy" if connection.vendor == "postgresql" else "rows")
    claims = {c.claim_no: c for c in Claim.objects.all()}
    assert {no: c.visit_type for no, c in claims.items()} == {"S1": "inpatient", "S2": "chronic", "S3": "outpatient"}
    s1 = claims["S1"]
    assert (s1.person_id, s1.total_cost, s1.policy_cost, s1.self_pay_full, s1.co_pay, s1.fund_paid) == (
        "PS1", Decimal("8650.40"), Decimal("8600.40"), Decimal("50.00"), Decimal("30.00"), Decimal("6935.00"))
    assert (str(s1.admitted_on), str(s1.discharged_on), str(s1.settled_on), s1.diagnosis) == (
        "2025-03-01", "2025-03-05", "2025-03-06", "K35.900")
    assert claims["S3"].placement == "in_city"


@pytest.mark.django_db(transaction=True)
def test_a_provinces_own_medical_category_code_is_refused_by_name(world, codes):
    inside, _outside = codes
    job = run(world, "\n".join([HEADER, _line("S1", inside, "9903", "100.00", "80.00")]) + "\n")
    assert job.status == Job.Status.FAILED and not Claim.objects.exists()
    assert [e["message"] for e in job.errors] == [
        "必须是住院、门诊或门特，或国家医保信息平台的医疗类别代码：11, 12, 13, 14, 21, 22, 23, 24, 41, 51, 52"]


@pytest.mark.django_db(transaction=True)
def test_generate_claims_writes_the_platforms_format_and_it_imports_as_the_same_claims(world, tmp_path):
    import csv as csvfile

    from django.core.management import call_command

    from claims.columns import VISIT_TYPES

    plain, platform = tmp_path / "plain.csv", tmp_path / "platform.csv"
    for path, flags in ((plain, []), (platform, ["--platform"])):
        call_command("generate_claims", "--county", world.county_a1.code, "--rows", "120", "--seed", "5",
                     "--out", str(path), *flags, stdout=io.StringIO())
    header = platform.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("setl_id,psn_no,fixmedins_code,med_type,adm_time,dscg_time,diag_code")
    job = run(world, platform.read_bytes(), name="platform.csv")
    assert job.status == Job.Status.SUCCEEDED, job.errors
    with plain.open(encoding="utf-8") as stream:
        expected = {row["结算流水号"]: row for row in csvfile.DictReader(stream)}
    claims = {c.claim_no: c for c in Claim.objects.all()}
    assert set(claims) == set(expected) and len(claims) == 120
    for number, row in expected.items():
        claim = claims[number]
        assert (claim.visit_type, str(claim.settled_on), str(claim.fund_paid)) == (
            VISIT_TYPES[row["医疗类别"]], row["结算日期"], row["统筹基金支付"])
