"""The data map counts the regions found in published tables' region columns, with 시군구."""

from __future__ import annotations

from pathlib import Path

from datanuri.accounts import ANONYMOUS
from datanuri.accounts.principal import SYSTEM


def _csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _region(tree: dict, code: str) -> dict:
    return next(r for r in tree["regions"] if r["code"] == code)


def test_datamap_counts_regions_from_region_columns(platform, tmp_path: Path):
    platform.accounts.create_organization("stats", title="통계청", principal=SYSTEM)
    cat = platform.catalog
    cat.create_dataset("pop", organization="stats", title="인구", spatial="전국", principal=SYSTEM)
    cat.publish(
        "pop",
        _csv(
            tmp_path / "pop.csv",
            "시도,시군구,인구",
            [
                "서울특별시,종로구,139000",
                "서울특별시,중구,121000",
                "경기도,수원시,1190000",
                "제주특별자치도,제주시,490000",
            ],
        ),
        principal=SYSTEM,
    )
    cat.create_dataset("firms", organization="stats", title="사업체", principal=SYSTEM)
    cat.publish(
        "firms",
        _csv(tmp_path / "firms.csv", "year,region_code,firms", ["2023,11,5", "2023,26,3"]),
        principal=SYSTEM,
    )
    cat.create_dataset("empty", organization="stats", title="지역 없음", principal=SYSTEM)
    cat.publish("empty", _csv(tmp_path / "e.csv", "a,b", ["1,2"]), principal=SYSTEM)

    doc = platform.search.fresh_doc("pop")
    assert doc.regions == ("11", "11:종로구", "11:중구", "41", "41:수원시", "50", "50:제주시")
    tree = platform.search.datamap(principal=ANONYMOUS)
    seoul = _region(tree, "11")
    assert seoul["count"] == 2 and seoul["name"] == "서울특별시"
    assert seoul["children"] == [{"name": "종로구", "count": 1}, {"name": "중구", "count": 1}]
    assert _region(tree, "26")["count"] == 1 and _region(tree, "26")["children"] == []
    assert _region(tree, "41")["children"] == [{"name": "수원시", "count": 1}]
    assert _region(tree, "30")["count"] == 0

    # Searching by a 시도 (its code or its name) or a 시군구 finds the tables that cover it.
    def found(**filters):
        res = platform.search.search("", filters=filters, principal=ANONYMOUS)
        return sorted(r["name"] for r in res.results)

    assert found(region=["11"]) == ["firms", "pop"]
    assert found(region=["부산광역시"]) == ["firms"]
    assert found(sigungu=["11:중구"]) == ["pop"]
    assert found(sigungu=["서울특별시/종로구"]) == ["pop"]


def test_personal_tables_count_only_their_sido(platform, tmp_path: Path):
    platform.accounts.create_organization("clinic", title="의원", principal=SYSTEM)
    cat = platform.catalog
    cat.create_dataset(
        "visits",
        organization="clinic",
        title="방문",
        access_level="personal",
        metadata_public=True,
        principal=SYSTEM,
    )
    cat.publish(
        "visits",
        _csv(
            tmp_path / "v.csv",
            "방문일,주소",
            ["2024-01-02,서울특별시 종로구 삼청로 1", "2024-01-03,부산광역시 해운대구 해운대로 2"],
        ),
        principal=SYSTEM,
    )
    assert platform.search.fresh_doc("visits").regions == ("11", "26")
    tree = platform.search.datamap(principal=ANONYMOUS)
    assert _region(tree, "11")["count"] == 1 and _region(tree, "11")["children"] == []
    # The profile says no more than the map: 시도 only, whoever reads it (the holder too).
    for who in (ANONYMOUS, SYSTEM):
        profile = platform.catalog.version_detail("visits", principal=who)["profile"]
        assert profile["coverage"]["regions"] == ["11", "26"]
