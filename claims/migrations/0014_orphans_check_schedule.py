"""The beat's daily check that every claim's references exist (claims.integrity), at 03:30."""

from django.db import migrations

NAME = "结算数据完整性检查 claims whose references are missing"


def forward(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Task = apps.get_model("django_celery_beat", "PeriodicTask")
    at, _ = Crontab.objects.get_or_create(minute="30", hour="3", day_of_month="*", month_of_year="*",
                                          day_of_week="*", timezone="Asia/Shanghai")
    Task.objects.update_or_create(name=NAME, defaults={"task": "claims.tasks.orphans_check", "crontab": at,
                                                       "enabled": True})


def backward(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("claims", "0013_claims_without_row_level_foreign_keys"),
                    ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(forward, backward)]
