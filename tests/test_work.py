"""One way for every long piece of work to live (consortia.services.work): imports, exports and
money runs start, show signs of life, end and fail alike, and the beat's sweep finds every kind."""

import datetime
from contextlib import contextmanager

import pytest
from django.db import connection
from django.utils import timezone

from budgets.models import ClearingRun, PrepaymentRun
from consortia.models import Job, Work
from consortia.services.work import WORK_MODELS, work_checked, work_execute, work_fail, work_progress


@contextmanager
def held_elsewhere(item):
    """On PostgreSQL, another session holds the work's advisory lock, as its live process would;
    without advisory locks (SQLite) its recent sign of life is what keeps it alive."""
    if connection.vendor != "postgresql":
        yield
        return
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
                         dbname=settings["NAME"], autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", (item.LOCK_CLASS, item.pk))
        yield


def _job(world, **fields):
    return Job.objects.create(kind=Job.Kind.CLAIMS_IMPORT, county=world.county_a1, created_by=world.staff_a1,
                              **fields)


def _run(world, **fields):
    return PrepaymentRun.objects.create(period="2025-05", started_by=world.staff_a1, county=world.county_a1,
                                        **fields)


def test_every_kind_of_long_work_is_swept():
    assert {Job, PrepaymentRun, ClearingRun} <= set(WORK_MODELS)
    assert all(issubclass(model, Work) for model in WORK_MODELS)
    assert len({model.LOCK_CLASS for model in WORK_MODELS}) == len(WORK_MODELS)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("make", [_job, _run], ids=["import job", "prepayment run"])
def test_whatever_is_raised_the_work_ends_failed_with_a_chinese_reason(world, make):
    item = make(world)

    def broken():
        work_progress(item)
        raise KeyError("a row quoting 340102199001017777")

    work_execute(item, broken)
    item.refresh_from_db()
    reason = item.reason if isinstance(item, PrepaymentRun) else item.errors[0]["message"]
    assert item.status == "failed" and item.finished_at is not None
    assert "内部错误（KeyError）" in reason and f"编号 {item.pk}" in reason and "3401021990" not in reason


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("make", [_job, _run], ids=["import job", "prepayment run"])
def test_a_redelivered_task_leaves_ended_work_alone(world, make):
    item = make(world)
    calls = []
    work_execute(item, lambda: calls.append(1))
    assert item.status == "succeeded" and item.moved_at is not None
    work_execute(item, lambda: calls.append(2))
    assert calls == [1]


@pytest.mark.django_db(transaction=True)
def test_a_failed_job_stays_failed_but_a_failed_run_may_be_done_again(world):
    job, run = _job(world), _run(world)
    for item in (job, run):
        work_execute(item, lambda item=item: work_fail(item, "原因"))
    assert (job.errors[0]["message"], run.reason) == ("原因", "原因")
    work_execute(job, lambda: None)
    work_execute(run, lambda: None)
    job.refresh_from_db()
    run.refresh_from_db()
    assert (job.status, run.status, run.reason) == ("failed", "succeeded", "")


@pytest.mark.django_db(transaction=True)
def test_the_beat_ends_dead_work_of_every_kind_and_leaves_live_work_running(world):
    from consortia import tasks

    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    dead_job, dead_run = _job(world, status="running", moved_at=hour_ago), _run(world, status="running",
                                                                            moved_at=hour_ago)
    dead_clearing = ClearingRun.objects.create(year=2025, county=world.county_a1, status="running",
                                               moved_at=hour_ago)
    never_taken = _job(world)
    Job.objects.filter(pk=never_taken.pk).update(created_at=timezone.now() - datetime.timedelta(hours=7))
    live_run = _run(world, status="running", moved_at=timezone.now())
    with held_elsewhere(live_run):
        tasks.jobs_sweep()
    states = {name: type(item).objects.get(pk=item.pk) for name, item in {
        "job": dead_job, "run": dead_run, "clearing": dead_clearing, "queued": never_taken, "live": live_run}.items()}
    assert {name: item.status for name, item in states.items()} == {
        "job": "failed", "run": "failed", "clearing": "failed", "queued": "failed", "live": "running"}
    assert "6 小时内没有后台进程接手" in states["queued"].errors[0]["message"]
    assert "请重新开始" in states["run"].reason and "请重新开始" in states["clearing"].reason
    assert all(item.finished_at is not None for name, item in states.items() if name != "live")


@pytest.mark.django_db(transaction=True)
def test_work_checked_looks_only_at_work_still_open(world):
    done = _run(world, status="succeeded", moved_at=timezone.now() - datetime.timedelta(days=3))
    (seen,) = work_checked([done])
    assert seen.status == "succeeded" and seen.reason == ""
