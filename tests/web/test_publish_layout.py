"""The REST publish options for messy spreadsheets: header_row / skip_rows / keep_totals, and
the exact outcome counts in the answer."""

import pytest

from datanuri.accounts.principal import SYSTEM
from datanuri.catalog.guards import screen_problems
from tests.helpers import editor_token
from tests.tables.agency import COLUMNS, SIDO, TOTAL_ROW, write_agency_xlsx


@pytest.fixture
def bike(api, platform):
    platform.accounts.create_organization("mois", title="행정안전부", principal=SYSTEM)
    api.headers["Authorization"] = f"Bearer {editor_token(platform, 'mois')}"
    r = api.post(
        "/api/v1/datasets", json={"name": "bike", "organization": "mois", "title": "자전거도로"}
    )
    assert r.status_code == 201, r.text
    return api


def upload(api, path, **fields):
    with open(path, "rb") as f:
        return api.post(
            "/api/v1/datasets/bike/versions?wait=true",
            files={"file": (path.name, f)},
            data=fields,
        )


def test_the_agency_workbook_over_the_api(bike, tmp_path):
    src = write_agency_xlsx(tmp_path / "bike.xlsx", measured_gap=True)
    r = upload(bike, src)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["version"]["row_count"] == len(SIDO)
    assert body["outcome"]["dropped_rows"] == 1 and body["outcome"]["kept_as_null"] == 1
    assert "뺐습니다" in body["message_ko"] and "left out" in body["message"]
    schema = bike.get("/api/v1/datasets/bike/versions/1/schema").json()
    assert [f["name"] for f in schema["fields"]] == COLUMNS
    problems = bike.get("/api/v1/datasets/bike/versions/1/problems").json()
    assert [(p["line"], p["kind"]) for p in problems["items"]] == [
        (9, "missing_value"),
        (TOTAL_ROW, "total_row"),
    ]
    assert all(p["message_ko"] for p in problems["items"])


def test_header_row_and_keep_totals_fields(bike, tmp_path):
    src = write_agency_xlsx(tmp_path / "bike.xlsx")
    r = upload(bike, src, header_row="5", keep_totals="true")
    assert r.status_code == 201, r.text
    assert r.json()["version"]["row_count"] == len(SIDO) + 1
    schema = bike.get("/api/v1/datasets/bike/versions/1/schema").json()
    assert [f["name"] for f in schema["fields"]][2:] == ["전용도로", "겸용도로", "합계"]
    r = upload(bike, src, skip_rows="3")
    assert r.status_code == 201 and r.json()["version"]["row_count"] == len(SIDO)


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"header_row": "abc"}, "header_row must be a whole number"),
        ({"header_row": "0"}, "header_row must be a whole number"),
        ({"skip_rows": "-1"}, "skip_rows must be a whole number"),
        ({"keep_totals": "maybe"}, "keep_totals must be true or false"),
        ({"header_row": "3"}, "Row 3"),
        ({"header_row": "4", "skip_rows": "1"}, "name different rows"),
    ],
)
def test_bad_layout_fields_are_refused_and_publish_nothing(bike, tmp_path, fields, says):
    r = upload(bike, write_agency_xlsx(tmp_path / "bike.xlsx"), **fields)
    assert r.status_code == 422, r.text
    assert says in r.json()["error"]["message"]
    assert bike.get("/api/v1/datasets/bike").json()["latest_version"] is None


def test_withheld_problems_lose_the_korean_message_too():
    item = {"line": 9, "column": "이름", "kind": "missing_value", "value": "홍길동"}
    item |= {"message": "… '홍길동' …", "message_ko": "… '홍길동' …"}
    out = screen_problems({"count": 1, "items": [item]}, ["이름"])["items"][0]
    assert "홍길동" not in str(out) and out["value_withheld"]


def test_the_dataset_page_names_identifier_and_code_columns(bike, tmp_path):
    from tests.tables.test_roles import _accidents

    r = upload(bike, _accidents(tmp_path))
    assert r.status_code == 201, r.text
    page = bike.get("/datasets/bike").text
    assert page.count('class="field-role"') == 4  # 사고번호, 접수순서, 법정동코드, 우편번호
    assert "식별번호" in page and "코드" in page
    assert "2023000100" in page and "2,023,000,100" not in page  # a code's min, unformatted
