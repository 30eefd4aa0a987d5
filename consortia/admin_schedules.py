"""The schedule the beat keeps, as the administrator reads it: each job by its Chinese name
(月末预拨), when it runs in words (每月28日至31日 18:00), on or off, when it last ran. This replaces
django-celery-beat's own screens, which speak cron (`28-31`, `Asia/Shanghai`, positional arguments
as JSON) and can add jobs nobody wrote; the schedule itself is written by our migrations."""

from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_celery_beat import models as beat

# Each scheduled task by the name the bureau knows it by.
TASK_NAMES = {
    "budgets.tasks.prepayment_month_end": _("month-end prepayment"),
    "budgets.tasks.prepayment_quarter_start": _("quarter-start prepayment"),
    "budgets.tasks.clearing_year_end": _("year-end clearing"),
    "consortia.tasks.jobs_sweep": _("round over long jobs that stopped moving"),
}


def _days(field: str) -> str:
    """A cron field of days or months (`28-31`, `1,4,7,10`) in words: 28日至31日, 1、4、7、10."""
    parts = []
    for part in field.split(","):
        low, _dash, high = part.partition("-")
        parts.append(gettext("%(low)s to %(high)s") % {"low": low, "high": high} if high else low)
    return "、".join(parts)


def when_in_words(task: beat.PeriodicTask) -> str:
    if task.interval_id:
        every = task.interval
        units = dict(beat.IntervalSchedule.PERIOD_CHOICES)
        return gettext("every %(n)s %(unit)s") % {"n": every.every, "unit": units.get(every.period, every.period)}
    if task.crontab_id:
        cron = task.crontab
        time = f"{int(cron.hour):02d}:{int(cron.minute):02d}" if (cron.hour + cron.minute).isdigit() else ""
        days = gettext("day %(days)s") % {"days": _days(cron.day_of_month)} if cron.day_of_month != "*" else \
            gettext("every day")
        if cron.month_of_year == "*":
            return gettext("every month, %(days)s, %(time)s") % {"days": days, "time": time}
        return gettext("in month %(months)s, %(days)s, %(time)s") % {"months": _days(cron.month_of_year),
                                                                     "days": days, "time": time}
    return gettext("once")


for model in (beat.PeriodicTask, beat.CrontabSchedule, beat.IntervalSchedule, beat.SolarSchedule,
              beat.ClockedSchedule):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(beat.PeriodicTask)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["job", "when", "enabled", "last_run_at", "total_run_count"]
    fields = ["job", "when", "enabled", "last_run_at", "total_run_count"]
    readonly_fields = ["job", "when", "last_run_at", "total_run_count"]

    @admin.display(description=_("scheduled job"))
    def job(self, obj):
        return TASK_NAMES.get(obj.task) or obj.name

    @admin.display(description=_("runs"))
    def when(self, obj):
        return when_in_words(obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
