"""Search benchmark: index N generated dataset records, then report indexing time, p50/p95 query
latency, nDCG@10 on a labelled query set and recall on three Korean forms, for datanuri's index
and two baselines over the same records: SQLite FTS5 with `unicode61` and with `trigram`.

    .venv/bin/python benchmarks/search.py [--records 100000]
"""

from __future__ import annotations

import argparse
import math
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from datanuri.catalog.documents import SearchDoc
from datanuri.regions import sido_list
from datanuri.search.analysis import query_words
from datanuri.search.index import Filters, SearchIndex, Visibility
from datanuri.search.query import stages

# (Korean compound form, Korean spaced form, English) per topic.
TOPICS = [
    ("교통사고", "교통 사고", "traffic accidents"),
    ("대기질측정", "대기질 측정", "air quality measurements"),
    ("공공와이파이", "공공 와이파이", "public wifi hotspots"),
    ("약국", "약국", "pharmacies"),
    ("버스정류장", "버스 정류장", "bus stops"),
    ("전기차충전소", "전기차 충전소", "electric vehicle chargers"),
    ("공영주차장", "공영 주차장", "public parking lots"),
    ("공공도서관", "공공 도서관", "public libraries"),
    ("어린이집", "어린이집", "daycare centers"),
    ("관광지", "관광지", "tourist attractions"),
    ("일반음식점", "일반 음식점", "restaurants"),
    ("주민등록인구", "주민등록 인구", "registered population"),
    ("아파트실거래가", "아파트 실거래가", "apartment sale prices"),
    ("상수도사용량", "상수도 사용량", "water consumption"),
    ("생활폐기물", "생활 폐기물", "household waste"),
    ("태양광발전소", "태양광 발전소", "solar power plants"),
    ("화재발생", "화재 발생", "fire incidents"),
    ("종합병원", "종합 병원", "general hospitals"),
    ("초등학교", "초등 학교", "elementary schools"),
    ("가로등", "가로등", "street lights"),
]
SUFFIX = ["현황", "목록", "통계", "정보", "위치"]
PARTICLES = ["을", "를", "의", "에서", "은", "는"]


def particle(word: str) -> str:
    last = ord(word[-1]) - 0xAC00
    return word + ("을" if last >= 0 and last % 28 else "를")


def records(n: int, seed: int = 7) -> list[SearchDoc]:
    rnd = random.Random(seed)
    places = [
        (s.name, s.aliases[0], s.name_en, g) for s in sido_list() for g in (s.sigungu or ("",))
    ]
    out = []
    for i in range(n):
        t = rnd.randrange(len(TOPICS))
        sido, short, en, sgg = places[rnd.randrange(len(places))]
        compound, spaced, english = TOPICS[t]
        form = compound if i % 2 else spaced
        year = 2015 + i % 10
        lang = "en" if i % 10 == 0 else "ko"
        title = (
            f"{sido} {sgg} {form} {SUFFIX[i % 5]} ({year})"
            if lang == "ko"
            else f"{english.title()} in {en} {year}"
        )
        desc = (
            f"{short} {sgg}의 {spaced} 자료입니다. {english} of {en}."
            if lang == "ko"
            else f"Open data on {english} in {en}, {sgg}. {compound} 자료"
        )
        out.append(
            SearchDoc(
                name=f"ds-{i}",
                organization=f"org-{i % 300}",
                organization_title=f"기관{i % 300}",
                title=title,
                description=desc,
                keywords=(compound, english.split()[-1]),
                theme=f"theme-{t % 8}",
                license="KOGL-1",
                access_level="open",
                metadata_public=True,
                language=lang,
                spatial=f"{sido} {sgg}",
                temporal_start=None,
                temporal_end=None,
                formats=("parquet",),
                regions=(),
                latest_version=1,
                created_at="2024-01-01",
                updated_at=f"2024-{1 + i % 12:02d}-01",
            )
        )
    return out


def labelled(docs: list[SearchDoc]) -> list[tuple[str, str, set[str]]]:
    """(kind, query, relevant names): relevant = records of the topic in the place asked for."""
    rnd = random.Random(11)
    by: dict[tuple[int, str, str], set[str]] = {}
    for d in docs:
        for t, (compound, _, _) in enumerate(TOPICS):
            if compound in d.keywords:
                by.setdefault((t, d.spatial.split()[0], d.spatial.split()[-1]), set()).add(d.name)
    keys = sorted(k for k, v in by.items() if len(v) >= 2)
    sidos = {s.name: s for s in sido_list()}
    queries = []
    for j in range(72):
        t, sido, sgg = keys[rnd.randrange(len(keys))]
        compound, spaced, english = TOPICS[t]
        rel = by[(t, sido, sgg)]
        kind = ["particle", "compound", "spaced", "english", "mixed", "typo"][j % 6]
        s = sidos[sido]
        q = {
            "particle": f"{sgg or s.aliases[0]} {particle(compound)}",
            "compound": f"{sgg or s.aliases[0]} {compound}",
            "spaced": f"{s.aliases[0]} {sgg} {spaced}",
            "english": f"{english} {s.name_en}",
            "mixed": f"{s.name_en} {sgg} {spaced}",
            "typo": f"{sgg} {compound[:-1] + '가' if len(compound) > 2 else compound}",
        }[kind]
        if (
            kind == "english"
        ):  # English names no 시군구: every record of the topic in the 시도 counts
            rel = set().union(*(v for (t2, s2, _), v in by.items() if t2 == t and s2 == sido))
        queries.append((kind, q, rel))
    return queries


