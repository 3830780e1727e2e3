"""Pure analysis: particles dropped, compounds split and joined, n-grams, English stems."""

from __future__ import annotations

from datanuri import regions
from datanuri.search.analysis import (
    analyze,
    hangul_grams,
    index_terms,
    query_words,
    strip_particles,
)
from datanuri.search.highlight import snippet
from datanuri.search.query import match_expression, quote


def test_particle_is_dropped_from_the_query_word():
    (w,) = query_words("교통사고를")
    assert w.content == "교통사고"
    assert "를" not in w.parts and "고를" not in w.grams


def test_compound_and_spaced_forms_share_their_morphemes():
    joined, _ = index_terms("대기질측정")
    spaced, _ = index_terms("대기질 측정")
    for term in ("대기", "측정"):
        assert term in joined and term in spaced
    assert "대기질측정" in joined  # the whole compound is a term too


def test_hangul_bigrams_cover_two_syllable_words():
    assert hangul_grams("서울특별시") == ["서울", "울특", "특별", "별시"]
    assert hangul_grams("물") == ["물"]


def test_english_words_are_stemmed_and_stopwords_dropped():
    terms, _ = index_terms("Air quality measurements in the city")
    assert "measur" in terms and "qualiti" in terms
    assert "the" not in terms and "in" not in terms
    assert [w.parts for w in query_words("measurement")] == [("measur",)]


def test_fallback_strips_particles_without_the_analyser():
    assert strip_particles("교통사고를") == "교통사고"
    assert strip_particles("약국") == "약국"


def test_query_syntax_characters_are_quoted_not_interpreted():
    expr = match_expression(query_words('"교통" OR NEAR(a b) * -x :'), "all")
    assert expr is not None and "NEAR(" not in expr
    assert quote('a"b') == '"a""b"'
    assert match_expression(query_words("!!! ???"), "all") is None


def test_snippet_marks_matches_and_escapes_html():
    out = snippet("<b>서울</b> 교통사고 현황", ["교통사고"])
    assert "<mark>교통사고</mark>" in out and "&lt;b&gt;" in out
    assert (
        snippet("Air quality measurements", ["measur"]) == "Air quality <mark>measurements</mark>"
    )


def test_regions_parse_sido_and_sigungu():
    assert [r.path for r in regions.parse_regions("서울특별시 종로구, 부산")] == [
        "서울특별시/종로구",
        "부산광역시",
    ]
    assert [r.path for r in regions.parse_regions("해운대구")] == ["부산광역시/해운대구"]
    assert regions.parse_regions("중구") == []  # ambiguous without its 시도
    assert [r.path for r in regions.parse_regions("Seoul")] == ["서울특별시"]
    assert len(regions.sido_list()) == 17
    assert sum(len(s.sigungu) for s in regions.sido_list()) == 228


def test_analyze_handles_empty_and_symbols():
    assert analyze("") == [] and analyze("   ") == [] and analyze("()[]") == []


def test_stages_loosen_from_every_word_to_any_word():
    from datanuri.search.query import stages

    words = query_words("포천시 화재발가")
    (m1, all_expr), (m2, loose), (m3, any_expr) = stages(words)  # no `known`: three stages
    assert (m1, m2, m3) == ("all", "any", "any")
    # loose: every word still required, but by any one of its terms or n-grams
    assert loose.count(" AND ") == 1 and '"화재"' in loose and "AND" not in any_expr
    # Latin trigrams stay out of the exact stage (stems match there) and come in when loosening
    (_, exact), *_ = stages(query_words("pharmacies"))
    assert '"pha"' not in exact and '"pharmaci"' in exact
    assert '"pha"' in list(stages(query_words("pharmacies")))[1][1]
    # a word found nowhere is dropped before falling back to any word
    tried = list(stages(query_words("서울 zzqx"), known=lambda expr: "zzqx" not in expr))
    assert [m for m, _ in tried] == ["all", "any", "any", "any", "any"]
    assert "zzqx" not in tried[2][1] and "서울" in tried[2][1] and "zzqx" in tried[-1][1]


def test_words_are_analysed_once_and_the_same_in_documents_and_queries():
    from datanuri.search.analysis import prime

    prime(["서울특별시 대기질측정 현황을", "대기질을"])
    assert index_terms("대기질을")[0] == list(query_words("대기질을")[0].parts)
    assert analyze("대기질측정") == analyze("대기질측정")


def test_exact_stage_keeps_a_spanning_subset_of_bigrams():
    from datanuri.search.query import cover

    assert cover(("대기", "기질", "질측", "측정")) == ["대기", "질측", "측정"]
    assert cover(("서울",)) == ["서울"] and cover(("ele", "lem", "eme")) == ["ele", "lem", "eme"]
    assert [w.parts for w in query_words("Gyeonggi-do")] == [("gyeonggi",)]
