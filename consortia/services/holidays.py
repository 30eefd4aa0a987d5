"""The State Council's holiday arrangement of a year, entered or imported by the administrator:
saved whole or not at all, with history. Deadlines counted in working days (S3) read it at once."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import HolidayDay, HolidayNotice, User
from ..selectors import sees_everything

KINDS = {"休": HolidayDay.Kind.HOLIDAY, "放假": HolidayDay.Kind.HOLIDAY, "holiday": HolidayDay.Kind.HOLIDAY,
         "班": HolidayDay.Kind.WORKDAY, "上班": HolidayDay.Kind.WORKDAY, "workday": HolidayDay.Kind.WORKDAY}


def _parse_day(text: str) -> datetime.date | None:
    text = text.strip().replace("/", "-").replace("年", "-").replace("月", "-").rstrip("日")
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return datetime.date(year, month, day)
    except ValueError:
        return None


def holiday_lines_parse(*, year: int, lines: list[list[str]]) -> tuple[list[tuple], list[str]]:
    """Rows of (date, kind, holiday name) as typed or imported: each checked, every problem named
    by its line number. A make-up working day is a Saturday or Sunday; a date lies in the year (or
    the days around New Year that the notice arranges)."""
    days, problems, seen = [], [], set()
    first, last = datetime.date(year - 1, 12, 1), datetime.date(year + 1, 1, 31)
    for number, cells in enumerate(lines, start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if len(cells) < 2:
            problems.append(_("Line %(n)s: give the date and whether it is 休 (day off) or 班 (make-up working day).")
                            % {"n": number})
            continue
        day, kind, name = _parse_day(cells[0]), KINDS.get(cells[1]), (cells[2] if len(cells) > 2 else "")[:50]
        if day is None:
            problems.append(_("Line %(n)s: %(text)s is not a date such as 2027-01-01.") % {"n": number,
                                                                                          "text": cells[0][:20]})
            continue
        if kind is None:
            problems.append(_("Line %(n)s: the kind must be 休 (day off) or 班 (make-up working day), not %(text)s.")
                            % {"n": number, "text": cells[1][:20]})
            continue
        if not first <= day <= last:
            problems.append(_("Line %(n)s: %(day)s is not in the arrangement of %(year)s.")
                            % {"n": number, "day": day.isoformat(), "year": year})
            continue
        if kind == HolidayDay.Kind.WORKDAY and day.weekday() < 5:
            problems.append(_("Line %(n)s: %(day)s is a weekday; a make-up working day is a Saturday or Sunday.")
                            % {"n": number, "day": day.isoformat()})
            continue
        if day in seen:
            problems.append(_("Line %(n)s: %(day)s is listed twice.") % {"n": number, "day": day.isoformat()})
            continue
        seen.add(day)
        days.append((day, kind, name))
    if not days and not problems:
        problems.append(_("List the days off and make-up working days of the notice, one per line."))
    return days, problems


@transaction.atomic
def holiday_notice_save(*, year: int, notice_number: str, published_on: datetime.date | None, days: list[tuple],
                        user: User) -> HolidayNotice:
    """The year's arrangement as the notice gives it, replacing what was entered for the year
    before (history keeps the old rows). Only the administrator keeps it."""
    if not sees_everything(user):
        raise ValidationError(_("Only the administrator keeps the holiday arrangements."))
    taken = dict(HolidayDay.objects.filter(date__in=[d for d, _k, _n in days]).exclude(notice__year=year)
                 .values_list("date", "notice__year"))
    if taken:
        raise ValidationError([_("%(day)s belongs to the arrangement of %(year)s already.")
                               % {"day": day.isoformat(), "year": other} for day, other in sorted(taken.items())])
    notice, _created = HolidayNotice.objects.select_for_update().get_or_create(year=year)
    notice.notice_number, notice.published_on, notice.entered_by = notice_number.strip(), published_on, user
    notice.source = _("entered on the holidays page")
    notice.full_clean()
    notice.save()
    for old in notice.days.all():
        old.delete()  # one by one, so each leaves its history
    for day, kind, name in days:
        row = HolidayDay(notice=notice, date=day, kind=kind, name=name)
        row.full_clean(validate_unique=False)
        row.save()
    return notice
