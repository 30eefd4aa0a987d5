"""The row behind every long job (imports and exports): users watch it, a redelivered task
consults it. How a job starts, reports progress, ends and fails is consortia.services.work, the
same for every long piece of work."""

from __future__ import annotations

import hashlib

from ..models import Job


def register_job_task(kind: str, task: str) -> None:
    """The task that does each kind of job, by name (each app registers its own in apps.py)."""
    Job.TASKS[kind] = task


def job_create(*, kind: str, user, county=None, consortium=None, parameters=None, upload=None) -> Job:
    """The job's row, with the uploaded file and its checksum; `work_enqueue` sends it to a worker.
    From there it lives as all work does (consortia.services.work)."""
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
