"""Scheduled and queued money jobs. Tasks take ids and plain values, call a service, nothing else."""

from celery import shared_task
from django.utils import timezone

from .models import ClearingRun, PrepaymentRun
from .periods import month_end_period, quarter_start_period
from .services import clearing, prepayments


@shared_task(acks_late=True, reject_on_worker_lost=True)
def prepayment_run_execute(run_id: int) -> None:
    prepayments.prepayment_run_execute(run=PrepaymentRun.objects.get(pk=run_id))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def prepayment_month_end() -> None:
    """Runs daily in the last days of a month (beat); does the month's run on its last day."""
    period = month_end_period(timezone.localdate())
    if period:
        prepayments.prepayment_run(period=str(period), user=None, trigger=PrepaymentRun.Trigger.SCHEDULE)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def prepayment_quarter_start() -> None:
    period = quarter_start_period(timezone.localdate())
    if period:
        prepayments.prepayment_run(period=str(period), user=None, trigger=PrepaymentRun.Trigger.SCHEDULE)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def clearing_run_execute(run_id: int) -> None:
    clearing.clearing_run_execute(run=ClearingRun.objects.get(pk=run_id))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def clearing_year_end() -> None:
    """January (beat): the clearing of last year's agreements, for the bureau to check and approve."""
    run = clearing.clearing_run_start(year=timezone.localdate().year - 1, user=None,
                                      trigger=ClearingRun.Trigger.SCHEDULE)
    clearing.clearing_run_execute(run=run)
