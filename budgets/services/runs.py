"""What every money run shares: it is done by one process at a time, it shows signs of life,
and it ends as succeeded or failed with a reason in Chinese, whatever is raised inside it. A run
whose process died is found out the next time anyone looks and marked failed, with when and why.

On PostgreSQL the process doing a run holds a session advisory lock on it: the lock goes with
the process, so a run marked running whose lock is free has lost its process. Without advisory
locks (SQLite, the embedded demo) a run that has shown no sign of life for `STALE_AFTER` is dead."""

from __future__ import annotations

import datetime
import logging
from contextlib import contextmanager
from typing import Callable, Iterable

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from consortia.models import User
from consortia.selectors import sees_everything
from consortia.services.jobs import task_enqueue

from ..models import ClearingRun, MoneyRun, PrepaymentRun
from ..selectors import run_lines_in_scope, runs_visible

log = logging.getLogger(__name__)

LOCK_CLASS = {PrepaymentRun: 7301, ClearingRun: 7302}  # advisory lock key: (kind of run, run id)
RUN_TASKS = {PrepaymentRun: "budgets.tasks.prepayment_run_execute", ClearingRun: "budgets.tasks.clearing_run_execute"}
STALE_AFTER = datetime.timedelta(minutes=15)  # no sign of life for this long: dead (no advisory locks)
QUEUED_LIMIT = datetime.timedelta(hours=6)  # as long as the broker keeps an unacknowledged task


def may_run(user) -> bool:
    """Who starts a money run: bureau staff (their county) and the administrator (every county)."""
    return bool(user.is_authenticated and user.is_active
                and (sees_everything(user) or (user.role == User.Role.BUREAU_STAFF and user.county_id)))


def run_county(user):
    """The county a run started by `user` belongs to: their own, or none (every county) for the
    administrator and the schedule."""
    return user.county if user is not None and not sees_everything(user) else None


def run_enqueue(run: MoneyRun) -> MoneyRun:
    """The run done by a worker (at once where tasks run in the process) once the transaction
    that made its row commits."""
    task_enqueue(RUN_TASKS[type(run)], run.pk)
    return run


def _key(run: MoneyRun) -> tuple[int, int]:
    return LOCK_CLASS[type(run)], run.pk


def _advisory() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def run_held(run: MoneyRun):
    """Yields whether this process holds the run; another live process may be doing it."""
    if not _advisory():
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", _key(run))
        mine = cursor.fetchone()[0]
    try:
        yield mine
    finally:
        if mine:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", _key(run))


def _update(run: MoneyRun, **fields) -> None:
    type(run).objects.filter(pk=run.pk).update(**fields)
    for name, value in fields.items():
        setattr(run, name, value)


def run_heartbeat(run: MoneyRun, **fields) -> None:
    """A sign of life, with the progress so far."""
    _update(run, heartbeat_at=timezone.now(), **fields)


def run_execute(run: MoneyRun, work: Callable[[], dict]) -> MoneyRun:
    """Does `work` for the run unless it is done or another process is doing it. `work` returns
    the fields of the finished run (status among them); anything it raises fails the run with
    the reason, and the run's row says so."""
    with run_held(run) as mine:
        if not mine:
            return run
        run.refresh_from_db()
        if run.status == MoneyRun.Status.SUCCEEDED:
            return run  # a redelivered task: nothing more to do
        _update(run, status=MoneyRun.Status.RUNNING, heartbeat_at=timezone.now(), finished_at=None, reason="")
        try:
            finished = work()
        except Exception as error:  # the row must end, whatever went wrong
            log.exception("%s %s failed", type(run).__name__, run.pk)
            _update(run, status=MoneyRun.Status.FAILED, finished_at=timezone.now(),
                    reason=(_("The run stopped on an error: %(error)s") % {"error": error})[:500])
            return run
        _update(run, finished_at=timezone.now(), **finished)
    return run


def _dead(run: MoneyRun, now: datetime.datetime) -> str:
    """Why the run can no longer end by itself, or "" while it may."""
    if run.status == MoneyRun.Status.QUEUED:
        if now - run.started_at > QUEUED_LIMIT:
            return _("No worker took the run within %(hours)s hours.") % {"hours": int(QUEUED_LIMIT.total_seconds() // 3600)}
        return ""
    if run.status != MoneyRun.Status.RUNNING:
        return ""
    seen = run.heartbeat_at or run.started_at
    if _advisory():
        with run_held(run) as free:
            if not free:
                return ""  # its process still holds it
        return _("The process doing the run stopped (last sign of life %(seen)s); start the run again to finish "
                 "it.") % {"seen": timezone.localtime(seen).strftime("%Y-%m-%d %H:%M:%S")}
    if now - seen > STALE_AFTER:
        return _("The run showed no sign of life after %(seen)s; start the run again to finish it.") % {
            "seen": timezone.localtime(seen).strftime("%Y-%m-%d %H:%M:%S")}
    return ""


def runs_checked(runs: Iterable[MoneyRun]) -> list[MoneyRun]:
    """The runs as they really are: one whose process died is marked failed, with when and why.
    Only a run still marked running or queued is looked at, and only if it still is."""
    now = timezone.now()
    checked = []
    for run in runs:
        reason = _dead(run, now)
        if reason:
            model = type(run)
            changed = model.objects.filter(pk=run.pk, status=run.status).update(
                status=MoneyRun.Status.FAILED, finished_at=now, reason=reason[:500])
            if changed:
                run.status, run.finished_at, run.reason = MoneyRun.Status.FAILED, now, reason[:500]
        checked.append(run)
    return checked


def runs_seen(*, user, model=PrepaymentRun, limit: int | None = None, **filters) -> list[MoneyRun]:
    """The latest runs the user may see, as they really are (one whose process died is marked
    failed now), each with only the lines about agreements in the user's scope."""
    runs = runs_visible(user=user, queryset=model.objects.filter(**filters).select_related("started_by", "county")
                        .order_by("-started_at", "-pk"))
    runs = runs_checked(runs[:limit] if limit else runs)
    for run in runs:
        run_lines_in_scope(user=user, run=run)
    return runs
