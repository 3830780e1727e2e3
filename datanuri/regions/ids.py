"""Region ids: "11" for a 시도 (its two-digit administrative code), "11:종로구" for a 시군구
(시군구 have names only in the shipped list). Parsing texts and codes into ids, labels for people
and the shipped order."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from datanuri.regions import parse_regions, sido_list

CODE_LENGTHS = (2, 5, 8, 10)  # 시도, 시군구, 행정동 (8), 법정동/행정동 (10) codes
#: Codes changed when 강원 and 전북 became 특별자치도 (42 → 51, 45 → 52).
LEGACY_CODES = {"42": "51", "45": "52"}


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, tuple[str, str]], dict[str, int]]:
    by_name = {s.name: s.code for s in sido_list()}
    english = {_english_key(s.name_en): s.code for s in sido_list()}
    names = {s.code: (s.name, s.name_en) for s in sido_list()}
    rank: dict[str, int] = {}
    for s in sido_list():
        rank[s.code] = len(rank)
        for g in s.sigungu:
            rank[f"{s.code}:{g}"] = len(rank)
    return by_name, english, names, rank


def _english_key(text: str) -> str:
    key = text.lower().strip()
    for suffix in ("-do", " province", "-si", " special city", " metropolitan city", " city"):
        key = key.removesuffix(suffix)
    return key.replace(" ", "").replace("-", "")


def sido_of_code(value: object) -> str | None:
    """The 시도 id of an administrative code ("11", "11110", "1111010100"), or None."""
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or len(text) not in CODE_LENGTHS:
        return None
    head = LEGACY_CODES.get(text[:2], text[:2])
    return head if head in _tables()[2] else None


def region_ids(text: str | None) -> list[str]:
    """Region ids named in a text: "서울특별시 종로구" → ["11:종로구"], "Gyeonggi-do" → ["41"]."""
    if not text:
        return []
    by_name, english, _, _ = _tables()
    out = [
        by_name[r.sido] if r.sigungu is None else f"{by_name[r.sido]}:{r.sigungu}"
        for r in parse_regions(text)
    ]
    if not out and text.isascii():
        code = english.get(_english_key(text))
        if code:
            out.append(code)
    return out


def to_id(value: str) -> str | None:
    """A region id from an id, a code or a name ("11", "서울특별시", "서울특별시/종로구"), or None."""
    value = value.strip()
    sido, _, sgg = value.partition(":")
    if sido in _tables()[2]:
        return value if not sgg or value in _tables()[3] else None
    found = region_ids(value.replace("/", " "))
    return found[0] if len(found) == 1 else sido_of_code(value)


def region_label(region: str, lang: str = "ko") -> str:
    """What people read for an id: "서울특별시", "서울특별시 종로구" (English names for 시도)."""
    sido, _, sgg = region.partition(":")
    names = _tables()[2].get(sido)
    if names is None:
        return region
    name = names[0] if lang == "ko" else names[1]
    return f"{name} {sgg}" if sgg else name


def sort_ids(ids: Iterable[str]) -> tuple[str, ...]:
    """Distinct region ids in the order of the shipped list (시도, then its 시군구)."""
    rank = _tables()[3]
    return tuple(sorted(set(ids), key=lambda i: (rank.get(i, len(rank)), i)))
