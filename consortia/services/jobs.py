"""The row behind every long job: users watch it, a redelivered task consults it."""

from __future__ import annotations

import datetime
import hashlib
import logging
from typing import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from ..models import Job

log = logging.getLogger(__name__)

# How long a job of each kind may go without progress before it is taken for dead: every kind
# reports progress at least every few thousand rows or every chunk of the file.
STALL_LIMITS = {Job.Kind.CLAIMS_IMPORT: datetime.timedelta(minutes=20),
                Job.Kind.ROSTER_IMPORT: datetime.timedelta(minutes=10),
                Job.Kind.PROVINCE_EXPORT: datetime.timedelta(minutes=30)}
QUEUED_LIMIT = datetime.timedelta(hours=6)  # as long as the broker keeps an unacknowledged task

# The task that does each kind of job, by name; each app registers its own (apps.py), so a service
# enqueues a job without importing the tasks that import it.
JOB_TASKS: dict[str, str] = {}


def register_job_task(kind: str, task: str) -> None:
    JOB_TASKS[kind] = task


def task_enqueue(task: str, *args) -> None:
    """Sends the task named by its dotted path once the surrounding transaction commits (at once
    outside one): the caller needs no import of the tasks module, which imports the services."""
    import_string(task).delay_on_commit(*args)


def job_enqueue(*, job: Job) -> Job:
    task_enqueue(JOB_TASKS[job.kind], job.pk)
    return job


def job_create(*, kind: str, user, county=None, consortium=None, parameters=None, upload=None) -> Job:
    job = Job(kind=kind, created_by=user, county=county, consortium=consortium, parameters=parameters or {})
    if upload is not None:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        job.input_sha256 = digest.hexdigest()
        upload.seek(0)
        job.input_file.save(upload.name, upload, save=False)
    job.full_clean()
    job.save()
    return job


@transaction.atomic
def job_start(*, job: Job) -> bool:
    """Marks the job running; False when it has already finished (a redelivered task), so the
    caller does nothing. A job left running by a killed worker may start again: every job's
    writes are all-or-nothing."""
    locked = Job.objects.select_for_update().get(pk=job.pk)
    if locked.status in (Job.Status.SUCCEEDED, Job.Status.FAILED):
        return False
    locked.status = Job.Status.RUNNING
    locked.started_at = locked.moved_at = timezone.now()
    locked.progress_done = 0
    locked.save(update_fields=["status", "started_at", "moved_at", "progress_done"])
    job.refresh_from_db()
    return True


def job_progress(*, job: Job, done: int, total: int | None = None, stage: str | None = None) -> None:
    """Written outside the job's own transaction by the callers, so the job page sees it move."""
    fields = {"progress_done": done, "moved_at": timezone.now()}
    if total is not None:
        fields["progress_total"] = total
    if stage is not None:
        fields["stage"] = stage
    Job.objects.filter(pk=job.pk).update(**fields)


def job_finish(*, job: Job, result: dict) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.SUCCEEDED, result=result, errors=[], finished_at=timezone.now()
    )
    job.refresh_from_db()


def job_fail(*, job: Job, errors: list[dict], result: dict | None = None) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, errors=errors, result=result or {}, finished_at=timezone.now()
    )
    job.refresh_from_db()


def job_guarded(*, job: Job, work: Callable[[], Job]) -> Job:
    """Runs a job's work so that it always ends: whatever is raised inside, the job is marked failed
    with a reason in Chinese. The log gets the job and the kind of error, never the error's text,
    which may quote a row of the file (a person's id)."""
    try:
        return work()
    except Exception as error:
        log.error("job %s (%s) stopped on %s", job.pk, job.kind, type(error).__name__)
        job_fail(job=job, errors=[{"row": 0, "column": "", "message": _(
            "The job stopped on an internal error (%(kind)s); nothing of it was saved. Try again; if it happens "
            "again, tell the administrator the job number %(id)s.") % {"kind": type(error).__name__, "id": job.pk}}])
        return job


def jobs_checked(jobs) -> list[Job]:
    """The jobs as they really are: one that has not moved for longer than its kind allows, or
    that no worker took, is marked failed with when and why (by the beat, and on its page)."""
    now = timezone.now()
    checked = []
    for job in jobs:
        reason = ""
        if job.status == Job.Status.QUEUED and now - job.created_at > QUEUED_LIMIT:
            reason = _("No worker took the job within %(hours)s hours; start it again.") % {
                "hours": int(QUEUED_LIMIT.total_seconds() // 3600)}
        elif job.status == Job.Status.RUNNING:
            seen = job.moved_at or job.started_at or job.created_at
            limit = STALL_LIMITS.get(job.kind, datetime.timedelta(minutes=30))
            if now - seen > limit:
                reason = _("The job made no progress for more than %(minutes)s minutes after %(seen)s and was "
                           "stopped; nothing of it was saved. Start it again.") % {
                    "minutes": int(limit.total_seconds() // 60),
                    "seen": timezone.localtime(seen).strftime("%Y-%m-%d %H:%M:%S")}
        if reason and Job.objects.filter(pk=job.pk, status=job.status).update(
                status=Job.Status.FAILED, finished_at=now,
                errors=[{"row": 0, "column": "", "message": reason}]):
            job.refresh_from_db()
        checked.append(job)
    return checked


def jobs_sweep() -> int:
    """The beat's round: every job still queued or running, checked. Returns how many ended."""
    open_jobs = list(Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]))
    return sum(1 for job in jobs_checked(open_jobs) if job.status == Job.Status.FAILED)