def ndcg10(ranked: list[str], rel: set[str]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, n in enumerate(ranked[:10]) if n in rel)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(rel))))
    return dcg / ideal if ideal else 0.0


class Fts5:
    """Baseline: raw title and description in FTS5, bm25, the query's words AND-ed."""

    def __init__(self, path: Path, tokenizer: str) -> None:
        self.c = sqlite3.connect(str(path))
        self.c.execute(
            f"CREATE VIRTUAL TABLE t USING fts5(name UNINDEXED, title, body, tokenize='{tokenizer}')"
        )

    def load(self, docs: list[SearchDoc]) -> None:
        self.c.executemany(
            "INSERT INTO t VALUES(?,?,?)",
            [(d.name, d.title, d.description + " " + " ".join(d.keywords)) for d in docs],
        )
        self.c.commit()

    def query(self, q: str, limit: int = 10) -> list[str]:
        expr = " AND ".join('"' + w.replace('"', '""') + '"' for w in q.split())
        try:
            return [
                r[0]
                for r in self.c.execute(
                    "SELECT name FROM t WHERE t MATCH ? ORDER BY bm25(t, 0, 5.0, 1.0) LIMIT ?",
                    (expr, limit),
                )
            ]
        except sqlite3.OperationalError:
            return []


class Ours:
    def __init__(self, path: Path) -> None:
        self.index = SearchIndex(path)

    def load(self, docs: list[SearchDoc]) -> None:
        for i in range(0, len(docs), 2000):
            self.index.put_many(docs[i : i + 2000])

    def query(self, q: str, limit: int = 10) -> list[str]:
        vis = Visibility(all_hidden=True)
        for _, expr in stages(
            query_words(q), self.index.matches_any
        ):  # as SearchService.search: loosen
            r = self.index.query(
                expr, filters=Filters(), visibility=vis, limit=limit, with_facets=False
            )
            if r.total:
                return [h.doc.name for h in r.hits]
        return []


# Korean forms the issue names, with the records each must find (checked over the whole result list).
def korean_forms(docs: list[SearchDoc]) -> dict[str, list[tuple[str, set[str]]]]:
    def having(word: str) -> set[str]:
        return {d.name for d in docs if word in d.title}

    sample = docs[:3000]
    return {
        "particle (대기질을 → 대기질)": [
            ("대기질을", {d.name for d in sample if "대기질" in d.title})
        ],
        # English records carry the Korean compound only in one piece ("공공와이파이 자료").
        "compound part (와이파이 in 공공와이파이)": [
            (
                "와이파이",
                {d.name for d in sample if d.language == "en" and "공공와이파이" in d.description},
            )
        ],
        "two syllables (서울, 약국)": [
            ("서울", {d.name for d in sample if "서울" in d.title}),
            ("약국", {d.name for d in sample if "약국" in d.title}),
        ],
    }


def run(n: int) -> None:
    with tempfile.TemporaryDirectory(
        prefix="datanuri-search-bench-"
    ) as tmp:  # ~0.5 GB at 100k records
        _run(n, Path(tmp))


def _run(n: int, tmp: Path) -> None:
    docs = records(n)
    queries = labelled(docs)
    engines = {
        "datanuri": Ours(tmp / "ours.sqlite3"),
        "fts5-unicode61": Fts5(tmp / "u.sqlite3", "unicode61"),
        "fts5-trigram": Fts5(tmp / "t.sqlite3", "trigram"),
    }
    print(f"{n:,} records, {len(queries)} labelled queries")
    print(
        f"{'engine':16} {'index s':>8} {'p50 ms':>7} {'p95 ms':>7} {'nDCG@10':>8}  recall on Korean forms"
    )
    forms = korean_forms(docs)
    for label, e in engines.items():
        t0 = time.perf_counter()
        e.load(docs)
        t_index = time.perf_counter() - t0
        lat, scores = [], []
        for _ in range(3):
            for _, q, _ in queries:
                t = time.perf_counter()
                e.query(q)
                lat.append((time.perf_counter() - t) * 1000)
        for _, q, rel in queries:
            scores.append(ndcg10(e.query(q), rel))
        recalls = []
        for form, cases in forms.items():
            found = total = 0
            for q, rel in cases:
                got = set(e.query(q, limit=n))
                found += len(rel & got)
                total += len(rel)
            recalls.append(f"{form}: {found / total:.0%}" if total else f"{form}: n/a")
        p50 = statistics.median(lat)
        p95 = statistics.quantiles(lat, n=20)[18]
        print(
            f"{label:16} {t_index:8.1f} {p50:7.2f} {p95:7.2f} {statistics.mean(scores):8.3f}  "
            + "; ".join(recalls)
        )
    by_kind: dict[str, list[float]] = {}
    for kind, q, rel in queries:
        by_kind.setdefault(kind, []).append(ndcg10(engines["datanuri"].query(q), rel))
    print(
        "datanuri nDCG@10 by query kind: "
        + ", ".join(f"{k} {statistics.mean(v):.3f}" for k, v in by_kind.items())
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    run(ap.parse_args().records)
