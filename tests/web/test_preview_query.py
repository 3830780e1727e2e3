"""The preview API filters, sorts and pages rows on the server; the chart and map endpoints
summarise them; column names are checked and values bound; access rules are the preview's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from datanuri.accounts import SYSTEM

PREVIEW = "/api/v1/datasets/{name}/versions/latest/preview"
HEADER = "측정소,시도,측정일,PM10,비고"
ROWS = [
    "종로구,서울특별시,2024-01-05,40,보통",
    "중구,부산광역시,2024-01-06,45,나쁨",
    "용산구,서울특별시,2024-01-07,,보통",
    "해운대구,부산,2024-01-08,80,나쁨",
    "수원시,경기도,2024-01-09,12,좋음",
    "종로구,서울시,2024-01-10,33,보통",
]


def _publish(platform: Any, tmp_path: Path, name: str, *, access: str = "open") -> None:
    path = tmp_path / f"{name}.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    platform.catalog.create_dataset(
        name, organization="env", title="대기", access_level=access, principal=SYSTEM
    )
    platform.catalog.publish(name, path, principal=SYSTEM)


@pytest.fixture
def world(platform: Any, tmp_path: Path) -> Any:
    platform.accounts.create_organization("env", title="환경부", principal=SYSTEM)
    _publish(platform, tmp_path, "air")
    _publish(platform, tmp_path, "air-restricted", access="restricted")
    return platform


def get(api: Any, name: str = "air", **params: Any) -> Any:
    return api.get(PREVIEW.format(name=name), params=params)


def test_filter_sort_and_page(api: Any, world: Any) -> None:
    body = get(api, column="시도", op="contains", value="서울", sort="PM10", order="desc").json()
    assert body["total"] == 6 and body["matched"] == 3
    pm10 = body["columns"].index("PM10")
    assert [r[pm10] for r in body["rows"]] == [40, 33, None]  # nulls last
    body = get(api, column="PM10", op="range", low="30", high="45", sort="측정일").json()
    assert [r[0] for r in body["rows"]] == ["종로구", "중구", "종로구"]
    body = get(api, column="비고", op="eq", value="나쁨", limit=1, offset=1).json()
    assert body["matched"] == 2 and [r[0] for r in body["rows"]] == ["해운대구"]
    body = get(api, column="측정일", op="range", low="2024-01-09").json()
    assert [r[0] for r in body["rows"]] == ["수원시", "종로구"]
    assert get(api, column="측정일", op="eq", value="2024-01-06").json()["rows"][0][0] == "중구"
    plain = get(api, limit=2).json()
    assert plain["matched"] == 6 and [r[0] for r in plain["rows"]] == ["종로구", "중구"]


def test_names_are_checked_and_values_bound(api: Any, world: Any) -> None:
    r = get(api, sort='PM10" DESC; DROP TABLE x; --')
    assert r.status_code == 422 and "no column" in r.json()["error"]["message"]
    r = get(api, column="없는열", value="1")
    assert r.status_code == 422
    r = get(api, column="PM10", op="range", low="많이")
    assert r.status_code == 422 and "number" in r.json()["error"]["message"]
    # A value that looks like SQL is only a value: it matches nothing.
    body = get(api, column="측정소", value="' OR 1=1 --").json()
    assert body["matched"] == 0 and body["rows"] == []


def test_chart_and_map(api: Any, world: Any) -> None:
    base = "/api/v1/datasets/air/versions/latest"
    top = api.get(base + "/chart", params={"chart": "비고"}).json()
    assert top["kind"] == "top" and top["distinct"] == 3
    assert [(b["label"], b["count"]) for b in top["bars"]] == [
        ("보통", 3),
        ("나쁨", 2),
        ("좋음", 1),
    ]
    hist = api.get(base + "/chart", params={"chart": "PM10", "column": "시도", "value": "경기도"})
    assert hist.json()["kind"] == "histogram" and sum(b["count"] for b in hist.json()["bars"]) == 1
    m = api.get(base + "/map").json()
    assert m["kind"] == "regions" and set(m["region_columns"]) == {"시도", "측정소"}
    assert m["regions"]["11"] == 3 and m["regions"]["26"] == 2 and m["regions"]["41"] == 1
    assert m["regions"]["26:해운대구"] == 1


def test_restricted_rows_stay_hidden(api: Any, world: Any) -> None:
    for path in ("/preview?column=시도&value=서울", "/chart?chart=PM10", "/map"):
        r = api.get("/api/v1/datasets/air-restricted/versions/latest" + path)
        assert r.status_code == 401, path
