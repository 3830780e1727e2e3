"""The shared PostgreSQL index: the FTS5 expressions it translates, the choice of backend, the
same ranking as the FTS5 file, and a publish seen by another process's Platform at once."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from datanuri.accounts import ANONYMOUS
from datanuri.accounts.principal import SYSTEM
from datanuri.errors import ConfigError
from datanuri.platform import Platform
from datanuri.search.analysis import query_words
from datanuri.search.backend import choose
from datanuri.search.index import Filters, SearchIndex, Visibility
from datanuri.search.pg_index import PgSearchIndex
from datanuri.search.query import ranked_stages
from datanuri.search.synonyms import SHIPPED, SynonymTable
from datanuri.search.tsquery import compile_match, tokens, vector_literal
from tests.search.support import DATASETS, load_catalog
from tests.search.test_ranking import OFFICIAL, TEST_UPLOAD, doc

PG = pytest.param(
    "pg",
    id="pg",
    marks=[
        pytest.mark.pg,
        pytest.mark.skipif(
            not os.environ.get("DATANURI_TEST_DATABASE_URL"),
            reason="DATANURI_TEST_DATABASE_URL not set",
        ),
    ],
)


# ----- pure: expressions and vectors ----------------------------------------------------------
def test_expressions_become_tsqueries_with_their_phrases_in_order():
    c = compile_match(
        '({title_t kw_t desc_t other_t} : ("대기" AND "질") OR {title_g body_g} : "대"*) '
        'AND {title_t kw_t desc_t other_t} : "측정"'
    )
    assert c.tsquery == "((('대기' & '질') | '~대':*) & '측정')"
    assert [(p.tokens, p.group, p.prefix) for p in c.phrases] == [
        (("대기",), "term", False),
        (("질",), "term", False),
        (("대",), "gram", True),
        (("측정",), "term", False),
    ]
    # A quoted string of several tokens is a phrase; quotes inside are data, never syntax.
    assert compile_match('{title_t kw_t desc_t other_t} : "pm2.5"').tsquery == "('pm2' <-> '5')"
    assert compile_match('{title_t kw_t desc_t other_t} : "it\'s"').tsquery == "('it' <-> 's')"
    # FTS5 counts a phrase under an AND only on rows where that AND holds (not the root's)
    assert compile_match('{title_t kw_t desc_t other_t} : ("a" AND "b") OR '
                         '{title_t kw_t desc_t other_t} : "c"').guards == (
        "('a' & 'b')", "('a' & 'b')", None)  # fmt: skip
    with pytest.raises(ValueError):
        compile_match('{title_t} : "x"')
    with pytest.raises(ValueError):
        compile_match('"a" AND')


def test_every_stage_of_real_queries_translates():
    table = SynonymTable.of(SHIPPED)
    for q in ["대기질 측정", "bus stop", "대", "air quality 서울", "약국 wifi", "PM2.5 농도"]:
        for st in ranked_stages(query_words(q), None, table):
            assert compile_match(st.expr).phrases and compile_match(st.exact).phrases


def test_tokens_follow_unicode61():
    assert tokens("Wi-Fi PM2.5 대기질측정·결과") == ["wi", "fi", "pm2", "5", "대기질측정", "결과"]


def test_the_vector_weighs_fields_and_keeps_grams_apart():
    v = vector_literal(("대기 질", "대기", "설명", "", "대기", "측정"))
    assert v.text == "'대기':1A,5B '질':2A '설명':8C '~대기':13A '~측정':16B"
    assert v.ntok == 6 and v.lexemes == {"대기", "질", "설명", "~대기", "~측정"}


# ----- choosing the backend -------------------------------------------------------------------
def test_auto_picks_postgres_on_postgres_and_fts5_otherwise():
    assert choose("auto", "postgresql") == "postgres"
    assert choose("auto", "sqlite") == "fts5"
    assert choose("fts5", "postgresql") == "fts5"
    assert choose("postgres", "postgresql") == "postgres"
    with pytest.raises(ConfigError, match="PostgreSQL"):
        choose("postgres", "sqlite")
    with pytest.raises(ConfigError, match="auto, fts5, postgres"):
        choose("elastic", "sqlite")


def test_sqlite_gets_the_fts5_file_and_migration_0016_makes_no_table(platform, db_url):
    if not db_url.startswith("sqlite"):
        assert isinstance(platform.search.index, PgSearchIndex)
        return
    assert isinstance(platform.search.index, SearchIndex)
    tables = sa.inspect(platform.db.engine).get_table_names()
    assert "search_docs" not in tables and "search_meta" not in tables


# ----- PostgreSQL ---------------------------------------------------------------------------
CORPUS = [
    OFFICIAL,
    TEST_UPLOAD,
    doc("traffic", "전국 교통사고 통계", keywords=("교통", "사고"), row_count=5000),
    doc("traffic-seoul", "서울 교통 사고 현황", description="교통사고 발생 건수", row_count=50),
    doc("bus", "Bus stop locations", description="Every bus stop with GPS", language="en"),
    doc("bus-2", "버스정류장 위치", keywords=("bus stop",), row_count=10_000),
    doc("pharm", "약국 목록", columns=("약국명", "주소"), downloads=50),
    doc("pharm-2", "의료기관 현황", description="병원과 약국의 주소", row_count=200),
    doc("air", "대기오염 측정 자료", description="미세먼지 측정소 자료", keywords=("대기",)),
    doc("wifi", "공공와이파이 설치 위치", description="free public wifi access points"),
    doc("hidden", "환자 진료 기록", access_level="personal", metadata_public=False),
]
QUERIES = ["대기질", "교통사고 통계", "bus stop", "약국", "air quality", "대", "측정 자료",
           "와이파이", "교통 사고 서울", "진료", "pharmacy"]  # fmt: skip


def ranked_scores(index, q, table, vis):
    for st in ranked_stages(query_words(q), index.matches_any, table):
        r = index.query(st.expr, exact=st.exact, filters=Filters(), visibility=vis, limit=20)
        if r.total:
            return st.mode, [(h.doc.name, h.score) for h in r.hits], r.total, r.facets
    return None, [], 0, {}


@pytest.mark.parametrize("db_url", [PG], indirect=True)
def test_postgres_ranks_as_fts5_does(db, tmp_path):
    fts = SearchIndex(tmp_path / "i.sqlite3")
    pg = PgSearchIndex(db.engine)
    fts.put_many(CORPUS)
    pg.put_many(CORPUS)
    table = SynonymTable.of(SHIPPED)
    for q in QUERIES:
        for vis in (Visibility(all_hidden=True), Visibility()):
            mode_f, hits_f, total_f, facets_f = ranked_scores(fts, q, table, vis)
            mode_p, hits_p, total_p, facets_p = ranked_scores(pg, q, table, vis)
            assert (mode_p, total_p, facets_p) == (mode_f, total_f, facets_f), q
            assert [n for n, _ in hits_p] == [n for n, _ in hits_f], q
            assert [s for _, s in hits_p] == pytest.approx([s for _, s in hits_f], rel=1e-6), q
    assert pg.vocabulary() == fts.vocabulary()
    fts.close()


@pytest.mark.parametrize("db_url", [PG], indirect=True)
def test_a_publish_through_one_platform_is_found_through_another(config, tmp_path: Path):
    one = Platform(config)
    two = Platform(dataclasses.replace(config, data_dir=tmp_path / "two"))
    try:
        assert isinstance(two.search.index, PgSearchIndex)
        load_catalog(one)
        found = two.search.search("대기질", principal=ANONYMOUS)
        assert {r["name"] for r in found.results} == {"air-quality", "air-quality-busan"}
        # the hidden personal dataset: found by neither for the public, by both for the system
        assert two.search.search("진료", principal=ANONYMOUS).total == 0
        assert [r["name"] for r in two.search.search("진료", principal=SYSTEM).results] == [
            "patients"
        ]
        # an edit and a new dataset, through one; searched through two at once
        one.catalog.update_dataset(
            "pharmacies", title="서울특별시 약국 목록 갱신", principal=SYSTEM
        )
        assert two.search.search("갱신", principal=ANONYMOUS).results[0]["name"] == "pharmacies"
        one.catalog.create_dataset(
            "daycare", organization="seoul", title="어린이집 현황", principal=SYSTEM
        )
        assert [r["name"] for r in two.search.search("어린이집", principal=ANONYMOUS).results] == [
            "daycare"
        ]
        assert two.search.speller().counts.get("어린이집") == 1  # its vocabulary follows too
        # the reindex of either leaves the same index for both
        assert two.search.reindex() == len(DATASETS) + 1
        assert one.search.search("어린이집", principal=ANONYMOUS).total == 1
    finally:
        two.close()
        one.close()


@pytest.mark.parametrize("db_url", [PG], indirect=True)
def test_concurrent_writers_keep_the_counts_exact(db, db_url):
    """Two engines (as two processes) write overlapping records at once; the document
    frequencies and totals bm25 reads stay those of the documents stored."""
    from concurrent.futures import ThreadPoolExecutor

    other = sa.create_engine(db_url)
    a, b = PgSearchIndex(db.engine), PgSearchIndex(other)

    def write(index, seed):
        for i in range(6):
            docs = [
                doc(f"d{(seed + i + k) % 9}", f"교통사고 통계 {seed} {i} {k}") for k in range(4)
            ]
            index.put_many(docs)
            index.delete(f"d{(seed * 3 + i) % 9}")

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(write, (a, b), (1, 2)))
    with db.engine.connect() as c:
        recount = dict(
            c.execute(
                sa.text(
                    "SELECT l, count(*) FROM search_docs, unnest(tsvector_to_array(vec)) l "
                    "GROUP BY l"
                )
            ).all()
        )
        stored = dict(c.execute(sa.text("SELECT lexeme, df FROM search_terms")).all())
        totals = dict(c.execute(sa.text("SELECT key, value FROM search_meta")).all())
        docs, tokens = c.execute(sa.text("SELECT count(*), sum(ntok) FROM search_docs")).one()
    assert stored == recount and docs > 0
    assert (int(totals["docs"]), int(totals["tokens"])) == (docs, tokens)
    other.dispose()
