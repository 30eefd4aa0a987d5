"""Import of a county's settlement data (CSV or XLSX): streamed, checked, all or nothing.

On PostgreSQL a CSV file first tries the fast path (`fastpath.py`: the file COPYed as it is and
typed in one statement); a file it cannot take whole, and every XLSX file, comes here, row by row.
Each row is parsed and typed as it streams by (dates, exact amounts, visit types); the rows are
loaded into a staging table (PostgreSQL: COPY) where the checks that need the whole file and the
database run in SQL (unknown institution, a claim number twice in the file or already imported);
then the claims move in one transaction, classified against the registry, and the monthly
roll-ups are added to (PostgreSQL) or rebuilt for the months touched (SQLite). A file with any bad row imports nothing and gets a
row-numbered report in Chinese. The same file imported again changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext as _

from consortia import database
from consortia.models import County, Job
from consortia.services import job_create, work_enqueue, work_execute, work_fail, work_finish, work_progress
from consortia.tabular import RowError, TableError, date_cell, money_cell, read_table, text_cell

from .columns import (COLUMNS, EXAMPLE_CLAIM_NO, INSURANCE_TYPES, MONEY_COLUMNS, NULLABLE, OPTIONAL, REFERRALS,
                      VISIT_TYPES)
from .fastpath import DAILY_SUMS, ROLLUP_SUMS, claims_copy_import, institution_keys, rollup_count_filters, rollups_add
from .models import Claim, ClaimStaging

IDENTIFIER_NEVER_STARTS = ("=", "+", "-", "@")  # (tabs and line ends are trimmed off first)
MAX_REPORTED = 1000
BATCH = 5000
STAGED_FIELDS = [f.name for f in ClaimStaging._meta.fields if f.name not in ("id", "job")]


def template_header() -> tuple[list[str], list[str]]:
    """The template's Chinese headers, and the English names (also accepted)."""
    return [aliases[0] for aliases in COLUMNS.values()], list(COLUMNS)



def _score(value) -> Decimal | None:
    text = text_cell(value)
    if not text:
        return None
    try:
        number = Decimal(repr(value) if isinstance(value, float) else text)
    except InvalidOperation:
        raise ValueError(_("not a number")) from None
    if not number.is_finite() or number < 0:
        raise ValueError(_("not a number"))
    return number


def _parse(number: int, row: dict, errors: list[RowError]) -> ClaimStaging | None:
    """One row, typed; its problems appended to `errors` with the Chinese column name."""
    found = len(errors)
    values: dict = {"row_no": number}

    def fail(column, message):
        errors.append(RowError(number, COLUMNS[column][0], message))

    for column in ("claim_no", "person_id", "institution_code"):
        values[column] = text_cell(row[column])
        if not values[column]:
            fail(column, _("empty"))
        elif len(values[column]) > 40:
            fail(column, _("longer than 40 characters"))
        elif values[column].startswith(IDENTIFIER_NEVER_STARTS):
            fail(column, _("an identifier does not begin with = + - or @ (a spreadsheet would run it)"))
    values["visit_id"] = text_cell(row.get("visit_id"))
    if len(values["visit_id"]) > 40:
        fail("visit_id", _("longer than 40 characters"))
    values["insurance_type"] = INSURANCE_TYPES.get(text_cell(row.get("insurance_type")))
    if values["insurance_type"] is None:
        fail("insurance_type", _("must be a national 险种类型 code: %(codes)s") % {
            "codes": ", ".join(code for code in INSURANCE_TYPES if code.isdigit())})
    visit = VISIT_TYPES.get(text_cell(row["visit_type"]))
    if visit is None:
        fail("visit_type", _("must be 住院, 门诊 or 门特, or a national 医疗类别 code: %(codes)s") % {
            "codes": ", ".join(code for code in VISIT_TYPES if code.isdigit())})
    values["visit_type"] = visit
    for column in ("admitted_on", "settled_on", "discharged_on"):
        if column == "discharged_on" and not text_cell(row.get(column)):
            values[column] = None
            continue
        try:
            values[column] = date_cell(row.get(column))
        except ValueError as problem:
            fail(column, str(problem))
    for column in MONEY_COLUMNS:
        raw = row.get(column)
        if column in OPTIONAL and not text_cell(raw):
            values[column] = None if column in NULLABLE else Decimal("0.00")
            continue
        try:
            values[column] = money_cell(raw)
        except ValueError as problem:
            fail(column, str(problem))
    try:
        values["dip_score"] = _score(row.get("dip_score"))
    except ValueError as problem:
        fail("dip_score", str(problem))
    referral = REFERRALS.get(text_cell(row.get("referral_direction")))
    if referral is None:
        fail("referral_direction", _("must be 上转, 下转, 转县外 or 转市外, or empty"))
    values["referral_direction"] = referral or ""
    for column in ("diagnosis", "dip_group", "referral_no"):
        values[column] = text_cell(row.get(column))[:40]
    if len(errors) > found:
        return None
    if values["fund_paid"] > values["total_cost"]:
        fail("fund_paid", _("fund paid %(fund)s is more than the total cost %(total)s")
             % {"fund": values["fund_paid"], "total": values["total_cost"]})
    every_fund = values["fund_pay_total"]
    if every_fund is not None and not values["fund_paid"] <= every_fund <= values["total_cost"]:
        fail("fund_pay_total", _("all funds paid %(all)s must lie between the fund paid %(fund)s and the total cost "
                                 "%(total)s") % {"all": every_fund, "fund": values["fund_paid"],
                                                 "total": values["total_cost"]})
    if values["discharged_on"] and values["discharged_on"] < values["admitted_on"]:
        fail("discharged_on", _("discharge before admission"))
    return None if len(errors) > found else ClaimStaging(**values)


