"""Synonym sets: words that name the same thing (대기질 = 공기질 = air quality), applied to queries.

Pure values. A set is a tuple of terms (one or more words each); a query word, or a run of up to
`MAX_WORDS` query words, found in a set also matches the other terms of the set, with a lower
weight than the words typed (`SignalWeights.synonym`). The sets live in the database
(`search_synonyms`, seeded with `SHIPPED` by migration 0014) and admins edit them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

MAX_WORDS = 3  # the longest term, in words
MAX_TERM_CHARS = 60
MAX_TERMS_PER_SET = 20
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# Only true synonyms: words a person would use for the same data. Broader or narrower words
# (미세먼지 is one measure of air quality, not a name for it) do not belong here.
SHIPPED: tuple[tuple[str, ...], ...] = (
    ("대기질", "공기질", "대기오염", "공기", "air quality", "air pollution"),
    ("교통사고", "traffic accident", "road accident"),
    ("약국", "pharmacy", "drugstore"),
    ("주차장", "parking lot", "car park"),
    ("어린이집", "보육시설", "daycare"),
    ("와이파이", "무선인터넷", "wifi", "wi fi"),
    ("전기차", "전기자동차", "electric vehicle"),
    ("충전소", "충전기", "charging station"),
    ("자전거", "bicycle", "bike"),
    ("도서관", "library"),
    ("병원", "의료기관", "hospital"),
    ("인구", "population"),
    ("폐기물", "쓰레기", "waste"),
    ("가로등", "street light", "streetlight"),
    ("버스정류장", "버스정류소", "bus stop"),
)


def normalize(term: str) -> str:
    """The form a term is compared in: its words (as the analyser splits them), lower case,
    single-spaced ("Wi-Fi" → "wi fi")."""
    return " ".join(_WORD.findall(term.lower()))


@dataclass(frozen=True)
class SynonymSet:
    """One stored set: its id in the database, its terms and where it came from."""

    id: int
    terms: tuple[str, ...]
    origin: str = "admin"  # shipped (seeded by migration 0014) | admin

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "terms": list(self.terms), "origin": self.origin}


@dataclass(frozen=True)
class SynonymTable:
    """Which terms each term may also be searched as."""

    others: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, sets: Iterable[Iterable[str]]) -> SynonymTable:
        """A table from sets of terms; a term in two sets gets the terms of both."""
        others: dict[str, list[str]] = {}
        for s in sets:
            terms = list(dict.fromkeys(t for t in (normalize(x) for x in s) if t))
            for t in terms:
                lst = others.setdefault(t, [])
                lst += [u for u in terms if u != t and u not in lst]
        return cls({k: tuple(v) for k, v in others.items() if v})

    def alternatives(self, phrase: str) -> tuple[str, ...]:
        """The other terms of a term's sets (none if it is in no set)."""
        return self.others.get(normalize(phrase), ())

    def __bool__(self) -> bool:
        return bool(self.others)


EMPTY = SynonymTable()
