"""The pure scoring behind desk suggestions: key terms, dataset coverage, organisation ranking,
duplicate requests and the reasons' texts (no database, no search)."""

from __future__ import annotations

from datanuri.catalog.documents import SearchDoc
from datanuri.desk.reasons import catalog_reason, josa_wa, past_reason, theme_reason
from datanuri.desk.similarity import (
    OrgEvidence,
    coverage,
    doc_fields,
    idf,
    key_terms,
    org_scores,
    past_similarity,
    similar,
    synonym_map,
    with_synonyms,
)
from datanuri.search.synonyms import SynonymTable


def doc(**kw: object) -> SearchDoc:
    base: dict[str, object] = dict(
        name="air",
        organization="keco",
        organization_title="한국환경공단",
        title="서울 대기오염 측정소별 일평균 자료",
        description="측정소의 일평균 농도 (PM10, PM2.5).",
        keywords=("대기오염", "미세먼지"),
        theme="환경",
        license=None,
        access_level="open",
        metadata_public=True,
        language="ko",
        spatial=None,
        temporal_start=None,
        temporal_end=None,
        formats=(),
        regions=("11",),
        latest_version=1,
        created_at="2024-01-01",
        updated_at="2024-01-01",
        columns=("측정소명", "측정일자", "PM10"),
    )
    base.update(kw)
    return SearchDoc(**base)  # type: ignore[arg-type]


def test_key_terms_drop_request_boilerplate_and_weigh_the_title():
    terms = key_terms(
        "서울 미세먼지 자료 요청", "미세먼지 농도 데이터가 필요합니다. 분석 목적으로 활용합니다."
    )
    texts = [t.text for t in terms]
    assert texts == ["서울", "미세먼지", "농도"]
    assert terms[0].weight > terms[2].weight
    assert key_terms("데이터 요청", "자료를 제공해 주시면 좋겠습니다") == []


def test_coverage_says_which_terms_matched_where():
    terms = key_terms("미세먼지 측정소 PM10", "")
    weights = {t.text: 1.0 for t in terms}
    cov = coverage(doc_fields(doc()), terms, weights)
    assert set(cov.matched) == {"미세먼지", "측정소", "pm10"}
    assert cov.fields == ("title", "keywords", "columns", "description")
    assert 0.8 < cov.score <= 1.0
    none = coverage(doc_fields(doc()), key_terms("아파트 실거래가"), weights)
    assert none.score == 0 and none.matched == ()


def test_a_rare_matched_term_outweighs_a_common_one():
    terms = key_terms("서울 오존 농도")
    common = idf(9, 10)
    rare = idf(1, 10)
    assert rare > common
    only_seoul = doc(title="서울 버스", description="", keywords=(), columns=())
    only_ozone = doc(title="오존 측정", description="", keywords=(), columns=())
    w = {"서울": common, "오존": rare, "농도": rare}
    a = coverage(doc_fields(only_seoul), terms, w).score
    b = coverage(doc_fields(only_ozone), terms, w).score
    assert b > a > 0


def test_synonyms_count_as_the_term():
    table = SynonymTable.of([("대기질", "대기오염", "air quality")])
    terms = with_synonyms(key_terms("대기질 자료"), table.alternatives)
    cov = coverage(doc_fields(doc()), terms, {"대기질": 1.0})
    assert cov.matched == ("대기질",) and "keywords" in cov.fields
    plain = coverage(doc_fields(doc()), key_terms("대기질 자료"), {"대기질": 1.0})
    assert plain.matched == ()


def test_organisations_rank_by_terms_few_organisations_hold():
    terms = key_terms("서울 미세먼지")
    evidence = [
        OrgEvidence("keco", {"미세먼지": 3, "서울": 1}, datasets=4),
        OrgEvidence("seoul", {"서울": 5}, datasets=20),
        OrgEvidence("kostat", {"서울": 2}, datasets=10),
        OrgEvidence("nothing", {}, datasets=3),
    ]
    ranked = org_scores(evidence, terms, n_orgs=5)
    assert [o.name for o in ranked] == ["keco", "seoul", "kostat"]
    assert ranked[0].top_terms[0] == ("미세먼지", 3)


