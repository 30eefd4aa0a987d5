"""The holiday arrangements the chinesecalendar package knows (2004 to its last year), as the first
rows of the table the administrator keeps. Later years are entered on the holidays page from the
State Council's notice."""

from django.db import migrations

NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节", "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def forward(apps, schema_editor):
    import chinese_calendar
    from chinese_calendar.constants import holidays, workdays

    Notice = apps.get_model("consortia", "HolidayNotice")
    Day = apps.get_model("consortia", "HolidayDay")
    source = f"chinesecalendar {getattr(chinese_calendar, '__version__', '')}".strip()
    years = sorted({day.year for day in holidays} | {day.year for day in workdays})
    notices = {}
    for year in years:
        notices[year], _created = Notice.objects.get_or_create(year=year, defaults={"source": source})
    rows = [Day(notice=notices[day.year], date=day, kind="holiday", name=NAMES.get(name, name))
            for day, name in holidays.items()]
    rows += [Day(notice=notices[day.year], date=day, kind="workday", name=NAMES.get(name, name))
             for day, name in workdays.items()]
    Day.objects.bulk_create(rows, ignore_conflicts=True)


def backward(apps, schema_editor):
    apps.get_model("consortia", "HolidayNotice").objects.filter(source__startswith="chinesecalendar").delete()


class Migration(migrations.Migration):
    dependencies = [("consortia", "0009_holiday_arrangements")]

    operations = [migrations.RunPython(forward, backward)]