def _stage(job: Job, rows: list[ClaimStaging]) -> None:
    if database.has_copy():
        table = ClaimStaging._meta.db_table
        columns = ", ".join(["job_id"] + STAGED_FIELDS)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([job.pk] + [getattr(row, name) for name in STAGED_FIELDS])
    else:
        for row in rows:
            row.job = job
        ClaimStaging.objects.bulk_create(rows, batch_size=1000)


def _sql_checks(job: Job, county: County) -> list[RowError]:
    """The checks that need the whole file and the database, done where the data is."""
    staging, claim = ClaimStaging._meta.db_table, Claim._meta.db_table
    errors: list[RowError] = []
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT s.row_no, s.institution_code FROM {staging} s
            LEFT JOIN {institution_keys("%(county)s")} k ON k.key = s.institution_code
            WHERE s.job_id = %(job)s AND k.id IS NULL ORDER BY s.row_no LIMIT %(limit)s""",
                       {"county": county.pk, "job": job.pk, "limit": MAX_REPORTED})
        errors += [RowError(row, COLUMNS["institution_code"][0],
                            _("institution %(code)s is not in the registry of this county") % {"code": code})
                   for row, code in cursor.fetchall()]
        cursor.execute(f"""
            SELECT s.row_no, s.claim_no, first.row_no FROM {staging} s
            JOIN (SELECT claim_no, MIN(row_no) AS row_no FROM {staging} WHERE job_id = %s
                  GROUP BY claim_no HAVING COUNT(*) > 1) first ON first.claim_no = s.claim_no
            WHERE s.job_id = %s AND s.row_no <> first.row_no ORDER BY s.row_no LIMIT %s""",
                       [job.pk, job.pk, MAX_REPORTED])
        errors += [RowError(row, COLUMNS["claim_no"][0],
                            _("claim %(no)s appears already in row %(first)s") % {"no": no, "first": first})
                   for row, no, first in cursor.fetchall()]
        cursor.execute(f"""
            SELECT s.row_no, s.claim_no FROM {staging} s
            JOIN {claim} c ON c.county_id = %s AND c.claim_no = s.claim_no
            WHERE s.job_id = %s ORDER BY s.row_no LIMIT %s""", [county.pk, job.pk, MAX_REPORTED])
        errors += [RowError(row, COLUMNS["claim_no"][0],
                            _("claim %(no)s has been imported before") % {"no": no})
                   for row, no in cursor.fetchall()]
    return sorted(errors, key=lambda e: e.row)


def _move(job: Job, county: County) -> tuple[int, list[datetime.date]]:
    """The staged rows into claims, classified by the registry, in the caller's transaction."""
    staging, claim = ClaimStaging._meta.db_table, Claim._meta.db_table
    columns = [name for name in STAGED_FIELDS if name not in ("row_no", "institution_code")]
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO {claim} (county_id, institution_id, placement, consortium_id, import_job_id,
                                 {", ".join(columns)})
            SELECT %(county)s, i.id, i.placement, i.consortium_id, %(job)s, {", ".join("s." + c for c in columns)}
            FROM {staging} s JOIN {institution_keys("%(county)s")} k ON k.key = s.institution_code
            JOIN consortia_institution i ON i.id = k.id
            WHERE s.job_id = %(job)s""", {"county": county.pk, "job": job.pk})
        moved = cursor.rowcount
        cursor.execute(f"SELECT DISTINCT settled_on FROM {staging} WHERE job_id = %s", [job.pk])
        months = sorted({day.replace(day=1) for (day,) in cursor.fetchall()})
    return moved, months


def rollups_rebuild(*, county: County, months: list[datetime.date]) -> None:
    """Rebuilds the monthly and daily roll-ups of the given months from the claims (settlement
    date), the amounts summed exactly (SQLite, where this runs, would add them as floats)."""
    from .models import ClaimDaily, ClaimMonthly
    from .selectors import exact_sums

    group = ("consortium_id", "institution_id", "placement", "visit_type", "insurance_type")
    fields = ROLLUP_SUMS
    counted = rollup_count_filters()
    for month in months:
        end = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        ClaimMonthly.objects.filter(county=county, month=month).delete()
        ClaimDaily.objects.filter(county=county, day__gte=month, day__lt=end).delete()
        claims = Claim.objects.filter(county=county, settled_on__gte=month, settled_on__lt=end)
        counts = {tuple(row[g] for g in group): row for row in claims.values(*group).annotate(
            **{name: Count("id", filter=condition) for name, condition in counted.items()}).order_by()}
        ClaimMonthly.objects.bulk_create(
            ClaimMonthly(county=county, month=month, claims=sums["n"], **dict(zip(group, key, strict=True)),
                         **{f: sums[f] for f in fields}, **{c: counts[key][c] for c in counted})
            for key, sums in exact_sums(claims, group=group, fields=fields).items())
        every = {tuple(row[:-1]): row[-1] for row in claims.values_list("settled_on", *group).annotate(
            n=Count("id", filter=counted["fund_pay_total_claims"])).order_by()}
        ClaimDaily.objects.bulk_create(
            ClaimDaily(county=county, day=key[0], claims=sums["n"], **dict(zip(group, key[1:], strict=True)),
                       fund_pay_total_claims=every[key], **{f: sums[f] for f in DAILY_SUMS})
            for key, sums in exact_sums(claims, group=("settled_on", *group), fields=DAILY_SUMS).items())


def _finish(job: Job, rows: int, moved: int, months: list[datetime.date], path: str) -> None:
    """`path` says how the file went in: "copy" (PostgreSQL, the file as it is) or "rows" (typed
    row by row, as every file with a value outside the copy path's plain forms)."""
    work_progress(job, progress_done=rows, progress_total=rows)
    work_finish(job, errors=[], result={"rows": rows, "imported": moved, "months": [m.strftime("%Y-%m") for m in months],
                                "path": path})


def claims_import_enqueue(*, county: County, upload, user) -> Job:
    limit = settings.CLAIMS_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError({"file": [_("The file is larger than the %(mb)s MB allowed.") % {
            "mb": f"{limit // 2**20:,}"}]})
    job = job_create(kind=Job.Kind.CLAIMS_IMPORT, user=user, county=county, parameters={"county": county.pk},
                     upload=upload)
    return work_enqueue(job)


def claims_import_run(*, job: Job) -> Job:
    with translation.override(settings.LANGUAGE_CODE):  # the report is stored for everyone
        return work_execute(job, lambda: _run(job))


def _run(job: Job) -> None:
    county = County.objects.get(pk=job.parameters["county"])
    if job.input_sha256 and Job.objects.filter(kind=Job.Kind.CLAIMS_IMPORT, county=county, status=Job.Status.SUCCEEDED,
                                               input_sha256=job.input_sha256).exclude(pk=job.pk).exists():
        work_finish(job, errors=[], result={"rows": 0, "imported": 0, "already_imported": True})
        return
    if database.has_copy() and job.input_file.name.lower().endswith((".csv", ".txt")):
        with job.input_file.open("rb") as stream:
            done = claims_copy_import(job=job, county=county, stream=stream,
                                      progress=lambda rows, stage: work_progress(job, progress_done=rows, stage=stage))
        if done is not None:
            rows, months = done
            _finish(job, rows, rows, months, "copy")
            return
    errors: list[RowError] = []
    rows = 0
    batch: list[ClaimStaging] = []
    try:
        with job.input_file.open("rb") as stream:
            for number, row in read_table(stream, job.input_file.name, COLUMNS, optional=OPTIONAL):
                if text_cell(row["claim_no"]) == EXAMPLE_CLAIM_NO:
                    continue  # the template's example, left in
                rows += 1
                parsed = _parse(number, row, errors)
                if parsed is not None and not errors:
                    batch.append(parsed)
                if len(batch) >= BATCH:
                    _stage(job, batch)
                    batch = []
                if rows % BATCH == 0:
                    work_progress(job, progress_done=rows, stage=Job.Stage.READING)
                if len(errors) >= MAX_REPORTED:
                    break
        if batch and not errors:
            _stage(job, batch)
        if not errors and rows == 0:
            errors.append(RowError(0, "", _("The file has no data rows.")))
        if not errors:
            work_progress(job, progress_done=rows, stage=Job.Stage.CHECKING)
            errors = _sql_checks(job, county)
        if errors:
            work_fail(job, errors=[e.as_dict() for e in errors[:MAX_REPORTED]],
                      result={"rows": rows, "error_count": len(errors)})
            return
        work_progress(job, progress_done=rows, stage=Job.Stage.SAVING)
        with transaction.atomic():
            moved, months = _move(job, county)
            if database.is_postgresql():
                with connection.cursor() as cursor:
                    rollups_add(cursor, job)
            else:
                rollups_rebuild(county=county, months=months)
        _finish(job, rows, moved, months, "rows")
    except TableError as problem:
        work_fail(job, errors=[RowError(problem.row, "", problem.message).as_dict()], result={"rows": rows})
    finally:
        ClaimStaging.objects.filter(job=job).delete()