def test_theme_region_and_past_answers_add_to_an_organisation():
    terms = key_terms("주차장 이용 현황")
    plain = OrgEvidence("a", {"주차장": 1}, datasets=10)
    themed = OrgEvidence("b", {"주차장": 1}, datasets=10, theme_count=5, region_count=2)
    answered = OrgEvidence("c", {}, datasets=0, past=0.6, past_count=1)
    scores = {o.name: o.score for o in org_scores([plain, themed, answered], terms, n_orgs=3)}
    assert scores["b"] > scores["a"] > 0
    assert scores["c"] > 0  # known only from its past answers


def test_duplicates_found_across_spacing_and_particles():
    others = [
        "서울 미세먼지 농도 자료 요청",
        "통계청의 인구 자료",
        "전국 아파트 실거래가",
    ]
    found = similar("서울 미세먼지농도 자료", others)
    assert [s.index for s in found] == [0]
    assert found[0].score > 0.6
    assert set(found[0].shared) >= {"서울", "미세먼지농도"}
    found = similar("통계청 인구 통계", others)
    assert [s.index for s in found] == [1] and "통계청" in found[0].shared


def test_duplicates_across_compounds_split_by_a_space():
    found = similar("시군구별 교통 사고 건수", ["교통사고 시군구별 건수 요청"])
    assert found and found[0].score >= 0.3


def test_unrelated_requests_are_not_duplicates():
    assert similar("반려동물 등록 현황", ["서울 미세먼지 농도", "버스 승하차 인원"]) == []
    assert similar("자료 요청합니다", ["서울 미세먼지 농도"]) == []


def test_duplicate_scores_stay_between_0_and_1():
    found = similar("버스 승하차 인원", ["버스 승하차 인원", "버스 승하차"], threshold=0.0)
    assert found[0].score == 1.0 and all(0.0 <= s.score <= 1.0 for s in found)


def test_synonyms_make_duplicates():
    syn = synonym_map([("대기질", "공기질", "air quality")])
    assert syn == {"대기질": "공기질", "공기질": "공기질"}
    assert not similar("공기질 측정", ["대기질 측정 결과"], threshold=0.6)
    assert similar("공기질 측정", ["대기질 측정 결과"], synonyms=syn, threshold=0.6)


def test_past_answers_per_organisation():
    past = past_similarity(
        "서울 미세먼지 측정 자료",
        {"keco": ["미세먼지 측정소 자료", "오존 농도"], "kostat": ["인구 통계"], "x": []},
    )
    assert set(past) == {"keco"}
    best, count, shared = past["keco"]
    assert 0 < best <= 1 and count == 1 and "미세먼지" in shared


def test_reasons_in_both_languages_with_the_right_particle():
    assert josa_wa("미세먼지") == "와" and josa_wa("인구") == "와" and josa_wa("교통사고") == "와"
    assert josa_wa("주차장") == "과" and josa_wa("PM10") == "와(과)"
    assert catalog_reason("미세먼지", 3) == (
        "보유 데이터셋 3건이 '미세먼지'와 일치",
        "3 of its datasets match '미세먼지'",
    )
    assert catalog_reason("주차장", 1) == (
        "보유 데이터셋 1건이 '주차장'과 일치",
        "1 of its datasets matches '주차장'",
    )
    assert theme_reason("환경", "Environment", 2) == (
        "'환경' 분야 데이터셋 2건 보유",
        "holds 2 datasets in the theme 'Environment'",
    )
    ko, en = past_reason(2, ["미세먼지", "서울"])
    assert "2건" in ko and "'미세먼지'" in ko and en.startswith("answered 2 similar")
