from celery import shared_task

from consortia.models import Job

from . import importers


@shared_task(acks_late=True, reject_on_worker_lost=True)
def claims_import(job_id: int) -> None:
    importers.claims_import_run(job=Job.objects.get(pk=job_id))


@shared_task
def orphans_check() -> dict:
    from .integrity import orphan_claims_check

    return orphan_claims_check()
