"""The beat's round over long jobs: every 5 minutes a job that stopped moving is marked failed."""

from django.db import migrations

NAME = "长任务巡检 jobs that stopped moving"


def forward(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    Task = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = Interval.objects.get_or_create(every=5, period="minutes")
    Task.objects.update_or_create(name=NAME, defaults={"task": "consortia.tasks.jobs_sweep", "interval": every,
                                                       "enabled": True})


def backward(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("consortia", "0011_job_moved_at"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(forward, backward)]
