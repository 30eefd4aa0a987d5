from celery import shared_task

from . import services
from .models import Job


@shared_task(acks_late=True, reject_on_worker_lost=True)
def roster_import(job_id: int) -> None:
    services.roster_import_run(job=Job.objects.get(pk=job_id))


@shared_task
def jobs_sweep() -> None:
    """Every five minutes (beat): every long piece of work (imports, exports, money runs) whose
    process died or that no worker took is marked failed with when and why."""
    services.work_sweep()
