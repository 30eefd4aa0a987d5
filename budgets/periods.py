"""Payment periods: a month `2025-03` (month-end runs) or a quarter `2025-Q2` (quarter-start runs)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

PATTERN = re.compile(r"^(?P<year>\d{4})-(?:(?P<month>0[1-9]|1[0-2])|Q(?P<quarter>[1-4]))$")


@dataclass(frozen=True)
class Period:
    year: int
    month: int | None = None
    quarter: int | None = None

    def __str__(self):
        return f"{self.year}-{self.month:02d}" if self.month else f"{self.year}-Q{self.quarter}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month or (self.quarter - 1) * 3 + 1, 1)


def parse_period(text: str) -> Period:
    match = PATTERN.match((text or "").strip())
    if not match:
        raise ValueError(_("A period is a month like 2025-03 or a quarter like 2025-Q2; %(text)s is neither.")
                         % {"text": text})
    year = int(match["year"])
    if match["month"]:
        return Period(year, month=int(match["month"]))
    return Period(year, quarter=int(match["quarter"]))


def month_end_period(today: datetime.date) -> Period | None:
    """The month whose end is today, or None: the month-end job runs daily near the end of a month."""
    if (today + datetime.timedelta(days=1)).month != today.month:
        return Period(today.year, month=today.month)
    return None


def quarter_start_period(today: datetime.date) -> Period | None:
    if today.day == 1 and today.month in (1, 4, 7, 10):
        return Period(today.year, quarter=(today.month - 1) // 3 + 1)
    return None
