"""Korean business days: deadline arithmetic against calendars checked by hand.

How the expected dates were checked: for each case the days after the start were walked on a
printed month calendar, crossing out weekends and the public holidays of 관공서의 공휴일에 관한
규정 as the government announced them (lunar holidays, substitute holidays by the rule of each
year, temporary holidays and election days); the walk is written out in the comment of each case.
The start day is not counted (Civil Act art. 157).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from datanuri.desk import calendar as cal
from datanuri.desk.calendar import (
    Holidays,
    add_business_days,
    business_days_between,
    deadline_end,
    kst_date,
    load_holidays,
)
from datanuri.errors import ConfigError, InvalidInput
from datanuri.i18n import translate

D = dt.date


@pytest.fixture(scope="module")
def kr() -> Holidays:
    return load_holidays()


# --- the shipped table ---------------------------------------------------------------------------

# Every public holiday of 2023, 2024 and 2025, written from the government's announced calendars.
HOLIDAYS_2023_2025 = {
    2023: [
        "01-01",  # 신정 (Sun)
        "01-21", "01-22", "01-23",  # 설날 연휴 (Sat-Mon)
        "01-24",  # 대체공휴일: 설날 on a Sunday
        "03-01",  # 삼일절
        "05-05",  # 어린이날
        "05-27",  # 부처님오신날 (Sat)
        "05-29",  # 대체공휴일 for 부처님오신날 (substitute since 2023-05)
        "06-06",  # 현충일
        "08-15",  # 광복절
        "09-28", "09-29", "09-30",  # 추석 연휴 (Thu-Sat; Saturday gives no substitute)
        "10-02",  # 임시공휴일
        "10-03",  # 개천절
        "10-09",  # 한글날
        "12-25",  # 성탄절
    ],
    2024: [
        "01-01",  # 신정
        "02-09", "02-10", "02-11",  # 설날 연휴 (Fri-Sun)
        "02-12",  # 대체공휴일: 설날 on a Sunday
        "03-01",  # 삼일절
        "04-10",  # 제22대 국회의원선거
        "05-05",  # 어린이날 (Sun)
        "05-06",  # 대체공휴일 for 어린이날
        "05-15",  # 부처님오신날
        "06-06",  # 현충일
        "08-15",  # 광복절
        "09-16", "09-17", "09-18",  # 추석 연휴 (Mon-Wed)
        "10-01",  # 임시공휴일 (국군의 날)
        "10-03",  # 개천절
        "10-09",  # 한글날
        "12-25",  # 성탄절
    ],
    2025: [
        "01-01",  # 신정
        "01-27",  # 임시공휴일
        "01-28", "01-29", "01-30",  # 설날 연휴 (Tue-Thu)
        "03-01",  # 삼일절 (Sat)
        "03-03",  # 대체공휴일 for 삼일절
        "05-05",  # 어린이날 = 부처님오신날
        "05-06",  # 대체공휴일 (one day for both)
        "06-03",  # 제21대 대통령선거
        "06-06",  # 현충일
        "08-15",  # 광복절
        "10-03",  # 개천절
        "10-05", "10-06", "10-07",  # 추석 연휴 (Sun-Tue)
        "10-08",  # 대체공휴일: 추석 on a Sunday
        "10-09",  # 한글날
        "12-25",  # 성탄절
    ],
}  # fmt: skip

# Public holidays per year (weekend ones included), counted by hand from the rules of each year:
# 3 days each of 설날 and 추석, the fixed days, 부처님오신날, substitutes, temporary and election days,
# and from 2026 노동절 and 제헌절. A date with two holidays (2017-10-03, 2025-05-05, 2028-10-03)
# counts once.
COUNT_PER_YEAR = {
    2015: 17,  # + 08-14 임시, 09-29 추석 대체
    2016: 18,  # + 02-10 설 대체, 04-13 총선, 05-06 임시
    2017: 18,  # + 01-30 설 대체, 05-09 대선, 10-02 임시, 10-06 추석 대체; 10-03 개천절·추석 전날
    2018: 18,  # + 05-07 어린이날 대체, 06-13 지선, 09-26 추석 대체
    2019: 16,  # + 05-06 어린이날 대체
    2020: 18,  # + 01-27 설 대체, 04-15 총선, 08-17 임시
    2021: 18,  # + 08-16, 10-04, 10-11 (substitutes since 2021-08)
    2022: 19,  # + 03-09 대선, 06-01 지선, 09-12 추석 대체, 10-10 한글날 대체
    2023: 18,
    2024: 19,
    2025: 19,
    2026: 22,  # + 노동절, 제헌절, 03-02/05-25/08-17/10-05 대체, 06-03 지선
    2027: 24,  # + 노동절, 제헌절, 02-09/05-03/07-19/08-16/10-04/10-11/12-27 대체
    2028: 18,  # + 노동절, 제헌절, 04-12 총선, 10-05 추석 대체; 10-03 개천절·추석
    2029: 20,  # + 노동절, 제헌절, 05-07/05-21/09-24 대체
    2030: 21,  # + 노동절, 제헌절, 02-05/05-06 대체, 03-27 대선, 06-12 지선
}


def test_shipped_table_covers_2015_to_2030(kr: Holidays) -> None:
    assert (kr.first_year, kr.last_year) == (2015, 2030)


@pytest.mark.parametrize("year", sorted(HOLIDAYS_2023_2025))
def test_holidays_of_a_year_date_by_date(kr: Holidays, year: int) -> None:
    expected = [D.fromisoformat(f"{year}-{md}") for md in HOLIDAYS_2023_2025[year]]
    assert kr.in_year(year) == expected


def test_count_of_holidays_per_year(kr: Holidays) -> None:
    counted = {year: len(kr.in_year(year)) for year in range(2015, 2031)}
    assert counted == COUNT_PER_YEAR


@pytest.mark.parametrize(
    ("day", "kind", "name_ko"),
    [
        (D(2025, 10, 8), "substitute", "대체공휴일(추석)"),
        (D(2025, 5, 6), "substitute", "대체공휴일(어린이날·부처님오신날)"),
        (D(2021, 8, 16), "substitute", "대체공휴일(광복절)"),
        (D(2023, 5, 29), "substitute", "대체공휴일(부처님오신날)"),
        (D(2023, 10, 2), "temporary", "임시공휴일"),
        (D(2024, 10, 1), "temporary", "임시공휴일(국군의 날)"),
        (D(2024, 4, 10), "election", "국회의원선거일"),
        (D(2025, 6, 3), "election", "대통령선거일"),
        (D(2026, 6, 3), "election", "지방선거일"),
        (D(2024, 9, 17), "lunar", "추석"),
        (D(2024, 2, 10), "lunar", "설날"),
        (D(2025, 5, 5), "fixed", "어린이날·부처님오신날"),
    ],
)
def test_kind_and_name(kr: Holidays, day: D, kind: str, name_ko: str) -> None:
    assert kr.kinds[day] == kind
    assert kr.names[day][0] == name_ko
    assert kr.names[day][1]  # an English name too


def test_ordinary_days_are_business_days(kr: Holidays) -> None:
    # 2025-05-01 근로자의 날 was not a public holiday before 2026; 2024-10-02 is a Wednesday
    # between two holidays; 2022-12-26 is the Monday after a Sunday Christmas (no substitute
    # before 2023-05).
    for day in (D(2025, 5, 1), D(2024, 10, 2), D(2022, 12, 26), D(2016, 10, 10)):
        assert kr.is_business_day(day), day
    assert not kr.is_business_day(D(2025, 10, 11))  # a Saturday


# --- deadline arithmetic ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        # 2025 추석: received Tue 09-30 -> 10-01 (1), 10-02 (2), 10-03 개천절, 10-04/05 weekend
        # and 추석 전날, 10-06 추석, 10-07 다음날, 10-08 대체, 10-09 한글날, 10-10 (3), 10-13..17
        # (4-8), 10-20 (9), 10-21 (10).
        (D(2025, 9, 30), 10, D(2025, 10, 21)),
        # 2024 추석 09-16..18: received Fri 09-13 -> 09-19 (1), 09-20 (2), 09-23..27 (3-7),
        # 09-30 (8), 10-01 임시공휴일, 10-02 (9), 10-03 개천절, 10-04 (10).
        (D(2024, 9, 13), 10, D(2024, 10, 4)),
        # 설 2024 02-09..11 + 대체 02-12: received Thu 02-08 -> 02-13..16 (1-4), 02-19..23 (5-9),
        # 02-26 (10).
        (D(2024, 2, 8), 10, D(2024, 2, 26)),
        # 2023-10-02 임시공휴일 after 추석 09-28..30 and before 개천절: received Wed 09-27 ->
        # 10-04..06 (1-3), 10-09 한글날, 10-10..13 (4-7), 10-16..18 (8-10).
        (D(2023, 9, 27), 10, D(2023, 10, 18)),
        # 어린이날 2024 on a Sunday -> 대체 Mon 05-06: received Fri 05-03 -> 05-07..10 (1-4),
        # 05-13/14 (5, 6), 05-15 부처님오신날, 05-16/17 (7, 8), 05-20/21 (9, 10).
        (D(2024, 5, 3), 10, D(2024, 5, 21)),
        # 2025-05-05 어린이날 = 부처님오신날 -> one 대체 Tue 05-06: received Fri 05-02 ->
        # 05-07..09 (1-3), 05-12..16 (4-8), 05-19/20 (9, 10).
        (D(2025, 5, 2), 10, D(2025, 5, 20)),
        # 광복절 2021 on a Sunday -> 대체 Mon 08-16 (the first substitute for it): received Fri
        # 08-13 -> 08-17..20 (1-4), 08-23..27 (5-9), 08-30 (10).
        (D(2021, 8, 13), 10, D(2021, 8, 30)),
        # 부처님오신날 2023-05-27 (Sat) -> 대체 Mon 05-29: received Fri 05-26 -> 05-30..06-02
        # (1-4), 06-05 (5), 06-06 현충일, 06-07..09 (6-8), 06-12/13 (9, 10).
        (D(2023, 5, 26), 10, D(2023, 6, 13)),
        # 국회의원선거일 Wed 2024-04-10: received Fri 04-05 -> 04-08/09 (1, 2), 04-11/12 (3, 4),
        # 04-15..19 (5-9), 04-22 (10).
        (D(2024, 4, 5), 10, D(2024, 4, 22)),
        # Year end: received Fri 2024-12-20 -> 12-23/24 (1, 2), 12-25 성탄절, 12-26/27 (3, 4),
        # 12-30/31 (5, 6), 2025-01-01 신정, 01-02/03 (7, 8), 01-06/07 (9, 10).
        (D(2024, 12, 20), 10, D(2025, 1, 7)),
        # 2025-01-27 임시공휴일 + 설 01-28..30: received Fri 01-24 -> 01-31 (1), 02-03..07 (2-6),
        # 02-10..13 (7-10).
        (D(2025, 1, 24), 10, D(2025, 2, 13)),
        # A request received on a holiday: received Sun 2025-10-05 (추석 전날) -> 10-10 (1),
        # 10-13..17 (2-6), 10-20..23 (7-10).
        (D(2025, 10, 5), 10, D(2025, 10, 23)),
        # Extension by 10 from the 2025 추석 deadline 10-21: 10-22..24 (1-3), 10-27..31 (4-8),
        # 11-03/04 (9, 10).
        (D(2025, 10, 21), 10, D(2025, 11, 4)),
        (D(2025, 9, 30), 20, D(2025, 11, 4)),
        # Zero days: the day itself.
        (D(2025, 10, 6), 0, D(2025, 10, 6)),
    ],
)
def test_add_business_days(kr: Holidays, received: D, days: int, due: D) -> None:
    assert add_business_days(received, days, kr) == due
    assert business_days_between(received, due, kr) == days


def test_extension_adds_ten_more_business_days(kr: Holidays) -> None:
    rng = random.Random(20)
    for _ in range(300):
        start = D(2015, 1, 1) + dt.timedelta(days=rng.randrange(5800))  # up to 2030-11
        first = add_business_days(start, 10, kr)
        assert add_business_days(first, 10, kr) == add_business_days(start, 20, kr)


def test_count_after_adding_gives_back_the_days(kr: Holidays) -> None:
    """add then count = days; the result is a business day; the day before it counts one less."""
    rng = random.Random(157)
    for _ in range(1000):
        start = D(2015, 1, 1) + dt.timedelta(days=rng.randrange(5800))
        days = rng.randrange(1, 41)
        due = add_business_days(start, days, kr)
        assert kr.is_business_day(due), (start, days, due)
        assert business_days_between(start, due, kr) == days, (start, days)
        assert business_days_between(start, due - dt.timedelta(days=1), kr) == days - 1
        assert business_days_between(due, start, kr) == 0


def test_count_between_by_hand(kr: Holidays) -> None:
    # 2025-09-30 (excluded) .. 2025-10-31: October 2025 has 23 weekdays, of which 10-03, 10-06,
    # 10-07, 10-08, 10-09 are holidays (10-05 is a Sunday): 18.
    assert business_days_between(D(2025, 9, 30), D(2025, 10, 31), kr) == 18
    # A whole year: 2024 (leap, from a Monday) has 52 * 5 + 2 = 262 weekdays, of which 16 are
    # holidays: 01-01, 02-09, 02-12, 03-01, 04-10, 05-06, 05-15, 06-06, 08-15, 09-16, 09-17,
    # 09-18, 10-01, 10-03, 10-09, 12-25.
    assert business_days_between(D(2023, 12, 31), D(2024, 12, 31), kr) == 262 - 16


def test_negative_days_are_a_programming_error(kr: Holidays) -> None:
    with pytest.raises(ValueError):
        add_business_days(D(2025, 1, 2), -1, kr)


# --- years the table does not cover --------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days"),
    [
        (D(2031, 1, 2), 10),  # starts after the table
        (D(2014, 12, 30), 1),  # starts before it
        (D(2030, 12, 24), 10),  # runs into 2031: not counted as if 2031 had no holidays
    ],
)
def test_out_of_range_year_is_refused(kr: Holidays, start: D, days: int) -> None:
    with pytest.raises(InvalidInput) as err:
        add_business_days(start, days, kr)
    assert "update the holiday file" in err.value.message
    assert "(2015-2030)" in err.value.message
    korean = translate(err.value.message, "ko")
    assert "공휴일 파일" in korean and "(2015-2030)" in korean


def test_out_of_range_in_count_and_in_is_business_day(kr: Holidays) -> None:
    with pytest.raises(InvalidInput):
        business_days_between(D(2030, 12, 1), D(2031, 1, 5), kr)
    with pytest.raises(InvalidInput):
        kr.is_business_day(D(2031, 1, 2))
    # the last covered days still work: Mon 2030-12-16 -> 12-17..20 (1-4), 12-23/24 (5, 6),
    # 12-25 성탄절, 12-26/27 (7, 8), 12-30/31 (9, 10).
    assert add_business_days(D(2030, 12, 16), 10, kr) == D(2030, 12, 31)


# --- an operator's file --------------------------------------------------------------------------

HEADER = "date,name_ko,name_en,kind\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_operator_file_replaces_the_shipped_table(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "# our own table\n"
        + HEADER
        + "2031-01-01,신정,New Year's Day,fixed\n\n"
        + "2031-01-02,회사 휴무,Office closed,temporary\n"
        + "2032-01-01,신정,New Year's Day,fixed\n",
    )
    h = load_holidays(path)
    assert (h.first_year, h.last_year) == (2031, 2032)
    assert h.names[D(2031, 1, 2)] == ("회사 휴무", "Office closed")
    # Tue 2030-12-31 is outside; Wed 2031-01-01 and Thu 01-02 are holidays: Fri 01-03 (1),
    # Mon 01-06 (2).
    assert add_business_days(D(2031, 1, 1), 2, h) == D(2031, 1, 6)
    with pytest.raises(InvalidInput):
        add_business_days(D(2030, 12, 31), 2, h)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "2031-01-01,신정,New Year's Day,fixed\n2031-13-01,x,y,fixed\n",
            cal.MSG_HOLIDAYS_DATE.format(line=3, path="{path}", value="2031-13-01"),
        ),
        (
            "2031-01-01,신정,New Year's Day,fixed\n2031/03/01,삼일절,x,fixed\n",
            cal.MSG_HOLIDAYS_DATE.format(line=3, path="{path}", value="2031/03/01"),
        ),
        (
            "2031-01-01,신정,New Year's Day,fixed\n2031-01-01,신정,New Year's Day,fixed\n",
            cal.MSG_HOLIDAYS_DUPLICATE.format(line=3, path="{path}", day="2031-01-01", first=2),
        ),
        (
            "2031-01-01,신정,,fixed\n",
            cal.MSG_HOLIDAYS_NAME.format(line=2, path="{path}"),
        ),
        (
            "2031-01-01,신정,New Year's Day,holiday\n",
            cal.MSG_HOLIDAYS_KIND.format(line=2, path="{path}", value="holiday"),
        ),
        (
            "2031-01-01,신정,New Year's Day\n",
            cal.MSG_HOLIDAYS_COLUMNS.format(line=2, path="{path}", count=3),
        ),
        (
            "2031-01-01,신정,New Year's Day,fixed\n2033-01-01,신정,New Year's Day,fixed\n",
            cal.MSG_HOLIDAYS_YEAR_GAP.format(path="{path}", year=2032, first=2031, last=2033),
        ),
        ("", cal.MSG_HOLIDAYS_EMPTY.format(path="{path}")),
    ],
)
def test_malformed_operator_file(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, HEADER + body)
    with pytest.raises(ConfigError) as err:
        load_holidays(path)
    assert err.value.message == message.replace("{path}", str(path))
    assert translate(err.value.message, "ko").startswith(f"공휴일 파일 {path}")


def test_file_without_header_or_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "2031-01-01,신정,New Year's Day,fixed\n")
    with pytest.raises(ConfigError) as err:
        load_holidays(path)
    assert "must start with the line date,name_ko,name_en,kind" in err.value.message
    assert str(path) in err.value.message
    with pytest.raises(ConfigError) as err:
        load_holidays(tmp_path / "nowhere.csv")
    assert "cannot be read" in err.value.message


# --- instants and Korean dates -------------------------------------------------------------------


def test_deadline_end_is_midnight_in_korea() -> None:
    end = deadline_end(D(2025, 10, 21))
    assert end.tzinfo is not None and end.utcoffset() == dt.timedelta(0)
    assert end == dt.datetime(2025, 10, 21, 14, 59, 59, 999999, tzinfo=dt.UTC)
    assert kst_date(end) == D(2025, 10, 21)
    assert kst_date(end + dt.timedelta(microseconds=1)) == D(2025, 10, 22)


def test_kst_date() -> None:
    # 15:00 UTC is midnight in Seoul (UTC+9, no daylight saving)
    assert kst_date(dt.datetime(2025, 9, 30, 14, 59, tzinfo=dt.UTC)) == D(2025, 9, 30)
    assert kst_date(dt.datetime(2025, 9, 30, 15, 0, tzinfo=dt.UTC)) == D(2025, 10, 1)
    assert kst_date(dt.datetime(2025, 9, 30, 15, 0)) == D(2025, 10, 1)  # naive = UTC, as stored
    seoul = dt.timezone(dt.timedelta(hours=9))
    assert kst_date(dt.datetime(2025, 10, 1, 0, 30, tzinfo=seoul)) == D(2025, 10, 1)
