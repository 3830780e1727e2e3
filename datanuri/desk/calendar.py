"""Korean business days for the desk's deadlines: weekends and public holidays (with substitute
and temporary holidays) are not counted; the holidays are data the project ships
(`data/kr_holidays.csv`) and an operator can replace (config `desk_holidays_path`).

INTERFACE STUB: the signatures are fixed; the bodies are replaced by the calendar work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Holidays:
    """Non-working days other than weekends, with their names as (Korean, English)."""

    names: Mapping[dt.date, tuple[str, str]] = field(default_factory=dict)
    first_year: int = 0  # the years the data covers; dates outside raise InvalidInput
    last_year: int = 9999

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.names


def load_holidays(path: Path | None = None) -> Holidays:
    """The shipped holiday table, or the operator's file at `path` (same CSV shape)."""
    return Holidays()


def add_business_days(start: dt.date, days: int, holidays: Holidays) -> dt.date:
    """The `days`-th business day after `start` (the start day itself is not counted, as in
    Civil Act art. 157), e.g. the answer deadline of a request received on `start`."""
    day, left = start, days
    while left > 0:
        day += dt.timedelta(days=1)
        if holidays.is_business_day(day):
            left -= 1
    return day


def business_days_between(start: dt.date, end: dt.date, holidays: Holidays) -> int:
    """Business days after `start` up to and including `end` (0 when `end` <= `start`)."""
    n, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        n += holidays.is_business_day(day)
    return n
