"""The fast path (PostgreSQL: the CSV COPYed as it is, typed in one statement) must store exactly
what the row-by-row import stores, and hand every file it is not sure of to the row-by-row import.
On SQLite every file goes row by row; the stored values asserted here are the same on both."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from claims.models import Claim, ClaimDaily, ClaimMonthly
from consortia.models import Job

from .test_import import csv, row, run

COPY = "copy" if connection.vendor == "postgresql" else "rows"


def fields(claim_no):
    c = Claim.objects.get(claim_no=claim_no)
    return (c.person_id, c.visit_type, c.admitted_on, c.discharged_on, c.total_cost, c.fund_paid, c.co_pay,
            c.drug_cost, c.dip_score, c.referral_direction, c.settled_on)


@pytest.mark.django_db(transaction=True)
def test_a_plain_file_takes_the_copy_path_and_stores_exact_values(world):
    lead = world.consortium_a1x.lead_hospital.code
    plain = row("C1", lead, fund="800.10", total="1000.55")
    # An outpatient visit: no discharge, no drug or antibiotic cost, a DIP score, a time of settlement.
    outpatient = f"C2,P002,{lead},门诊,2025-03-02,,J06.9,G01,12.3456,88.20,88.20,0.00,8.82,79.38,,,R9,下转,2025-03-02 10:22:01,390,V2,"
    job = run(world, csv(plain, outpatient))
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert job.result["path"] == COPY
    assert fields("C1") == ("P001", "inpatient", datetime.date(2025, 3, 1), datetime.date(2025, 3, 5),
                            Decimal("1000.55"), Decimal("800.10"), Decimal("200.45"), Decimal("300.00"), None, "",
                            datetime.date(2025, 3, 6))
    assert fields("C2") == ("P002", "outpatient", datetime.date(2025, 3, 2), None, Decimal("88.20"),
                            Decimal("79.38"), Decimal("8.82"), Decimal("0.00"), Decimal("12.3456"), "down",
                            datetime.date(2025, 3, 2))


@pytest.mark.django_db(transaction=True)
def test_spaces_of_every_kind_around_a_value_are_trimmed_as_the_parser_trims_them(world):
    lead = world.consortium_a1x.lead_hospital.code
    padded = (row("\u3000C1\u00a0", lead, fund="\t800.10 ", total=" 1000.55\u3000", person="P\u2003")
              .replace(",2025-03-01,", ",\u00a02025-03-01\t,").replace(",住院,", ", 住院\u205f,"))
    inner = row("C2", lead, person="P 2")  # a space inside a value stays
    job = run(world, csv(padded, inner))
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert job.result["path"] == COPY
    c1 = Claim.objects.get(claim_no="C1")
    assert (c1.person_id, c1.visit_type, c1.admitted_on, c1.total_cost, c1.fund_paid) == (
        "P", "inpatient", datetime.date(2025, 3, 1), Decimal("1000.55"), Decimal("800.10"))
    assert Claim.objects.get(claim_no="C2").person_id == "P 2"


@pytest.mark.django_db(transaction=True)
def test_values_outside_the_plain_forms_go_row_by_row_and_are_read_as_the_parser_reads_them(world):
    lead = world.consortium_a1x.lead_hospital.code
    unusual = [
        row("C1", lead, admitted="2025/3/1"),              # slashes, no leading zeros
        row("C2", lead, total="1000.50").replace("1000.50", '"1,000.5"'),  # thousands separator, one decimal
        row("\u3000C3 ", lead).replace(",1000.00,", ",1e3,", 1).replace(",800.00,", ",8E2,"),  # spaces; exponents
    ]
    job = run(world, csv(*unusual))
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert job.result["path"] == "rows"
    assert Claim.objects.get(claim_no="C1").admitted_on == datetime.date(2025, 3, 1)
    assert (Claim.objects.get(claim_no="C2").total_cost, Claim.objects.get(claim_no="C2").fund_paid) == (
        Decimal("1000.50"), Decimal("800.00"))
    assert Claim.objects.get(claim_no="C3").total_cost == Decimal("1000.00")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("total, message", [
    ("NaN", "不是有效金额"), ("Infinity", "不是有效金额"), ("12.345", "金额最多两位小数"), ("-5.00", "金额不能为负数"),
])
def test_amounts_a_cast_would_accept_are_refused_with_the_parsers_message(world, total, message):
    lead = world.consortium_a1x.lead_hospital.code
    job = run(world, csv(row("C1", lead), row("C2", lead).replace(",1000.00,", f",{total},", 1)))
    assert job.status == Job.Status.FAILED
    assert {"row": 3, "column": "医疗费总额", "message": message} in job.errors
    assert not Claim.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_impossible_date_is_refused_with_its_row(world):
    lead = world.consortium_a1x.lead_hospital.code
    job = run(world, csv(row("C1", lead), row("C2", lead, admitted="2025-02-29", discharged="")))
    assert job.status == Job.Status.FAILED
    assert job.errors == [{"row": 3, "column": "入院日期", "message": "不是有效日期（请写作 2025-03-31）"}]
    assert not Claim.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_roll_ups_add_up_across_imports_of_the_same_month_and_day(world):
    lead = world.consortium_a1x.lead_hospital
    first = run(world, csv(row("C1", lead.code, fund="800.00"), row("C2", lead.code, fund="100.01")))
    second = run(world, csv(row("C3", lead.code, fund="50.00"), row("C4", lead.code, settled="2025-04-01"),
                            row("C5", lead.code, fund="1.00", settled="2025-03-20")))
    assert (first.status, second.status) == (Job.Status.SUCCEEDED, Job.Status.SUCCEEDED)
    assert second.result["months"] == ["2025-03", "2025-04"]
    march = ClaimMonthly.objects.get(institution=lead, month=datetime.date(2025, 3, 1))
    assert (march.claims, march.fund_paid, march.total_cost) == (4, Decimal("951.01"), Decimal("4000.00"))
    april = ClaimMonthly.objects.get(institution=lead, month=datetime.date(2025, 4, 1))
    assert (april.claims, april.fund_paid) == (1, Decimal("800.00"))
    days = {d.day: (d.claims, d.fund_paid, d.total_cost, d.co_pay) for d in ClaimDaily.objects.filter(institution=lead)}
    assert days == {datetime.date(2025, 3, 6): (3, Decimal("950.01"), Decimal("3000.00"), Decimal("2049.99")),
                    datetime.date(2025, 3, 20): (1, Decimal("1.00"), Decimal("1000.00"), Decimal("999.00")),
                    datetime.date(2025, 4, 1): (1, Decimal("800.00"), Decimal("1000.00"), Decimal("200.00"))}


@pytest.mark.django_db
def test_a_running_import_shows_its_stage_and_the_rows_read(world):
    from django.contrib.admin.sites import site

    job = Job.objects.create(kind=Job.Kind.CLAIMS_IMPORT, county=world.county_a1, status=Job.Status.RUNNING,
                             progress_done=1234567, stage=Job.Stage.SAVING)
    assert site._registry[Job].progress(job) == "正在校验并保存 · 已读 1,234,567 行"
    job.status, job.progress_total, job.progress_done = Job.Status.SUCCEEDED, 1234567, 1234567
    assert site._registry[Job].progress(job) == "100%"


needs_copy = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's COPY path")


@needs_copy
@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_typed_by_two_sessions_side_by_side_with_the_same_result(world, monkeypatch):
    from claims import fastpath

    monkeypatch.setattr(fastpath, "TYPING_ALONE_BELOW", 1)  # 300 rows stand in for a large file
    typed_by = []
    typed_into = fastpath._typed_into

    def recording(cursor, statement):
        kept = typed_into(cursor, statement)
        typed_by.append((threading.get_ident(), kept))
        return kept

    monkeypatch.setattr(fastpath, "_typed_into", recording)
    lead = world.consortium_a1x.lead_hospital.code
    rows = [row(f"C{n:03d}", lead, fund=f"{n}.{n % 100:02d}", total="1000.00",
                settled=f"2025-03-{1 + n % 28:02d}") for n in range(300)]
    job = run(world, csv(*rows))
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert job.result["path"] == "copy"
    # Two sessions, neither the importing one, each typing a part of the file's pages.
    assert len(typed_by) == 2 and threading.get_ident() not in {ident for ident, _ in typed_by}
    assert all(kept > 0 for _, kept in typed_by) and sum(kept for _, kept in typed_by) == 300
    claims = Claim.objects.filter(import_job=job)
    assert claims.count() == 300
    assert sum(c.fund_paid for c in claims) == sum(Decimal(f"{n}.{n % 100:02d}") for n in range(300))
    assert Claim.objects.get(claim_no="C123").fund_paid == Decimal("123.23")
    assert Claim.objects.get(claim_no="C123").settled_on == datetime.date(2025, 3, 12)
    assert _working_tables() == []


@needs_copy
@pytest.mark.django_db(transaction=True)
def test_a_refused_file_leaves_no_working_table_and_the_daily_check_drops_a_stopped_jobs(world):
    from claims.tasks import orphans_check

    lead = world.consortium_a1x.lead_hospital.code
    job = run(world, csv(row("C1", lead), row("C2", lead, admitted="2025-02-29", discharged="")))
    assert job.status == Job.Status.FAILED and _working_tables() == []
    running = Job.objects.create(kind=Job.Kind.CLAIMS_IMPORT, county=world.county_a1, status=Job.Status.RUNNING)
    with connection.cursor() as cursor:  # what a worker stopped mid-import leaves, beside a running import's
        cursor.execute(f"CREATE UNLOGGED TABLE claim_import_raw_{job.pk} (c0 text)")
        cursor.execute(f"CREATE UNLOGGED TABLE claim_import_typed_{running.pk} (c0 text)")
    orphans_check()  # the beat's daily task
    assert _working_tables() == [f"claim_import_typed_{running.pk}"]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE claim_import_typed_{running.pk}")


def _working_tables():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'claim\\_import\\_%' ORDER BY 1")
        return [name for (name,) in cursor.fetchall()]
