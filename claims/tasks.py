import logging

from celery import shared_task

from consortia import database
from consortia.models import Job

from . import importers

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def claims_import(job_id: int) -> None:
    importers.claims_import_run(job=Job.objects.get(pk=job_id))


@shared_task
def orphans_check() -> dict:
    """Daily: the claims' references proved whole, and the working tables of imports that a
    stopped worker left (they hold a file's rows) dropped."""
    from .fastpath import staging_sweep
    from .integrity import orphan_claims_check

    found = orphan_claims_check()
    if database.has_copy():
        dropped = staging_sweep()
        if dropped:
            logger.warning("dropped the working tables of imports no longer running: %s", dropped)
    return found
