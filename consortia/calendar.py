"""Chinese working days as the bureau's holiday table says (HolidayNotice, HolidayDay): days off
and make-up working days of each year whose arrangement is entered. A year not entered yet never
raises: its working days are Monday to Friday, and the calendar notes the year, so whatever was
computed from it is shown as provisional (待公布节假日安排) until the notice is entered."""

from __future__ import annotations

import datetime

from .models import HolidayDay, HolidayNotice


class WorkCalendar:
    """Reads each year once; `unknown_years` holds the years asked about that have no arrangement."""

    def __init__(self):
        self._years: dict[int, tuple[set, set] | None] = {}
        self.unknown_years: set[int] = set()

    def _year(self, year: int) -> tuple[set, set] | None:
        if year not in self._years:
            if HolidayNotice.objects.filter(year=year).exists():
                days = list(HolidayDay.objects.filter(notice__year=year).values_list("date", "kind"))
                self._years[year] = ({d for d, k in days if k == HolidayDay.Kind.HOLIDAY},
                                     {d for d, k in days if k == HolidayDay.Kind.WORKDAY})
            else:
                self._years[year] = None
        return self._years[year]

    def is_workday(self, day: datetime.date) -> bool:
        known = self._year(day.year)
        if known is None:
            self.unknown_years.add(day.year)
            return day.weekday() < 5
        holidays, workdays = known
        return day in workdays or (day.weekday() < 5 and day not in holidays)

    def known(self, year: int) -> bool:
        return self._year(year) is not None
