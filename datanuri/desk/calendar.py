"""Korean business days for the desk's deadlines: weekends and public holidays (with substitute
and temporary holidays and election days) are not counted; the holidays are data the project
ships (`data/kr_holidays.csv`, written by `benchmarks/tools/make_kr_holidays.py`) and an
operator can replace (config `desk_holidays_path`). The runtime reads only the CSV.

A date outside the years the table covers raises `InvalidInput` instead of being counted as if
only weekends were holidays: a deadline must never be computed from a calendar that does not
know the year. Pure logic, no database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from datanuri.errors import ConfigError, InvalidInput

KST = ZoneInfo("Asia/Seoul")  # Korean deadlines end at midnight in Korea
HEADER = ("date", "name_ko", "name_en", "kind")
KINDS = ("fixed", "lunar", "substitute", "temporary", "election")
SHIPPED = "datanuri/desk/data/kr_holidays.csv"  # how messages name the shipped file

# Messages (English; the Korean is in datanuri/i18n/ko.po). Tests import these names.
MSG_HOLIDAYS_UNREADABLE = (
    "The holiday file {path} cannot be read: {reason}. Fix it, or remove the setting "
    "desk_holidays_path to use the shipped table."
)
MSG_HOLIDAYS_HEADER = (
    "The holiday file {path} must start with the line date,name_ko,name_en,kind "
    "(it starts with {found!r})."
)
MSG_HOLIDAYS_COLUMNS = (
    "Line {line} of the holiday file {path} has {count} columns; each line needs 4: "
    "date,name_ko,name_en,kind."
)
MSG_HOLIDAYS_DATE = (
    "Line {line} of the holiday file {path}: {value!r} is not a date written as YYYY-MM-DD."
)
MSG_HOLIDAYS_DUPLICATE = (
    "Line {line} of the holiday file {path}: {day} is already on line {first}. Write each date "
    "once, with the names of holidays on the same day joined."
)
MSG_HOLIDAYS_NAME = (
    "Line {line} of the holiday file {path}: both the Korean and the English name are needed."
)
MSG_HOLIDAYS_KIND = (
    "Line {line} of the holiday file {path}: the kind {value!r} is not one of fixed, lunar, "
    "substitute, temporary, election."
)
MSG_HOLIDAYS_EMPTY = "The holiday file {path} lists no holidays."
MSG_HOLIDAYS_YEAR_GAP = (
    "The holiday file {path} lists no holidays in {year}, between {first} and {last}: add that "
    "year's public holidays."
)
MSG_HOLIDAYS_OUT_OF_RANGE = (
    "{day} is outside the years the holiday table covers ({first}-{last}), so no deadline can "
    "be counted in business days: update the holiday file (setting desk_holidays_path) with "
    "that year's public holidays."
)


@dataclass(frozen=True)
class Holidays:
    """Non-working days other than weekends, with their names as (Korean, English)."""

    names: Mapping[dt.date, tuple[str, str]] = field(default_factory=dict)
    first_year: int = 0  # the years the data covers; dates outside raise InvalidInput
    last_year: int = 9999
    kinds: Mapping[dt.date, str] = field(default_factory=dict)  # fixed, lunar, substitute...

    def covers(self, day: dt.date) -> bool:
        """Whether `day` is in a year the table lists the holidays of."""
        return self.first_year <= day.year <= self.last_year

    def check(self, day: dt.date) -> None:
        """Raise `InvalidInput` when the table does not cover `day`'s year."""
        if not self.covers(day):
            raise InvalidInput(
                MSG_HOLIDAYS_OUT_OF_RANGE.format(
                    day=day.isoformat(), first=self.first_year, last=self.last_year
                )
            )

    def is_business_day(self, day: dt.date) -> bool:
        """Monday to Friday and not a public holiday; `InvalidInput` outside the covered years."""
        self.check(day)
        return day.weekday() < 5 and day not in self.names

    def in_year(self, year: int) -> list[dt.date]:
        """The holidays of `year`, in order (weekend ones included)."""
        return sorted(d for d in self.names if d.year == year)


def _shipped_text() -> str:
    return (
        resources.files("datanuri.desk")
        .joinpath("data/kr_holidays.csv")
        .read_text(encoding="utf-8")
    )


