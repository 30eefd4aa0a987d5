from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def province_export(job_id: int) -> None:
    from consortia.models import Job

    from .services import province_export_run

    province_export_run(job=Job.objects.get(pk=job_id))
