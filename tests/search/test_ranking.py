"""Relevance ranking: field weights, quality signals (official holder, size, freshness, downloads,
tiny uploads), synonyms and "did you mean", on a real index and through the service."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from datanuri import errors
from datanuri.accounts import ANONYMOUS
from datanuri.accounts.principal import SYSTEM
from datanuri.catalog.documents import SearchDoc
from datanuri.search.analysis import query_words
from datanuri.search.backend import Index, open_index
from datanuri.search.index import Filters, Visibility
from datanuri.search.query import ranked_stages
from datanuri.search.ranking import PLAIN, RankingConfig, Signals, SignalWeights, quality
from datanuri.search.suggest import Speller, jamo
from datanuri.search.synonyms import SHIPPED, SynonymTable

NOW = dt.datetime.now(dt.UTC).isoformat()


def doc(name: str, title: str, **kw: object) -> SearchDoc:
    base = dict(
        name=name,
        organization="org",
        organization_title="기관",
        title=title,
        description="",
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
        created_at=NOW,
        updated_at=NOW,
        version_created_at=NOW,
    )
    base.update(kw)
    return SearchDoc(**base)  # type: ignore[arg-type]


# The case: a six-row test upload titled "대기질 측정" and the official dataset.
OFFICIAL = doc(
    "official-air",
    "시도별 대기질 현황 (2024)",
    organization="keco",
    organization_title="한국환경공단",
    description="전국 측정소의 시간별 대기질 측정 자료를 시도별로 모은 통계입니다.",
    keywords=("대기질", "대기오염"),
    theme="환경",
    license="KOGL-1",
    spatial="전국",
    row_count=250_000,
    official=True,
    downloads=1200,
)
TEST_UPLOAD = doc("my-test", "대기질 측정", organization="someone", row_count=6)


def ranked(index: Index, q: str, synonyms: SynonymTable | None = None) -> list[str]:
    vis = Visibility(all_hidden=True)
    for st in ranked_stages(query_words(q), index.matches_any, synonyms):
        r = index.query(st.expr, exact=st.exact, filters=Filters(), visibility=vis, limit=10)
        if r.total:
            return [h.doc.name for h in r.hits]
    return []


@pytest.fixture
def make_index(db, tmp_path):
    """Empty indexes of the backend `auto` picks for each database: an FTS5 file beside a
    SQLite database, the shared tables of a PostgreSQL one (emptied for each new index)."""
    made: list[Index] = []

    def make(label: str, ranking: RankingConfig | None = None) -> Index:
        idx = open_index(db, tmp_path / label, ranking)
        idx.clear()
        made.append(idx)
        return idx

    yield make
    for idx in made:
        idx.close()


@pytest.fixture
def index(make_index):
    idx = make_index("i")
    idx.put_many([OFFICIAL, TEST_UPLOAD])
    return idx


def test_the_official_dataset_outranks_a_tiny_test_upload(index, make_index):
    assert ranked(index, "대기질") == ["official-air", "my-test"]
    # Text relevance alone (the ranking before) puts the short test title first.
    plain = make_index("plain", PLAIN)
    plain.put_many([OFFICIAL, TEST_UPLOAD])
    assert ranked(plain, "대기질") == ["my-test", "official-air"]
    plain.close()


def test_each_signal_moves_a_record_up(make_index):
    """Two records equal in text; the one with the signal ranks first, either way round."""
    cases = {
        "official": {"official": True},
        "size": {"row_count": 500_000},
        "downloads": {"downloads": 5000},
        "freshness": {"version_created_at": NOW},
        "not tiny": {"row_count": 1000},
    }
    for label, better in cases.items():
        worse = {
            "official": {"official": False},
            "size": {"row_count": 100},
            "downloads": {"downloads": 0},
            "freshness": {"version_created_at": "2015-01-01T00:00:00+00:00"},
            "not tiny": {"row_count": 5},
        }[label]
        for first, second in (("a", "b"), ("b", "a")):
            idx = make_index(f"{label}-{first}")
            base = {"row_count": 1000, "version_created_at": "2024-01-01T00:00:00+00:00"}
            idx.put_many(
                [
                    doc(first, "교통사고 통계", **{**base, **better}),
                    doc(second, "교통사고 통계", **{**base, **worse}),
                ]
            )
            assert ranked(idx, "교통사고") == [first, second], label
            idx.close()


def test_title_outweighs_keywords_outweighs_description_outweighs_columns(make_index):
    idx = make_index("f", PLAIN)
    idx.put_many(
        [
            doc("in-columns", "자료 하나", columns=("약국명",), description="약국명 없음 기타"),
            doc("in-description", "자료 둘", description="약국 자료 설명"),
            doc("in-keywords", "자료 셋", keywords=("약국",)),
            doc("in-title", "약국 목록"),
        ]
    )
    assert ranked(idx, "약국")[:3] == ["in-title", "in-keywords", "in-description"]
    idx.close()


def test_quality_factor_is_bounded():
    w = SignalWeights()
    low, high = w.bounds()
    now = dt.datetime.now(dt.UTC)
    best = Signals(True, 10**9, 10**9, 1.0, now.isoformat())
    worst = Signals(False, 0, 0, 0.0, None)
    assert quality(best, w, now) == pytest.approx(high)
    assert quality(worst, w, now) == pytest.approx(low)
    assert 0 < low < 1 < high <= 3


def test_synonyms_find_and_rank_below_the_word_typed(make_index):
    idx = make_index("s", RankingConfig())
    idx.put_many(
        [
            doc("exact", "공기질 조사", row_count=1000),
            doc("synonym", "대기오염 조사", row_count=1000),
            doc("other", "수질 조사", row_count=1000),
        ]
    )
    table = SynonymTable.of(SHIPPED)
    assert ranked(idx, "공기질") == ["exact"]
    assert ranked(idx, "공기질", table) == ["exact", "synonym"]
    assert set(ranked(idx, "air quality", table)) == {"exact", "synonym"}
    idx.close()


def test_jamo_distance_suggests_the_korean_word():
    assert jamo("짏") == "ㅈㅣㄹㅎ" and jamo("과") == "ㄱㅗㅏ"
    sp = Speller({"대기질": 5, "대기": 9, "pharmacies": 2, "pharmacy": 1})
    assert sp.correct("대기짏") == "대기질"
    assert sp.correct("pharmcy") == "pharmacy"
    assert sp.correct("대기질") is None  # known words are not corrected
    assert sp.correct("zzqxwv") is None


# ----- through the service, over the shared small catalog ------------------------------------
def names(result):
    return [r["name"] for r in result.results]


def test_gonggi_finds_the_air_datasets(search):
    r = search.search("공기", principal=ANONYMOUS)
    assert {"air-quality", "air-quality-busan"} <= set(names(r)) and r.mode == "all"
    assert "pharmacies" not in names(r)


def test_typo_gets_a_suggestion(search):
    r = search.search("대기짏", principal=ANONYMOUS)
    assert r.suggestion == "대기질"
    assert r.to_dict()["suggestion"] == "대기질"
    assert search.search("대기질", principal=ANONYMOUS).suggestion is None


def test_hidden_datasets_give_no_suggestions(search):
    # "진료" is only in the hidden personal dataset's title: never offered to anyone.
    assert "진료" not in search.speller().counts
    assert search.search("진로", principal=ANONYMOUS).suggestion != "진료"


def test_admins_edit_synonyms(search):
    assert search.search("관측망", principal=ANONYMOUS).total == 0
    made = search.add_synonyms(["측정망", "관측망"], principal=SYSTEM)
    assert made.terms == ("측정망", "관측망") and made.origin == "admin"
    assert names(search.search("관측망", principal=ANONYMOUS)) == ["air-quality-busan"]
    merged = search.add_synonyms(["관측망", "모니터링망"], principal=SYSTEM)
    assert merged.id == made.id and merged.terms == ("측정망", "관측망", "모니터링망")
    assert any(s.terms[0] == "대기질" for s in search.list_synonyms(principal=SYSTEM))
    search.remove_synonym("관측망", principal=SYSTEM)
    assert search.search("관측망", principal=ANONYMOUS).total == 0
    with pytest.raises(errors.NotFound):
        search.remove_synonym("관측망", principal=SYSTEM)
    with pytest.raises(errors.InvalidInput):
        search.add_synonyms(["같은말", "같은말"], principal=SYSTEM)
    with pytest.raises(errors.NotAuthenticated):
        search.add_synonyms(["a", "b"], principal=ANONYMOUS)


def test_marking_a_holder_official_reranks_its_data(search, platform):
    first = names(search.search("대기질", principal=ANONYMOUS))
    assert set(first[:2]) == {"air-quality", "air-quality-busan"}
    other = first[1]
    org = "busan" if other == "air-quality-busan" else "seoul"
    info = platform.accounts.set_official(org, True, principal=SYSTEM)
    assert info.official is True
    assert search.index.get(other).official is True
    assert names(search.search("대기질", principal=ANONYMOUS))[0] == other
    with pytest.raises(errors.NotAuthenticated):
        platform.accounts.set_official(org, False, principal=ANONYMOUS)


def test_signal_defaults_are_typed_config():
    cfg = RankingConfig()
    assert dataclasses.is_dataclass(cfg) and cfg.fields.title > cfg.fields.keywords
    assert cfg.fields.keywords > cfg.fields.description > cfg.fields.other


def test_migration_seeds_the_shipped_synonyms(search):
    """Migration 0014 copies `SHIPPED`; the two lists must not drift apart."""
    from datanuri.search.synonyms import normalize

    stored = [s.terms for s in search.list_synonyms(principal=SYSTEM)]
    assert stored == [tuple(normalize(t) for t in s) for s in SHIPPED]
    assert all(s.origin == "shipped" for s in search.list_synonyms(principal=SYSTEM))
