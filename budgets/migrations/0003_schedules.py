"""The periodic schedules, in the database scheduler where the administrator sees and edits them."""

from django.db import migrations

SCHEDULES = [
    # name, task, crontab (minute, hour, day of month, month)
    ("月末预拨 month-end prepayment", "budgets.tasks.prepayment_month_end", ("0", "18", "28-31", "*")),
    ("季初预拨 quarter-start prepayment", "budgets.tasks.prepayment_quarter_start", ("0", "8", "1", "1,4,7,10")),
]


def forward(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Task = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, (minute, hour, day, month) in SCHEDULES:
        crontab, _ = Crontab.objects.get_or_create(minute=minute, hour=hour, day_of_month=day, month_of_year=month,
                                                   day_of_week="*", timezone="Asia/Shanghai")
        Task.objects.update_or_create(name=name, defaults={"task": task, "crontab": crontab, "enabled": True})


def backward(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("budgets", "0002_money_guards"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(forward, backward)]