def load_holidays(path: Path | None = None) -> Holidays:
    """The shipped holiday table, or the operator's file at `path` (same CSV shape: a header
    line `date,name_ko,name_en,kind`, one line per date; blank lines and lines starting with
    `#` are skipped). A malformed file raises `ConfigError` naming the line."""
    label = SHIPPED if path is None else str(path)
    try:
        text = _shipped_text() if path is None else Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(MSG_HOLIDAYS_UNREADABLE.format(path=label, reason=reason)) from exc
    return parse_holidays(text, label)


def parse_holidays(text: str, label: str = SHIPPED) -> Holidays:
    """The holidays in CSV `text`; `label` names the file in error messages."""
    names: dict[dt.date, tuple[str, str]] = {}
    kinds: dict[dt.date, str] = {}
    lines: dict[dt.date, int] = {}
    header_seen = False
    reader = csv.reader(io.StringIO(text))
    for row in reader:
        line = reader.line_num
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in row]
        if not header_seen:
            if tuple(c.lower() for c in cells) != HEADER:
                raise ConfigError(MSG_HOLIDAYS_HEADER.format(path=label, found=",".join(row)))
            header_seen = True
            continue
        if len(cells) != len(HEADER):
            raise ConfigError(MSG_HOLIDAYS_COLUMNS.format(line=line, path=label, count=len(cells)))
        raw_day, name_ko, name_en, kind = cells
        try:
            day = dt.date.fromisoformat(raw_day)
        except ValueError:
            day = None
        if day is None or len(raw_day) != 10:
            raise ConfigError(MSG_HOLIDAYS_DATE.format(line=line, path=label, value=raw_day))
        if day in lines:
            raise ConfigError(
                MSG_HOLIDAYS_DUPLICATE.format(
                    line=line, path=label, day=day.isoformat(), first=lines[day]
                )
            )
        if not name_ko or not name_en:
            raise ConfigError(MSG_HOLIDAYS_NAME.format(line=line, path=label))
        if kind not in KINDS:
            raise ConfigError(MSG_HOLIDAYS_KIND.format(line=line, path=label, value=kind))
        names[day], kinds[day], lines[day] = (name_ko, name_en), kind, line
    if not header_seen or not names:
        raise ConfigError(MSG_HOLIDAYS_EMPTY.format(path=label))
    first, last = min(names).year, max(names).year
    listed = {d.year for d in names}
    for year in range(first, last + 1):
        if year not in listed:
            raise ConfigError(
                MSG_HOLIDAYS_YEAR_GAP.format(path=label, year=year, first=first, last=last)
            )
    return Holidays(names=names, first_year=first, last_year=last, kinds=kinds)


def add_business_days(start: dt.date, days: int, holidays: Holidays) -> dt.date:
    """The `days`-th business day after `start` (the start day itself is not counted, as in
    Civil Act art. 157), e.g. the answer deadline of a request received on `start`. The result
    is always a business day (for `days` > 0); `InvalidInput` when the count reaches a year the
    holiday table does not cover."""
    if days < 0:
        raise ValueError(f"days must be 0 or more, got {days}")
    holidays.check(start)
    day, left = start, days
    while left > 0:
        day += dt.timedelta(days=1)
        if holidays.is_business_day(day):
            left -= 1
    return day


def business_days_between(start: dt.date, end: dt.date, holidays: Holidays) -> int:
    """Business days after `start` up to and including `end` (0 when `end` <= `start`), so that
    `business_days_between(s, add_business_days(s, n, h), h) == n`."""
    holidays.check(start)
    holidays.check(end)
    n, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        n += holidays.is_business_day(day)
    return n


def kst_date(t: dt.datetime) -> dt.date:
    """The calendar date in Korea at instant `t` (a naive `t` is taken as UTC, as stored)."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(KST).date()


def deadline_end(due_on: dt.date) -> dt.datetime:
    """The last instant of `due_on` in Korea (23:59:59.999999 KST), as an aware UTC datetime:
    an answer is on time while `answered_at <= deadline_end(due_on)`."""
    end = dt.datetime.combine(due_on, dt.time.max, tzinfo=KST)
    return end.astimezone(dt.UTC)
