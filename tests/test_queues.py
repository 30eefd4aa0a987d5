"""Each kind of job goes to its own queue, so a long import or export never holds up a money run."""

import importlib

import pytest
from django.conf import settings

from config.celery import app


@pytest.mark.parametrize("task, queue", [
    ("claims.tasks.claims_import", "imports"),
    ("consortia.tasks.roster_import", "imports"),
    ("budgets.tasks.prepayment_run_execute", "money"),
    ("budgets.tasks.prepayment_month_end", "money"),
    ("budgets.tasks.prepayment_quarter_start", "money"),
    ("evaluation.tasks.province_export", "exports"),
])
def test_each_task_has_its_queue(task, queue):
    importlib.import_module(task.rsplit(".", 1)[0])
    assert task in app.tasks
    routed = app.amqp.router.route({}, task)["queue"].name
    assert routed == f"{settings.CELERY_QUEUE_PREFIX}{queue}"
    assert routed in settings.CELERY_QUEUES_ALL.split(",")
