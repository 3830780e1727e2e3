"""JSON errors and row problems carry the catalogue's Korean beside the English message."""

from __future__ import annotations

from typing import Any

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.tables import messages as tables_messages
from tests.helpers import editor_token


def test_error_has_korean_beside_english(api: Any) -> None:
    r = api.get("/api/v1/datasets/no-such-dataset")
    assert r.status_code == 404
    error = r.json()["error"]
    assert error["message"] == errors.MSG_DATASET_NOT_FOUND.format(name="no-such-dataset")
    assert error["message_ko"].startswith("'no-such-dataset'(이)라는 데이터셋이 없습니다.")


def test_row_problems_have_korean(api: Any, platform: Any, tmp_path: Any) -> None:
    platform.accounts.create_organization("seoul", title="서울특별시", principal=SYSTEM)
    api.headers["Authorization"] = f"Bearer {editor_token(platform, 'seoul')}"
    r = api.post(
        "/api/v1/datasets", json={"name": "air", "organization": "seoul", "title": "대기질"}
    )
    assert r.status_code == 201, r.text
    src = tmp_path / "air.csv"
    src.write_text(
        "측정소,PM10\n종로구,31\n중구,28,9\n", encoding="utf-8"
    )  # line 3: one value too many
    with src.open("rb") as f:
        r = api.post(
            "/api/v1/datasets/air/versions?wait=true",
            files={"file": ("air.csv", f)},
            data={"mode": "lenient"},
        )
    assert r.status_code in (200, 201), r.text
    items = api.get("/api/v1/datasets/air/versions/1/problems").json()["items"]
    assert items, "the extra value is a row problem"
    first = items[0]
    assert first["message"] == tables_messages.PROB_COLUMN_COUNT.format(
        line=3, actual=3, expected=2
    )
    assert first["message_ko"] == "3행은 값이 3개인데 머리글은 2개라서 이 행을 뺐습니다."
