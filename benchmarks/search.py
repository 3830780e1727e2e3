"""Search benchmark: index N generated dataset records, then report indexing time, p50/p95 query
latency, nDCG@10 on a labelled query set and recall on three Korean forms, for datanuri's index
and two baselines over the same records: SQLite FTS5 with `unicode61` and with `trigram`.

Then the ranking part: nDCG@10 by query kind for the ranking before this change (text relevance
alone, the old weights, no synonyms) and after (field weights, quality signals, synonyms), on the
topical queries plus three labelled sets: the issue's case (an official dataset against a six-row
upload titled with the query), synonym queries (공기질 for 대기질 records...) and typo queries;
and how often "did you mean" gives the intended word for a mistyped one.

With `--pg URL` (a PostgreSQL database, e.g. postgresql+psycopg://postgres@127.0.0.1/test) the
same records also go into the shared PostgreSQL index (`search/pg_index.py`, in a schema of its
own, dropped at the end), measured beside the FTS5 one, with how often both give the same top 10.

    .venv/bin/python benchmarks/search.py [--records 100000] [--pg URL]
"""

from __future__ import annotations

import argparse
import math
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from datanuri.catalog.documents import SearchDoc
from datanuri.regions import sido_list
from datanuri.search.analysis import query_words
from datanuri.search.backend import Index
from datanuri.search.index import Filters, SearchIndex, Visibility
from datanuri.search.pg_index import PgSearchIndex
from datanuri.search.query import ranked_stages
from datanuri.search.ranking import FieldWeights, RankingConfig
from datanuri.search.suggest import Speller, suggestion
from datanuri.search.synonyms import SHIPPED, SynonymTable

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
    facts = random.Random(seed + 1)  # its own stream: the records' text is as before this change
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
        # Quality facts independent of the topic labels: ranking by them must not hurt topical search.
        rows = int(10 ** facts.uniform(1.5, 6))
        out.append(
            SearchDoc(
                name=f"ds-{i}",
                organization=f"org-{i % 300}",
                organization_title=f"기관{i % 300}",
                official=i % 300 < 30,
                row_count=rows,
                downloads=int(10 ** facts.uniform(0, 3.5)),
                version_created_at=f"{2016 + i % 9}-{1 + i % 12:02d}-01T00:00:00+00:00",
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


def ndcg10(ranked: list[str], rel: set[str] | dict[str, float]) -> float:
    """nDCG@10 with binary (a set) or graded (name → gain) relevance."""
    gain = rel if isinstance(rel, dict) else dict.fromkeys(rel, 1.0)
    dcg = sum(gain.get(n, 0.0) / math.log2(i + 2) for i, n in enumerate(ranked[:10]))
    best = sorted(gain.values(), reverse=True)[:10]
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(best))
    return dcg / ideal if ideal else 0.0


# ----- the ranking sets ----------------------------------------------------------------------------
# (query, official record's title, description) — each also gets a six-row upload titled with the
# query plus "측정"/"자료" and nothing else, as in the issue.
ISSUE_CASES = [
    (
        "대기질",
        "전국 시도별 대기질 현황 (2024)",
        "환경부 측정망의 시간별 대기질 자료를 시도별로 모은 통계",
    ),
    ("수질", "4대강 수질 측정 결과", "국립환경과학원 수질측정망의 월별 측정값"),
    ("소음", "도시 소음 측정망 연간 자료", "주거·상업지역 측정소의 주야간 소음도"),
    ("산불", "산불 발생 현황 (2015-2024)", "산림청이 집계한 산불 발생 건수와 피해 면적"),
    ("지진", "국내 지진 발생 목록", "기상청이 관측한 규모 2.0 이상 지진의 발생 시각과 위치"),
    ("교통량", "고속도로 교통량 통계", "한국도로공사 영업소별 일별 교통량"),
]
# (query word, the topic's compound it means): only synonyms connect them.
SYNONYM_CASES = [
    ("공기질", "대기질측정"),
    ("보육시설", "어린이집"),
    ("의료기관", "종합병원"),
    ("쓰레기", "생활폐기물"),
    ("무선인터넷", "공공와이파이"),
    ("전기자동차", "전기차충전소"),
]
# (mistyped word, intended word): one letter (jamo) off.
TYPOS = [
    ("대기짏", "대기질"),
    ("약굮", "약국"),
    ("어린이짐", "어린이집"),
    ("가로증", "가로등"),
    ("관광즤", "관광지"),
    ("태양광발전서", "태양광발전소"),
    ("pharmacys", "pharmacies"),
    ("hospitls", "hospitals"),
    ("libraires", "libraries"),
    ("restaurnts", "restaurants"),
]


def issue_records(seed: int = 5) -> list[SearchDoc]:
    """For each issue case: an official, large, described dataset and a six-row test upload."""
    base = dict(
        keywords=(),
        theme=None,
        license=None,
        access_level="open",
        metadata_public=True,
        language="ko",
        spatial=None,
        temporal_start=None,
        temporal_end=None,
        formats=("parquet",),
        regions=(),
        latest_version=1,
        created_at="2024-06-01",
        updated_at="2024-06-01",
        version_created_at="2024-06-01T00:00:00+00:00",
    )
    out = []
    for j, (q, title, desc) in enumerate(ISSUE_CASES):
        out.append(
            SearchDoc(
                **{
                    **base,
                    "name": f"issue-official-{j}",
                    "organization": "gov",
                    "organization_title": "정부기관",
                    "title": title,
                    "description": desc,
                    "keywords": (q, "환경"),
                    "theme": "환경",
                    "license": "KOGL-1",
                    "spatial": "전국",
                    "row_count": 250_000,
                    "official": True,
                    "downloads": 1500,
                },  # type: ignore[arg-type]
            )
        )
        out.append(
            SearchDoc(
                **{
                    **base,
                    "name": f"issue-upload-{j}",
                    "organization": f"user-{j}",
                    "organization_title": "개인",
                    "title": f"{q} 측정",
                    "description": "",
                    "row_count": 6,
                },  # type: ignore[arg-type]
            )
        )
    return out


def ranking_sets(docs: list[SearchDoc]) -> dict[str, list[tuple[str, dict[str, float]]]]:
    """Labelled queries of the ranking part, by kind: (query, name → gain)."""
    topic_of = {d.name: next((c for c, _, _ in TOPICS if c in d.keywords), None) for d in docs}
    rnd = random.Random(13)
    issue = []
    for j, (q, _, _) in enumerate(ISSUE_CASES):
        # the official dataset counts most; other records on the topic count too; the upload not
        gain = {f"issue-official-{j}": 2.0}
        for name, t in topic_of.items():
            if t is not None and q in t:
                gain[name] = 1.0
        issue.append((q, gain))
    places = sorted(
        {
            (d.spatial.split()[-1], topic_of[d.name])
            for d in docs
            if d.language == "ko" and topic_of[d.name]
        }
    )
    synonym = []
    for word, compound in SYNONYM_CASES:
        options = [p for p, t in places if t == compound and p]
        for sgg in rnd.sample(options, min(3, len(options))):
            rel = {
                d.name: 1.0
                for d in docs
                if topic_of[d.name] == compound and d.spatial and d.spatial.split()[-1] == sgg
            }
            synonym.append((f"{sgg} {word}", rel))
    typo = []
    for wrong, right in TYPOS:
        rel = {
            d.name: 1.0
            for d in docs
            if right in d.title.replace(" ", "").lower()
            or right in d.description.replace(" ", "").lower()
        }
        if rel:
            typo.append((wrong, rel))
    return {"issue": issue, "synonym": synonym, "typo-word": typo}


class Fts5:
    """Baseline: raw title and description in FTS5, bm25, the query's words AND-ed, then OR-ed
    when AND finds nothing (the loosening datanuri's search also does)."""

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
        words = ['"' + w.replace('"', '""') + '"' for w in q.split()]
        found = self._match(" AND ".join(words), limit)
        if not found and len(words) > 1:
            found = self._match(" OR ".join(words), limit)
        return found

    def _match(self, expr: str, limit: int) -> list[str]:
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


# The ranking before this change: text relevance alone, with the old column weights (title 8,
# everything else in one body column at 1) and no synonyms.
BEFORE = RankingConfig(
    fields=FieldWeights(
        title=8.0, keywords=1.0, description=1.0, other=1.0, title_grams=1.5, body_grams=0.3
    ),
    use_signals=False,
)
AFTER = RankingConfig()
VARIANTS: dict[str, tuple[RankingConfig, bool]] = {
    "before (text only, old weights)": (BEFORE, False),
    "+ field weights": (RankingConfig(use_signals=False), False),
    "+ quality signals": (AFTER, False),
    "after (+ synonyms)": (AFTER, True),
}


class Ours:
    def __init__(self, index: Index) -> None:
        self.index = index
        self.synonyms: SynonymTable | None = SynonymTable.of(SHIPPED)

    def load(self, docs: list[SearchDoc]) -> None:
        for i in range(0, len(docs), 2000):
            self.index.put_many(docs[i : i + 2000])

    def use(self, ranking: RankingConfig, synonyms: bool) -> None:
        """Rank with these weights (all query-time: the index is not rebuilt)."""
        self.index.ranking = ranking
        self.synonyms = SynonymTable.of(SHIPPED) if synonyms else None

    def query(self, q: str, limit: int = 10) -> list[str]:
        vis = Visibility(all_hidden=True)
        for st in ranked_stages(
            query_words(q), self.index.matches_any, self.synonyms
        ):  # as SearchService.search: loosen
            r = self.index.query(
                st.expr,
                exact=st.exact,
                filters=Filters(),
                visibility=vis,
                limit=limit,
                with_facets=False,
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


@contextmanager
def pg_schema(url: str) -> Iterator[sa.Engine]:
    """An engine on a fresh schema of the PostgreSQL database at `url`, migrated; dropped after."""
    from datanuri.store.db import Database

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url)
    with admin.begin() as c:
        c.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    db = Database(f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}")
    try:
        db.migrate()
        yield db.engine
    finally:
        db.dispose()
        with admin.begin() as c:
            c.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run(n: int, pg: str | None = None) -> None:
    with tempfile.TemporaryDirectory(
        prefix="datanuri-search-bench-"
    ) as tmp:  # ~0.5 GB at 100k records
        if pg is None:
            _run(n, Path(tmp), None)
            return
        with pg_schema(pg) as engine:
            _run(n, Path(tmp), engine)


def _run(n: int, tmp: Path, pg: sa.Engine | None) -> None:
    generated = records(n)
    queries = labelled(generated)
    docs = generated + issue_records()
    engines: dict[str, Ours | Fts5] = {"datanuri": Ours(SearchIndex(tmp / "ours.sqlite3"))}
    if pg is not None:
        engines["datanuri-pg"] = Ours(PgSearchIndex(pg))
    engines |= {
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
    ranking_report(engines["datanuri"], queries, docs)  # type: ignore[arg-type]
    if pg is not None:
        fts, shared = engines["datanuri"], engines["datanuri-pg"]
        for e in (fts, shared):
            e.use(AFTER, True)  # type: ignore[union-attr]
        same = sum(fts.query(q) == shared.query(q) for _, q, _ in queries)
        print(f"\nPostgreSQL index: same top 10 as FTS5 on {same}/{len(queries)} topical queries")
        ranking_report(shared, queries, docs)  # type: ignore[arg-type]


def ranking_report(
    ours: Ours, queries: list[tuple[str, str, set[str]]], docs: list[SearchDoc]
) -> None:
    """nDCG@10 per query kind for each ranking variant, and "did you mean" accuracy."""
    sets: dict[str, list[tuple[str, dict[str, float]]]] = {
        "topical": [(q, dict.fromkeys(rel, 1.0)) for _, q, rel in queries]
    }
    sets.update(ranking_sets(docs))
    kinds = list(sets)
    print(f"\nranking: nDCG@10 by query set ({', '.join(f'{k} {len(sets[k])}' for k in kinds)})")
    print(f"{'variant':34}" + "".join(f"{k:>11}" for k in kinds) + f"{'p50 ms':>9}")
    for label, (cfg, syn) in VARIANTS.items():
        ours.use(cfg, syn)
        cells, lat = [], []
        for k in kinds:
            scores = []
            for q, gain in sets[k]:
                t = time.perf_counter()
                got = ours.query(q)
                lat.append((time.perf_counter() - t) * 1000)
                scores.append(ndcg10(got, gain))
            cells.append(statistics.mean(scores))
        print(
            f"{label:34}" + "".join(f"{c:11.3f}" for c in cells) + f"{statistics.median(lat):9.2f}"
        )
    t = time.perf_counter()
    speller = Speller(ours.index.vocabulary())
    built = time.perf_counter() - t
    right = 0
    lat = []
    for wrong, want in TYPOS:
        t = time.perf_counter()
        got = suggestion(query_words(wrong), speller)
        lat.append((time.perf_counter() - t) * 1000)
        right += got == want
    print(
        f"did you mean: {right}/{len(TYPOS)} typos corrected to the intended word "
        f"(vocabulary of {len(speller.counts):,} words indexed in {built:.1f} s; "
        f"p50 {statistics.median(lat):.2f} ms per query)"
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument(
        "--pg", metavar="URL", help="also measure the PostgreSQL index in this database"
    )
    args = ap.parse_args()
    run(args.records, args.pg)
