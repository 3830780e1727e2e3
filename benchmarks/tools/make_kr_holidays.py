"""Write `datanuri/desk/data/kr_holidays.csv`: the Korean public holidays the desk's deadlines skip.

Run by a maintainer when the table needs more years or a new holiday, never at run time:

    python benchmarks/tools/make_kr_holidays.py [FIRST LAST]    # default 2015 2030

The lunar dates (설날, 추석, 부처님오신날), the substitute-holiday rules and the announced
temporary and election days come from the `holidays` package (`pip install holidays`; version
0.109 wrote the shipped file); it is not a datanuri dependency: the runtime reads the CSV only.
The names are normalised to the project's (Korean, English) and each date is written once, with
the names of holidays that fall on the same day joined by "·" / "; ". The script refuses to write
when a date the team checked by hand (`KNOWN`) is missing or of another kind.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

import holidays  # type: ignore[import-not-found,unused-ignore]

OUT = Path(__file__).resolve().parents[2] / "datanuri" / "desk" / "data" / "kr_holidays.csv"

# the package's Korean name -> (Korean, English, kind) as the CSV writes them
NAMES: dict[str, tuple[str, str, str]] = {
    "신정연휴": ("신정", "New Year's Day", "fixed"),
    "삼일절": ("삼일절", "Independence Movement Day", "fixed"),
    "노동절": ("노동절", "Labour Day", "fixed"),
    "어린이날": ("어린이날", "Children's Day", "fixed"),
    "현충일": ("현충일", "Memorial Day", "fixed"),
    "제헌절": ("제헌절", "Constitution Day", "fixed"),
    "광복절": ("광복절", "Liberation Day", "fixed"),
    "개천절": ("개천절", "National Foundation Day", "fixed"),
    "한글날": ("한글날", "Hangul Day", "fixed"),
    "기독탄신일": ("성탄절", "Christmas Day", "fixed"),
    "설날 전날": ("설날 전날", "Day before Seollal", "lunar"),
    "설날": ("설날", "Seollal (Lunar New Year)", "lunar"),
    "설날 다음날": ("설날 다음날", "Day after Seollal", "lunar"),
    "석가탄신일": ("부처님오신날", "Buddha's Birthday", "lunar"),
    "부처님오신날": ("부처님오신날", "Buddha's Birthday", "lunar"),
    "추석 전날": ("추석 전날", "Day before Chuseok", "lunar"),
    "추석": ("추석", "Chuseok", "lunar"),
    "추석 다음날": ("추석 다음날", "Day after Chuseok", "lunar"),
    "임시공휴일": ("임시공휴일", "Temporary public holiday", "temporary"),
    "국군의 날": (
        "임시공휴일(국군의 날)",
        "Temporary public holiday (Armed Forces Day)",
        "temporary",
    ),
    "국회의원 선거일": ("국회의원선거일", "National Assembly election day", "election"),
    "대통령 선거일": ("대통령선거일", "Presidential election day", "election"),
    "지방선거일": ("지방선거일", "Local election day", "election"),
}
SUBSTITUTE_SUFFIX = " 대체 휴일"
KIND_ORDER = ("fixed", "lunar", "election", "temporary", "substitute")

# Dates checked by hand against the government's published calendars (see the README).
KNOWN: dict[str, str] = {
    "2015-08-14": "temporary", "2016-05-06": "temporary", "2017-10-02": "temporary",
    "2020-08-17": "temporary", "2023-10-02": "temporary", "2024-10-01": "temporary",
    "2025-01-27": "temporary",
    "2016-04-13": "election", "2017-05-09": "election", "2018-06-13": "election",
    "2020-04-15": "election", "2022-03-09": "election", "2022-06-01": "election",
    "2024-04-10": "election", "2025-06-03": "election", "2026-06-03": "election",
    "2028-04-12": "election",
    "2021-08-16": "substitute", "2023-05-29": "substitute", "2024-02-12": "substitute",
    "2024-05-06": "substitute", "2025-05-06": "substitute", "2025-10-08": "substitute",
}  # fmt: skip


def entry(package_name: str) -> tuple[str, str, str]:
    """(Korean, English, kind) of one of the package's holiday names."""
    if package_name.endswith(SUBSTITUTE_SUFFIX):
        ko, en, _ = NAMES[package_name.removesuffix(SUBSTITUTE_SUFFIX)]
        return f"대체공휴일({ko})", f"Substitute holiday ({en})", "substitute"
    return NAMES[package_name]


def order(package_name: str) -> int:
    """Where a holiday (or the one a substitute stands for) sorts among those of its date."""
    return KIND_ORDER.index(NAMES[package_name.removesuffix(SUBSTITUTE_SUFFIX)][2])


def rows(first: int, last: int) -> list[tuple[str, str, str, str]]:
    """One row per date: date, Korean name(s), English name(s), kind."""
    table = holidays.country_holidays("KR", years=range(first, last + 1), language="ko")
    out = []
    for day in sorted(table):
        names = list(dict.fromkeys(table.get_list(day)))  # the package's order, once each
        # fixed before lunar..., and a substitute's holidays in the order of their own kinds
        names.sort(key=lambda n: (KIND_ORDER.index(entry(n)[2]), order(n)))
        entries = [entry(n) for n in names]
        if all(e[2] == "substitute" for e in entries) and len(entries) > 1:
            # one substitute day for two holidays on the same date (2025-05-06)
            inner_ko = "·".join(e[0].removeprefix("대체공휴일(").removesuffix(")") for e in entries)
            inner_en = "; ".join(
                e[1].removeprefix("Substitute holiday (").removesuffix(")") for e in entries
            )
            entries = [
                (f"대체공휴일({inner_ko})", f"Substitute holiday ({inner_en})", "substitute")
            ]
        ko = "·".join(dict.fromkeys(e[0] for e in entries))
        en = "; ".join(dict.fromkeys(e[1] for e in entries))
        out.append((day.isoformat(), ko, en, entries[0][2]))
    return out


def main(argv: list[str]) -> int:
    first, last = (int(argv[0]), int(argv[1])) if argv else (2015, 2030)
    table = rows(first, last)
    kinds = {r[0]: r[3] for r in table}
    for day, kind in KNOWN.items():
        if first <= dt.date.fromisoformat(day).year <= last and kinds.get(day) != kind:
            print(f"{day}: expected {kind}, the package gives {kinds.get(day)}", file=sys.stderr)
            return 1
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(("date", "name_ko", "name_en", "kind"))
        writer.writerows(table)
    print(f"wrote {len(table)} holidays {first}-{last} to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
