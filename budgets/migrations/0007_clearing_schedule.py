"""The year-end clearing in the beat schedule: on 15 January, for last year's agreements, for the
bureau to check and approve (the administrator may move or switch it off on the schedules page)."""

from django.db import migrations

NAME = "年终清算 year-end clearing"


def forward(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Task = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = Crontab.objects.get_or_create(minute="0", hour="2", day_of_month="15", month_of_year="1",
                                               day_of_week="*", timezone="Asia/Shanghai")
    Task.objects.update_or_create(name=NAME, defaults={"task": "budgets.tasks.clearing_year_end", "crontab": crontab,
                                                       "enabled": True})


def backward(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("budgets", "0006_money_guards_signatures"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(forward, backward)]
