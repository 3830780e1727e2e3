"""Korean administrative regions (시도 → 시군구) from the shipped `regions_kr.json`, and a parser
that finds them in a dataset's free-text spatial coverage."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).with_name("regions_kr.json")
NATIONWIDE = ("전국", "대한민국", "한국", "national", "nationwide", "korea", "south korea")


@dataclass(frozen=True)
class Sido:
    code: str
    name: str
    name_en: str
    aliases: tuple[str, ...]
    sigungu: tuple[str, ...]


@dataclass(frozen=True)
class Region:
    """A place found in a text: a 시도, optionally one of its 시군구."""

    sido: str
    sigungu: str | None = None

    @property
    def path(self) -> str:
        return self.sido if self.sigungu is None else f"{self.sido}/{self.sigungu}"


@lru_cache(maxsize=1)
def sido_list() -> tuple[Sido, ...]:
    """All 시도, in the order of the data file."""
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return tuple(
        Sido(s["code"], s["name"], s["name_en"], tuple(s["aliases"]), tuple(s["sigungu"]))
        for s in raw["sido"]
    )


@lru_cache(maxsize=1)
def _lookup() -> tuple[dict[str, Sido], dict[str, list[Sido]]]:
    by_alias: dict[str, Sido] = {}
    by_sgg: dict[str, list[Sido]] = {}
    for s in sido_list():
        for alias in (s.name, s.name_en.lower(), *s.aliases):
            by_alias[alias] = s
        for g in s.sigungu:
            by_sgg.setdefault(g, []).append(s)
    return by_alias, by_sgg


def parse_regions(text: str | None) -> list[Region]:
    """Regions named in `text`, e.g. "서울특별시 종로구, 부산" → [서울특별시/종로구, 부산광역시].

    A 시군구 is placed in the 시도 named before it, or in the only 시도 that has it; an ambiguous
    one ("중구" alone) is dropped. "전국" gives no region (it is national coverage).
    """
    if not text:
        return []
    by_alias, by_sgg = _lookup()
    found: list[Region] = []
    current: Sido | None = None
    for tok in re.split(r"[\s,;/·()]+", text.strip()):
        if not tok:
            continue
        key = tok.lower() if tok.isascii() else tok
        if key in by_alias:
            current = by_alias[key]
            found.append(Region(current.name))
            continue
        owners = by_sgg.get(tok, [])
        if current is not None and current in owners:
            sido = current
        elif len(owners) == 1:
            sido = owners[0]
        else:
            continue
        found = [r for r in found if r != Region(sido.name)]
        found.append(Region(sido.name, tok))
    return list(dict.fromkeys(found))


def is_nationwide(text: str | None) -> bool:
    return text is not None and any(w in text.lower() for w in NATIONWIDE)
