"""Every job ends, and a hostile file ends its job in seconds with a row-numbered report and
nothing saved; no insured person's id reaches a log (ours or PostgreSQL's)."""

import datetime
import logging
import os
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, ClaimStaging
from consortia.models import Job
from tests.claims.test_import import csv, row, run

SECRET_ID = "340102199001017777"  # an insured person's id that must appear in no log
PG_LOG = Path(os.environ.get("PG_LOG_FILE", "/var/log/postgresql/postgresql-15-main.log"))


def _refused(job, started, *, row_no=None, words=""):
    assert time.monotonic() - started < 20, "a hostile file is refused in seconds"
    assert job.status == Job.Status.FAILED, job.result
    assert not Claim.objects.exists() and not ClaimStaging.objects.exists()
    (error,) = job.errors
    if row_no is not None:
        assert error["row"] == row_no, error
    assert words in error["message"], error
    return error


@pytest.mark.django_db(transaction=True)
def test_a_row_with_an_extra_value_is_refused_with_its_row(world, codes):
    inside, _outside = codes
    started = time.monotonic()
    job = run(world, csv(row("C1", inside, person=SECRET_ID), row("C2", inside) + ",多出来的值"))
    _refused(job, started, row_no=3, words="第 3 行有 23 个值")


@pytest.mark.django_db(transaction=True)
def test_an_unterminated_quote_is_refused(world, codes):
    inside, _outside = codes
    started = time.monotonic()
    body = csv(row("C1", inside, person=SECRET_ID), row("C2", inside).replace("K35.9", '"K35.9'),
               *[row(f"C{n}", inside) for n in range(3, 3000)])
    _refused(job := run(world, body), started, words="引号")
    assert job.errors[0]["row"] >= 2


@pytest.mark.django_db(transaction=True)
def test_gb18030_bytes_after_the_first_64_kib_are_refused(world, codes):
    inside, _outside = codes
    good = [row(f"C{n}", inside, person=SECRET_ID) for n in range(1, 1200)]  # well over 64 KiB of UTF-8
    content = (csv(*good).encode("utf-8") + row("C9999", inside).replace("K35.9", "阑尾炎").encode("gb18030")
               + b"\n")
    assert len(csv(*good).encode()) > 64 * 1024
    started = time.monotonic()
    _refused(run(world, content), started, words="UTF-8")


@pytest.mark.django_db(transaction=True)
def test_a_ten_megabyte_line_without_a_break_is_refused(world, codes):
    inside, _outside = codes
    content = csv(row("C1", inside, person=SECRET_ID)) + "X" * (10 * 1024 * 1024)
    started = time.monotonic()
    _refused(run(world, content), started, words="KB")


@pytest.mark.django_db(transaction=True)
def test_whatever_is_raised_inside_the_job_it_ends_failed_with_a_chinese_reason(world, codes, monkeypatch):
    from claims import importers

    def broken(job):
        raise RuntimeError(f"something quoting {SECRET_ID}")

    monkeypatch.setattr(importers, "_run", broken)
    inside, _outside = codes
    job = run(world, csv(row("C1", inside)))
    assert job.status == Job.Status.FAILED
    message = job.errors[0]["message"]
    assert "内部错误（RuntimeError）" in message and SECRET_ID not in message


@pytest.mark.django_db(transaction=True)
def test_a_job_that_stopped_moving_is_marked_failed_by_the_beat_and_on_its_page(client, world):
    from consortia import tasks
    from tests.test_work import held_elsewhere

    stuck = Job.objects.create(kind=Job.Kind.CLAIMS_IMPORT, status=Job.Status.RUNNING, county=world.county_a1,
                               created_by=world.staff_a1, started_at=timezone.now() - datetime.timedelta(hours=2),
                               moved_at=timezone.now() - datetime.timedelta(hours=1))
    alive = Job.objects.create(kind=Job.Kind.CLAIMS_IMPORT, status=Job.Status.RUNNING, county=world.county_a1,
                               created_by=world.staff_a1, started_at=timezone.now(), moved_at=timezone.now())
    with held_elsewhere(alive):  # on PostgreSQL a live process holds the job's advisory lock
        tasks.jobs_sweep()
    stuck.refresh_from_db()
    alive.refresh_from_db()
    assert (stuck.status, alive.status) == ("failed", "running")
    postgres = connection.vendor == "postgresql"
    assert ("进程已中断" if postgres else "超过 20 分钟没有运行迹象") in stuck.errors[0]["message"]
    page_stuck = Job.objects.create(kind=Job.Kind.ROSTER_IMPORT, status=Job.Status.RUNNING, county=world.county_a1,
                                    created_by=world.staff_a1, moved_at=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(world.staff_a1)
    body = client.get(reverse("job-page", args=[page_stuck.pk])).content.decode()
    assert ("进程已中断" if postgres else "超过 10 分钟没有运行迹象") in body


@pytest.mark.django_db(transaction=True)
def test_no_personal_id_reaches_a_log(world, codes, caplog):
    """Bad files of every kind, on the fast path and row by row: our logs (every logger, every
    level) and, where it can be read, PostgreSQL's hold no person id."""
    inside, _outside = codes
    start = PG_LOG.stat().st_size if PG_LOG.exists() and os.access(PG_LOG, os.R_OK) else None
    caplog.set_level(logging.DEBUG)
    bad_rows = [
        row("C2", inside, person=SECRET_ID, fund="1200.00"),  # fund above total
        row("C3", inside, person=SECRET_ID, admitted="2025-02-30"),  # no such day
        row("C4", inside, person=SECRET_ID, discharged="2025-02-01"),  # before the admission
        row("C5", inside, person=SECRET_ID, visit="急诊"),  # no such visit type
        row("C6", "NO-SUCH", person=SECRET_ID),  # unknown institution
        row("C1", inside, person=SECRET_ID),  # a claim number twice
        row("C7", inside, person=SECRET_ID, total="-5.00", fund="0.00"),
        row("C8", inside, person=SECRET_ID) + "," + SECRET_ID,  # an extra value
    ]
    for bad in bad_rows:
        job = run(world, csv(row("C1", inside, person=SECRET_ID), bad))
        assert job.status == Job.Status.FAILED, bad
    assert not Claim.objects.exists()
    assert SECRET_ID not in caplog.text
    if connection.vendor == "postgresql" and start is not None:
        time.sleep(0.5)  # the server writes its log asynchronously
        with PG_LOG.open("rb") as log:
            log.seek(start)
            written = log.read().decode("utf-8", "replace")
        assert SECRET_ID not in written
        ours = [line for line in written.splitlines() if connection.settings_dict["NAME"] in line and "ERROR" in line]
        # The fast path checks what PostgreSQL would refuse before it inserts: no constraint or cast ever
        # fails on a row. Only COPY's own complaints about lines it cannot split are left, without the line.
        copy_words = ("extra data after last expected column", "missing data for column",
                      "unterminated CSV quoted field", "invalid byte sequence")
        assert all(any(words in line for words in copy_words) for line in ours), ours
