"""The row behind every long job: users watch it, a redelivered task consults it."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from ..models import Job


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
    locked.started_at = timezone.now()
    locked.progress_done = 0
    locked.save(update_fields=["status", "started_at", "progress_done"])
    job.refresh_from_db()
    return True


def job_progress(*, job: Job, done: int, total: int | None = None, stage: str | None = None) -> None:
    """Written outside the job's own transaction by the callers, so the job page sees it move."""
    fields = {"progress_done": done}
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
