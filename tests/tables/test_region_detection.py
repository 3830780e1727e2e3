"""Region columns found in tables: names in their common forms, addresses and codes (pure
functions over values), and the coverage of a real Parquet file."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datanuri.regions.ids import region_ids, region_label, sido_of_code, sort_ids, to_id
from datanuri.tables.coverage import (
    RegionColumn,
    classify_column,
    count_regions,
    table_coverage,
)


@pytest.mark.parametrize(
    "text, ids",
    [
        ("서울", ["11"]),
        ("서울시", ["11"]),
        ("서울특별시", ["11"]),
        ("경기도 수원시 장안구", ["41:수원시"]),
        ("서울특별시 강남구 테헤란로 152", ["11:강남구"]),
        ("부산 중구", ["26:중구"]),
        ("중구", []),  # in seven 시도: placed only by a 시도 before it
        ("전라북도 전주시", ["52:전주시"]),
        ("Gangwon-do", ["51"]),
        ("Seoul", ["11"]),
        ("사과", []),
    ],
)
def test_region_names_in_common_forms(text, ids):
    assert region_ids(text) == ids


@pytest.mark.parametrize(
    "code, sido",
    [
        ("11", "11"),
        ("11110", "11"),
        (1111010100, "11"),
        ("42110", "51"),
        ("4511", None),
        ("99", None),
        ("서울", None),
        ("11.0", "11"),
    ],
)
def test_administrative_codes_name_their_sido(code, sido):
    assert sido_of_code(code) == sido


def test_ids_labels_and_order():
    assert to_id("서울특별시") == "11" and to_id("서울특별시/종로구") == "11:종로구"
    assert to_id("11:종로구") == "11:종로구" and to_id("11:없는구") is None
    assert region_label("11:종로구") == "서울특별시 종로구" and region_label("26", "en") == "Busan"
    assert sort_ids(["26", "11:종로구", "11", "11"]) == ("11", "11:종로구", "26")


def test_columns_are_classified_by_name_and_values():
    sido = [("서울특별시", 5), ("경기도", 3), ("부산", 2)]
    assert classify_column("시도", sido) == "name"
    assert classify_column("소재지", [("서울특별시 종로구 세종대로 1", 4), ("미상", 1)]) == "name"
    # 시군구 names alone, even ambiguous ones: a 시도 column beside them places them.
    assert classify_column("시군구", [("중구", 3), ("종로구", 2)]) == "name"
    assert classify_column("region_code", [(11, 3), (41, 2)], integer=True) == "code"
    assert classify_column("법정동코드", [("1111010100", 3), ("4111110100", 1)]) == "code"
    # Numbers that look like codes are not regions without a telling name, nor postcodes.
    assert classify_column("age", [(11, 3), (41, 2)], integer=True) is None
    assert classify_column("우편번호", [("11110", 3)]) is None
    # Without a telling name, values must be regions almost always.
    assert classify_column("비고", [("서울", 8), ("없음", 2)]) is None
    assert classify_column("memo", [("사과", 8), ("배", 2)]) is None


def test_counts_place_sigungu_in_the_sido_before_them():
    cols = (RegionColumn("시도", "name"), RegionColumn("시군구", "name"))
    rows = [(("서울특별시", "중구"), 2), (("부산광역시", "중구"), 1), (("서울", "종로구"), 3)]
    assert count_regions(cols, rows) == {
        "11": 5,
        "11:중구": 2,
        "26": 1,
        "26:중구": 1,
        "11:종로구": 3,
    }
    code = (RegionColumn("adm_cd", "code"), RegionColumn("addr", "name"))
    assert count_regions(code, [(("11110", "서울 종로구 삼청로 1"), 1), ((None, None), 4)]) == {
        "11": 1,
        "11:종로구": 1,
    }


def test_coverage_of_a_parquet_file(tmp_path: Path):
    table = pa.table(
        {
            "기준일": ["2024-01-31"] * 4,
            "시도": ["서울특별시", "서울특별시", "경기도", "세종특별자치시"],
            "시군구": ["종로구", "중구", "수원시", "세종특별자치시"],
            "인구": [139000, 121000, 1190000, 390000],
            "code": [11, 11, 41, 36],
        }
    )
    path = tmp_path / "t.parquet"
    pq.write_table(table, path)
    cov = table_coverage(path)
    found = {(c.name, c.kind) for c in cov.columns}
    assert found == {("시도", "name"), ("시군구", "name"), ("code", "code")}
    assert [c.name for c in cov.columns].index("시도") < [c.name for c in cov.columns].index(
        "시군구"
    )
    assert cov.regions == ("11", "11:종로구", "11:중구", "36", "41", "41:수원시")
    assert cov.counts["11"] == 2 and cov.counts["36"] == 1
    assert cov.to_profile()["regions"] == list(cov.regions)


def test_columns_empty_at_first_and_wide_tables(tmp_path: Path):
    n = 100
    table = pa.table(
        {
            **{f"c{i}": [f"v{j}" for j in range(n)] for i in range(300)},
            "시도": [None] * 30 + ["경상남도", "전라남도"] * 35,
        }
    )
    path = tmp_path / "wide.parquet"
    pq.write_table(table, path)
    cov = table_coverage(path)
    assert [c.name for c in cov.columns] == ["시도"]
    assert cov.regions == ("46", "48") and cov.counts == {"48": 35, "46": 35}
