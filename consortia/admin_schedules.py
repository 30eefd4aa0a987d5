"""The schedule the beat keeps, as the administrator reads it: each job by its Chinese name
(月末预拨), when it runs in words (每月28日至31日 18:00), on or off, when it last ran. This replaces
django-celery-beat's own screens, which speak cron (`28-31`, `Asia/Shanghai`, positional arguments
as JSON) and can add jobs nobody wrote; the schedule itself is written by our migrations."""

from django.contrib import admin
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_celery_beat import models as beat

from .models import Schedule

def _days(field: str) -> str:
    """A cron field of days or months (`28-31`, `1,4,7,10`) in words: 28日至31日, 1、4、7、10."""
    parts = []
    for part in field.split(","):
        low, _dash, high = part.partition("-")
        parts.append(gettext("%(low)s to %(high)s") % {"low": low, "high": high} if high else low)
    return "、".join(parts)


def when_in_words(task: beat.PeriodicTask) -> str:
    """When a job runs, in words: 每 5 分钟, 每月28至31日 18:00, 每年1、4、7、10月1日 08:00."""
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


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["job", "when", "enabled", "last_run", "total_run_count"]
    fields = ["job", "when", "enabled", "last_run", "total_run_count"]
    readonly_fields = ["job", "when", "last_run", "total_run_count"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "enabled":  # the beat's own help says "Set to False…"
            field.label, field.help_text = _("runs on its schedule"), _("Untick to stop this job running.")
        return field

    @admin.display(description=_("scheduled job"))
    def job(self, obj):
        return str(obj)

    @admin.display(description=_("last run"))  # the beat's own help speaks of `enabled` and `None`
    def last_run(self, obj):
        return localtime(obj.last_run_at).strftime("%Y-%m-%d %H:%M") if obj.last_run_at else "—"

    @admin.display(description=_("runs"))
    def when(self, obj):
        return when_in_words(obj)

    def has_module_permission(self, request):
        return request.user.is_active and (request.user.is_superuser or request.user.role == "administrator")

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
