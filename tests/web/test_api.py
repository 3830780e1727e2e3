import io
import time

import pyarrow.parquet as pq
import pytest

from datanuri.accounts.principal import SYSTEM
from tests.helpers import air_csv, editor_token

# The API's main path end to end, on both databases (the other interface tests: SQLite only).
pytestmark = pytest.mark.both_databases


@pytest.fixture
def seeded(api, platform):
    platform.accounts.create_organization("seoul", title="서울특별시", principal=SYSTEM)
    api.headers["Authorization"] = f"Bearer {editor_token(platform, 'seoul')}"
    r = api.post(
        "/api/v1/datasets",
        json={"name": "air", "organization": "seoul", "title": "대기질", "keywords": ["대기질"]},
    )
    assert r.status_code == 201, r.text
    return api


def upload(api, path, *, wait=True, **fields):
    with open(path, "rb") as f:
        return api.post(
            f"/api/v1/datasets/air/versions?wait={str(wait).lower()}",
            files={"file": (path.name, f)},
            data=fields,
        )


def test_upload_wait_then_identical_upload(seeded, tmp_path):
    src = air_csv(tmp_path / "측정.csv")
    r = upload(seeded, src, change_note="첫 자료")
    assert r.status_code == 201, r.text
    body = r.json()
    assert (
        body["created"]
        and body["version"]["number"] == 1
        and body["version"]["change_note"] == "첫 자료"
    )
    assert body["version"]["source_name"] == "측정.csv"
    r2 = upload(seeded, src)
    assert r2.status_code == 200 and r2.json()["created"] is False


def test_background_upload_reports_progress_to_done(seeded, tmp_path):
    r = upload(seeded, air_csv(tmp_path / "a.csv", extra_rows=5000), wait=False)
    assert r.status_code == 202
    url = r.json()["status_url"]
    for _ in range(200):
        job = seeded.get(url).json()
        if job["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.05)
    assert job["status"] == "succeeded", job
    assert job["fraction"] == 1.0 and job["result"]["version"]["row_count"] == 5003


def test_read_routes(seeded, tmp_path):
    upload(seeded, air_csv(tmp_path / "a.csv", extra_rows=97))
    base = "/api/v1/datasets/air/versions"
    assert [v["number"] for v in seeded.get(base).json()] == [1]
    assert seeded.get(f"{base}/latest").json()["row_count"] == 100
    schema = seeded.get(f"{base}/1/schema").json()
    assert [f["name"] for f in schema["fields"]][:3] == ["측정소명", "측정일", "PM10"]
    profile = seeded.get(f"{base}/1/profile").json()
    assert profile["columns"]
    page = seeded.get(f"{base}/1/preview", params={"offset": 90, "limit": 20}).json()
    assert page["total"] == 100 and len(page["rows"]) == 10 and page["columns"][0] == "측정소명"
    r = seeded.get(f"{base}/1/download", params={"format": "parquet"})
    assert r.status_code == 200 and pq.read_table(io.BytesIO(r.content)).num_rows == 100
    assert 'filename="air-v1.parquet"' in r.headers["content-disposition"]
    csv = seeded.get(f"{base}/1/download", params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.count("\n") == 101


def test_error_shape(seeded):
    for url, status, code in [
        ("/api/v1/datasets/nope", 404, "not_found"),
        ("/api/v1/datasets/air/versions/7", 404, "not_found"),
        ("/api/v1/datasets/air/versions/x", 422, "invalid_input"),
        ("/api/v1/nowhere", 404, "not_found"),
        ("/api/v1/datasets/air/versions/1/download?format=xls", 404, "not_found"),
    ]:
        r = seeded.get(url)
        assert r.status_code in (status, 422), (url, r.text)
        err = r.json()["error"]
        assert err["message"] and err["code"] in (code, "invalid_input")
    r = seeded.post("/api/v1/datasets", json={"name": "air", "organization": "seoul"})
    assert r.status_code == 409 and "already exists" in r.json()["error"]["message"]
    r = seeded.post("/api/v1/datasets", json={"organization": "seoul"})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["where"] == "body.name"


def test_personal_dataset_has_no_rows_over_http(seeded, tmp_path):
    seeded.post(
        "/api/v1/datasets",
        json={"name": "people", "organization": "seoul", "access_level": "personal"},
    )
    with open(air_csv(tmp_path / "p.csv"), "rb") as f:
        assert (
            seeded.post(
                "/api/v1/datasets/people/versions?wait=true", files={"file": ("p.csv", f)}
            ).status_code
            == 201
        )
    assert seeded.get("/api/v1/datasets/people/versions/1/schema").status_code == 200
    for fmt in ("parquet", "csv", "json"):
        r = seeded.get(f"/api/v1/datasets/people/versions/1/download?format={fmt}")
        assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"
    assert seeded.get("/api/v1/datasets/people/versions/1/preview").status_code == 403
    r = seeded.patch(
        "/api/v1/datasets/people", json={"access_level": "open"}
    )  # no way round the release
    assert r.status_code == 403 and "de-identified release" in r.json()["error"]["message"]
    assert seeded.get("/api/v1/datasets/people").json()["access_level"] == "personal"


def test_cut_off_upload_is_refused_and_changes_nothing(seeded, platform, tmp_path):
    src = air_csv(tmp_path / "a.csv", extra_rows=1000).read_bytes()
    boundary = "xyzBOUNDARY"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode() + src[: len(src) // 2]
    r = seeded.post(
        "/api/v1/datasets/air/versions?wait=true",
        content=body,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert r.status_code == 422, r.text
    assert "cut off" in r.json()["error"]["message"]
    assert seeded.get("/api/v1/datasets/air").json()["versions"] == []
    assert list(platform.blobs.tmp.iterdir()) == []


def test_failed_ingest_reports_the_problem(seeded, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    r = upload(seeded, empty)
    assert r.status_code == 422 and r.json()["error"]["code"] == "ingest_error"
    r = seeded.post(
        "/api/v1/datasets/air/versions?wait=true", data={"x": "1"}, files={"other": ("a", b"1")}
    )
    assert r.status_code == 422 and "named 'file'" in r.json()["error"]["message"]


def test_upload_too_large(platform, tmp_path):
    import dataclasses

    from fastapi.testclient import TestClient

    from datanuri.web.app import create_app

    platform.config = dataclasses.replace(platform.config, max_upload_bytes=100)
    platform.catalog.config = platform.config
    platform.accounts.create_organization("seoul", principal=SYSTEM)
    platform.catalog.create_dataset("air", organization="seoul", principal=SYSTEM)
    with TestClient(create_app(platform)) as api:
        api.headers["Authorization"] = f"Bearer {editor_token(platform, 'seoul')}"
        r = upload(api, air_csv(tmp_path / "a.csv", extra_rows=50))
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"


def test_openapi_lists_the_routes(api):
    spec = api.get("/openapi.json").json()
    for path in (
        "/api/v1/datasets",
        "/api/v1/datasets/{name}/versions/{version}/download",
        "/api/v1/jobs/{job_id}",
    ):
        assert path in spec["paths"]
