"""Search over a small catalog: Korean forms, English stems, facets, filters, sort, visibility."""

from __future__ import annotations

import pytest

from datanuri import errors
from datanuri.accounts import ANONYMOUS
from datanuri.accounts.principal import SYSTEM, Principal


def names(result):
    return [r["name"] for r in result.results]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("교통사고를", "traffic-accidents"),  # particle
        ("대기질측정", "air-quality"),  # compound query, spaced record
        ("대기질 측정", "air-quality-busan"),  # spaced query, compound record
        ("와이파이", "public-wifi"),  # part of a compound
        ("약국", "pharmacies"),  # two syllables
        ("서울", "pharmacies"),  # two syllables inside 서울특별시
        ("measurement", "bus-stops"),  # English stem
        ("wi-fi", "public-wifi"),
    ],
)
def test_korean_and_english_forms_are_found(search, query, expected):
    assert expected in names(search.search(query, principal=ANONYMOUS))


def test_every_word_must_match_before_falling_back(search):
    r = search.search("부산 대기질", principal=ANONYMOUS)
    assert names(r) == ["air-quality-busan"] and r.mode == "all"
    typo = search.search("pharmacy 교통사거", principal=ANONYMOUS)
    assert typo.mode == "any" and "traffic-accidents" in names(typo)


def test_title_matches_rank_first_and_are_highlighted(search):
    r = search.search("약국", principal=ANONYMOUS)
    assert names(r)[0] == "pharmacies"
    assert "<mark>약국</mark>" in r.results[0]["title_highlight"]
    assert "<mark>약국</mark>" in r.results[0]["snippet"]


def test_facets_count_the_matching_datasets(search):
    r = search.search("", principal=ANONYMOUS)
    facets = {f: {x["value"]: x["count"] for x in v} for f, v in r.facets.items()}
    assert r.total == 7  # the personal dataset with hidden metadata is not counted
    assert facets["theme"] == {"교통": 2, "환경": 2, "보건": 2, "정보통신": 1}
    assert facets["organization"] == {"seoul": 4, "busan": 2, "police": 1}
    assert facets["access_level"] == {"open": 6, "personal": 1}
    assert facets["language"] == {"ko": 6, "en": 1}
    assert facets["region"]["11"] == 3 and facets["region"]["26"] == 2  # 시도 codes


def test_filters_combine(search):
    r = search.search(
        "", filters={"theme": ["환경", "교통"], "organization": ["busan"]}, principal=ANONYMOUS
    )
    assert sorted(names(r)) == ["air-quality-busan", "bus-stops"]
    r = search.search("대기", filters={"region": ["서울특별시"]}, principal=ANONYMOUS)
    assert names(r) == ["air-quality"]
    assert names(search.search("", filters={"keyword": ["약국"]}, principal=ANONYMOUS)) == [
        "pharmacies"
    ]


def test_sort_and_pagination(search):
    by_title = search.search("", sort="title", per_page=3, principal=ANONYMOUS)
    assert by_title.total == 7 and len(by_title.results) == 3
    titles = [r["title"] for r in by_title.results]
    assert titles == sorted(titles, key=str.casefold)
    page3 = search.search("", sort="title", per_page=3, page=3, principal=ANONYMOUS)
    assert len(page3.results) == 1
    newest = search.search("", sort="newest", principal=ANONYMOUS)
    stamps = [r["updated_at"] for r in newest.results]
    assert stamps == sorted(stamps, reverse=True)


def test_update_date_range(search):
    assert search.search("", updated_from="2000-01-01", principal=ANONYMOUS).total == 7
    assert search.search("", updated_to="2000-01-01", principal=ANONYMOUS).total == 0
    with pytest.raises(errors.InvalidInput):
        search.search("", updated_from="yesterday", principal=SYSTEM)


def test_hidden_personal_datasets_only_for_their_holders(search):
    assert "patients" not in names(search.search("진료", principal=ANONYMOUS))
    assert "clinic-visits" in names(search.search("방문", principal=ANONYMOUS))  # metadata public
    member = Principal(kind="user", user_id=1, email="m@example.org", org_roles={"seoul": "member"})
    assert "patients" in names(search.search("진료", principal=member))
    outsider = Principal(
        kind="user", user_id=2, email="o@example.org", org_roles={"busan": "owner"}
    )
    assert "patients" not in names(search.search("진료", principal=outsider))
    no_read = Principal(
        kind="user", user_id=3, email="t@example.org", scopes=frozenset({"publish"})
    )
    assert search.search("", principal=no_read).total == 0


def test_index_follows_catalog_changes_and_rebuilds(search, platform):
    platform.catalog.update_dataset("bus-stops", title="버스정류장 위치", principal=SYSTEM)
    assert names(search.search("버스정류장", principal=ANONYMOUS)) == ["bus-stops"]
    assert search.search("Bus stop locations", principal=ANONYMOUS).mode == "any"
    search.index.clear()
    assert search.search("", principal=ANONYMOUS).total == 0
    assert search.reindex() == 8
    assert search.search("", principal=ANONYMOUS).total == 7


def test_bad_input_gives_clear_errors(search):
    with pytest.raises(errors.InvalidInput):
        search.search("가" * 501, principal=SYSTEM)
    with pytest.raises(errors.InvalidInput):
        search.search("x", sort="popular", principal=SYSTEM)
    with pytest.raises(errors.InvalidInput):
        search.search("x", filters={"colour": ["red"]}, principal=SYSTEM)
    r = search.search('"교통" AND (NEAR * ^', per_page=100000, page=-3, principal=SYSTEM)
    assert r.per_page == 100 and r.page == 1


def test_datamap_counts(search):
    tree = search.datamap(principal=ANONYMOUS)
    assert tree["total"] == 7
    seoul = next(s for s in tree["regions"] if s["name"] == "서울특별시")
    assert seoul["count"] == 3 and {"name": "종로구", "count": 1} in seoul["children"]
    assert {"name": "seoul", "title": "서울특별시", "count": 4} in tree["organizations"]
    assert {"name": "교통", "count": 2} in tree["themes"]
    full = search.datamap(principal=SYSTEM)
    assert full["total"] == 8


def test_column_names_of_the_latest_schema_are_searchable(search, platform, tmp_path):
    from tests.helpers import air_csv

    before = search.search("비고", principal=ANONYMOUS)
    assert "air-quality" not in names(before) or before.mode != "all"
    platform.catalog.publish("air-quality", air_csv(tmp_path / "air.csv"), principal=SYSTEM)
    fields = [
        f["name"]
        for f in platform.catalog.version_detail("air-quality", principal=SYSTEM)["schema"][
            "fields"
        ]
    ]
    assert "비고" in fields and set(fields) <= set(search.index.get("air-quality").columns)
    r = search.search("비고", principal=ANONYMOUS)
    assert names(r) == ["air-quality"] and r.mode == "all"
    assert names(search.search("측정일", principal=ANONYMOUS))[0] == "air-quality"


def test_a_word_found_nowhere_is_left_out_before_any_word_may_match(search):
    r = search.search("약국 qqzzxx", principal=ANONYMOUS)
    assert r.mode == "any" and names(r) == ["pharmacies"]
