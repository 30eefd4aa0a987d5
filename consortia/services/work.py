"""The one way every long piece of work lives: imports, exports and money runs alike (`Work`).

It is queued and sent to a worker once the transaction that made its row commits; a process
starts it, reports signs of life and progress, and ends it as succeeded or failed with the reason
in Chinese, whatever is raised inside. A redelivered task finds it ended and does nothing.

While a process does the work it holds a session advisory lock on it (PostgreSQL): the lock goes
with the process, so work marked running whose lock is free has lost its process. Without
advisory locks (SQLite, the embedded demo) work that showed no sign of life for longer than its
kind allows is dead. Either way, whoever looks next (its page, the list, the beat's sweep every
five minutes) marks it failed with when and why."""

from __future__ import annotations

import datetime
import logging
from typing import Callable, Iterable

from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from ..database import advisory_lock, has_advisory_locks
from ..models import Work

log = logging.getLogger(__name__)

QUEUED_LIMIT = datetime.timedelta(hours=6)  # as long as the broker keeps an unacknowledged task

# Every kind of work, so that the sweep finds it: each app registers its own (apps.py).
WORK_MODELS: list[type[Work]] = []


def register_work(model: type[Work]) -> None:
    if model not in WORK_MODELS:
        WORK_MODELS.append(model)


def task_enqueue(task: str, *args) -> None:
    """Sends the task named by its dotted path once the surrounding transaction commits (at once
    outside one): the caller needs no import of the tasks module, which imports the services."""
    import_string(task).delay_on_commit(*args)


def work_enqueue(item: Work) -> Work:
    """The work done by a worker (at once where tasks run in the process) once its row commits."""
    task_enqueue(item.task_name(), item.pk)
    return item


def _update(item: Work, **fields) -> int:
    for name, value in fields.items():
        setattr(item, name, value)
    return type(item).objects.filter(pk=item.pk).update(**fields)


def _stamp(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def work_progress(item: Work, **fields) -> None:
    """A sign of life, with whatever progress the work reports (rows done, stage, results so far).
    Written outside the work's own transaction, so its page sees it move."""
    _update(item, moved_at=timezone.now(), **fields)


def work_finish(item: Work, **fields) -> None:
    """Ends the work as succeeded, with what it has to say about itself."""
    _update(item, status=Work.Status.SUCCEEDED, finished_at=timezone.now(), **fields)


def work_fail(item: Work, reason: str = "", **fields) -> None:
    """Ends the work as failed: `reason` says why in Chinese; `fields` add what the kind of work
    reports (a file's row errors, say)."""
    if reason:
        fields = item.failure_fields(reason) | fields
    _update(item, status=Work.Status.FAILED, finished_at=timezone.now(), **fields)


def work_execute(item: Work, do: Callable[[], None]) -> Work:
    """Does `do` for the work unless it has ended or another live process is doing it. `do` ends
    the work with `work_finish` or `work_fail`; returning without either finishes it. Whatever it
    raises fails the work with a reason in Chinese; the log gets the work and the kind of error,
    never the error's text, which may quote a row of a file (a person's id)."""
    with advisory_lock((item.LOCK_CLASS, item.pk)) as mine:
        if not mine:
            return item
        item.refresh_from_db()
        if item.status in item.ENDED:
            return item
        now = timezone.now()
        _update(item, status=Work.Status.RUNNING, moved_at=now, finished_at=None, **item.starting_fields(now))
        try:
            do()
        except Exception as error:  # the row must end, whatever went wrong
            log.error("%s %s stopped on %s", type(item).__name__, item.pk, type(error).__name__)
            work_fail(item, _(
                "The work stopped on an internal error (%(kind)s); nothing of it was saved. Try again; if it "
                "happens again, tell the administrator the number %(id)s.") % {
                "kind": type(error).__name__, "id": item.pk})
            return item
        if item.status == Work.Status.RUNNING:
            work_finish(item)
    return item


def _dead(item: Work, now: datetime.datetime) -> str:
    """Why the work can no longer end by itself, or "" while it may."""
    if item.status == Work.Status.QUEUED:
        if now - item.queued_since() > QUEUED_LIMIT:
            return _("No worker took it within %(hours)s hours; start it again.") % {
                "hours": int(QUEUED_LIMIT.total_seconds() // 3600)}
        return ""
    if item.status != Work.Status.RUNNING:
        return ""
    seen = item.moved_at or item.queued_since()
    if has_advisory_locks():
        with advisory_lock((item.LOCK_CLASS, item.pk)) as free:
            if not free:
                return ""  # its process still holds it
        return _("The process doing it stopped (last sign of life %(seen)s); nothing of it was saved. Start it "
                 "again.") % {"seen": _stamp(seen)}
    limit = item.stall_limit()
    if now - seen > limit:
        return _("It showed no sign of life for more than %(minutes)s minutes after %(seen)s and was stopped; "
                 "nothing of it was saved. Start it again.") % {
            "minutes": int(limit.total_seconds() // 60), "seen": _stamp(seen)}
    return ""


def work_checked(items: Iterable[Work]) -> list[Work]:
    """The work as it really is: what no worker took, or whose process died, is marked failed
    with when and why. Only work still queued or running is looked at, and only if it still is."""
    now = timezone.now()
    checked = []
    for item in items:
        reason = _dead(item, now)
        if reason:
            fields = {"status": Work.Status.FAILED, "finished_at": now} | item.failure_fields(reason)
            if type(item).objects.filter(pk=item.pk, status=item.status).update(**fields):
                for name, value in fields.items():
                    setattr(item, name, value)
        checked.append(item)
    return checked


def work_sweep() -> int:
    """The beat's round: all work of every kind still queued or running, checked. Returns how
    many ended."""
    ended = 0
    for model in WORK_MODELS:
        open_items = model.objects.filter(status__in=[Work.Status.QUEUED, Work.Status.RUNNING])
        ended += sum(1 for item in work_checked(open_items) if item.status == Work.Status.FAILED)
    return ended
