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


def _large(monkeypatch):
    """300 rows stand in for a large file: typed by a second session, in parts of one page upwards."""
    from claims import fastpath

    monkeypatch.setattr(fastpath, "TYPING_ALONE_BELOW", 1)
    monkeypatch.setattr(fastpath, "FIRST_PART_PAGES", 1)
    ran = []
    made_by = fastpath._made_by

    def recording(cursor, statement, count, params):
        made = made_by(cursor, statement, count, params)
        ran.append((threading.get_ident(), statement.split(" AS ")[0], made))
        return made

    monkeypatch.setattr(fastpath, "_made_by", recording)
    return ran


@needs_copy
@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_typed_and_grouped_by_a_second_session_with_the_same_result(world, monkeypatch):
    ran = _large(monkeypatch)
    lead, outside = world.consortium_a1x.lead_hospital, world.outside_a1

    def month(n):
        return 3 + n % 2

    def day(n):
        return 1 + n % 28

    def fund(n):
        return Decimal(f"{n}.{n % 100:02d}")

    rows = [row(f"C{n:03d}", (lead if n % 3 else outside).code, fund=str(fund(n)), total="1000.00",
                settled=f"2025-{month(n):02d}-{day(n):02d}") for n in range(300)]
    job = run(world, csv(*rows))
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert job.result["path"] == "copy"
    # One session, not the importing one, typed the file in parts and then grouped the roll-ups.
    sessions = {ident for ident, _, _ in ran}
    assert len(sessions) == 1 and threading.get_ident() not in sessions
    parts = [made for _, statement, made in ran if "_typed" in statement]
    assert len(parts) >= 3 and all(made > 0 for made in parts) and sum(parts) == 300
    assert [statement.split("claim_import_")[1].split("_")[0] for _, statement, _ in ran
            if "_days_" in statement or "_months_" in statement] == ["days", "months"]
    claims = Claim.objects.filter(import_job=job)
    assert claims.count() == 300
    assert sum(c.fund_paid for c in claims) == sum(fund(n) for n in range(300))
    assert (Claim.objects.get(claim_no="C123").fund_paid, Claim.objects.get(claim_no="C123").settled_on) == (
        Decimal("123.23"), datetime.date(2025, 4, 12))
    # The roll-ups the second session grouped add up to the claims, institution by month and by day.
    for institution, numbers in ((lead, [n for n in range(300) if n % 3]),
                                 (outside, [n for n in range(300) if not n % 3])):
        months = {(m.month.month, m.claims, m.fund_paid, m.consortium_id, m.placement)
                  for m in ClaimMonthly.objects.filter(institution=institution)}
        assert months == {(m, len(these), sum(fund(n) for n in these), institution.consortium_id,
                           institution.placement)
                          for m in (3, 4) for these in [[n for n in numbers if month(n) == m]]}
        these = [n for n in numbers if (month(n), day(n)) == (3, 5)]
        assert [(d.claims, d.fund_paid) for d in ClaimDaily.objects.filter(
            institution=institution, day=datetime.date(2025, 3, 5))] == [(len(these), sum(fund(n) for n in these))]
    assert _working_tables() == []


@needs_copy
@pytest.mark.django_db(transaction=True)
def test_a_large_file_with_a_row_outside_the_plain_forms_goes_row_by_row_whole(world, monkeypatch):
    _large(monkeypatch)
    lead = world.consortium_a1x.lead_hospital.code
    rows = [row(f"C{n:03d}", lead, settled="2025-03-06" if n != 250 else "2025/3/6") for n in range(300)]
    job = run(world, csv(*rows))
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert job.result["path"] == "rows" and Claim.objects.filter(import_job=job).count() == 300
    march = ClaimMonthly.objects.get(institution__code=lead, month=datetime.date(2025, 3, 1))
    assert march.claims == 300  # once: the parts moved before the odd row were rolled back with it
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


@needs_copy
@pytest.mark.django_db
def test_the_rollup_tables_keep_room_on_their_pages_for_an_imports_updates():
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname IN "
                       "('claims_claimdaily', 'claims_claimmonthly') ORDER BY relname")
        assert cursor.fetchall() == [("claims_claimdaily", ["fillfactor=50"]), ("claims_claimmonthly", ["fillfactor=50"])]


@needs_copy
@pytest.mark.django_db(transaction=True)
def test_an_institution_is_not_reclassified_while_an_import_of_its_county_moves_claims(world, monkeypatch):
    """Every part and the roll-ups are classified by one registry: an edit waits for the import."""
    from django.db import OperationalError, connections

    from claims import fastpath

    _large(monkeypatch)
    moving, go_on = threading.Event(), threading.Event()
    insert = fastpath._insert

    def pausing(cursor, typed, job, county):
        moving.set()
        assert go_on.wait(10)
        return insert(cursor, typed, job, county)

    monkeypatch.setattr(fastpath, "_insert", pausing)
    lead = world.consortium_a1x.lead_hospital
    done = []
    importing = threading.Thread(target=lambda: (done.append(run(world, csv(*[row(f"C{n:03d}", lead.code)
                                                                             for n in range(300)]))),
                                                 connections.close_all()))
    importing.start()
    assert moving.wait(10)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
            with pytest.raises(OperationalError) as refused:
                cursor.execute("UPDATE consortia_institution SET consortium_id = NULL, placement = 'in_county' "
                               "WHERE id = %s", [lead.pk])
            assert type(refused.value.__cause__).__name__ == "LockNotAvailable"
            cursor.execute("RESET lock_timeout")
    finally:
        go_on.set()
        importing.join()
    assert done[0].status == Job.Status.SUCCEEDED and done[0].result["path"] == "copy"
    assert ClaimMonthly.objects.get(institution=lead).consortium_id == world.consortium_a1x.pk
