"""Issue #12, "other doors": the profile values (top values, min/max, quantiles, histograms,
problem cells) of identifier and quasi-identifier columns of a personal dataset are shown to
nobody, its own editors included: left out when a version is stored, withheld when a version
stored before is read, and absent from pages, metadata exports and CKAN views."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from datanuri.accounts import SYSTEM
from datanuri.catalog.guards import SCREEN_KEY
from datanuri.catalog.models import Dataset
from tests.helpers import PASSWORD

ORG = "clinic"
EDITOR = "editor@example.org"
VALUE_KEYS = ("top_values", "min", "max", "mean", "std", "p25", "p50", "p75", "histogram")
NAMES = ["김민준", "이서연", "박지훈", "최하은", "정도윤", "강지우", "조서준", "윤수아"]
# columns detection must withhold (identifiers, quasi-identifiers), and one it clears
WITHHELD = {"이름", "전화번호", "나이"}
CLEARED = "진단명"


def people_csv(path: Path, rows: int = 200) -> Path:
    lines = ["이름,전화번호,나이,진단명"]
    for i in range(rows):
        age = "열살" if i == 7 else str(20 + i % 50)  # one bad age: a row problem holding the value
        lines.append(f"{NAMES[i % 8]},010-{1000 + i:04d}-{5000 + i * 7:04d},{age},{'AB'[i % 2]}형")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


RAW = ["김민준", "이서연", "010-1000-5000", "010-1003-5021", "열살"]


@pytest.fixture
def world(platform: Any, tmp_path: Path) -> Any:
    platform.accounts.create_organization(ORG, title="의원", principal=SYSTEM)
    platform.accounts.create_user(
        EDITOR, display_name="편집자", password=PASSWORD, principal=SYSTEM
    )
    platform.accounts.add_member(ORG, EDITOR, role="editor", principal=SYSTEM)
    token = platform.accounts.create_token(
        name="t", scopes=["read", "publish"], for_email=EDITOR, principal=SYSTEM
    )[1]
    platform.editor_token = token
    platform.editor = platform.accounts.resolve_token(token)
    platform.catalog.create_dataset(
        "patients",
        organization=ORG,
        access_level="personal",
        metadata_public=True,
        principal=SYSTEM,
    )
    platform.catalog.publish("patients", people_csv(tmp_path / "p.csv"), principal=SYSTEM)
    return platform


def columns(profile: dict) -> dict[str, dict]:
    return {c["name"]: c for c in profile["columns"]}


def assert_screened(profile: dict, withheld: set[str]) -> None:
    cols = columns(profile)
    for name in withheld:
        assert cols[name].get("withheld") is True, name
        assert not set(VALUE_KEYS) & set(cols[name]), (name, cols[name])
        assert cols[name]["count"] >= 1  # counts and types stay
    assert profile[SCREEN_KEY]["withheld"] == [c for c in cols if c in withheld]


def test_values_of_identifiers_are_not_stored(world: Any) -> None:
    """Probe: the stored profile of a personal version has no values of identifier or
    quasi-identifier columns; the sensitive column keeps its top values."""
    with world.db.session() as s:
        ds = s.scalar(select(Dataset).where(Dataset.name == "patients"))
        stored, problems = ds.versions[0].profile, ds.versions[0].problems
    assert_screened(stored, WITHHELD)
    assert stored[SCREEN_KEY]["by"] == "detection"
    assert "top_values" in columns(stored)[CLEARED]
    assert problems["count"] >= 1 and all("value" not in p for p in problems["items"])
    text = str(stored) + str(problems)
    assert not [v for v in RAW if v in text]


def test_the_holders_editor_reads_no_identifier_values(world: Any, api: TestClient) -> None:
    """Probe: `/versions/N/profile` for the holder's editor (and the problems too)."""
    auth = {"Authorization": f"Bearer {world.editor_token}"}
    for path in ("profile", "problems"):
        r = api.get(f"/api/v1/datasets/patients/versions/1/{path}", headers=auth)
        assert r.status_code == 200, r.text
        assert not [v for v in RAW if v in r.text], path
    profile = api.get("/api/v1/datasets/patients/versions/1/profile", headers=auth).json()
    assert_screened(profile, WITHHELD)
    detail = world.catalog.version_detail("patients", principal=SYSTEM)  # the CLI's view
    assert_screened(detail["profile"], WITHHELD)


def test_versions_stored_before_are_withheld_when_read(world: Any, tmp_path: Path) -> None:
    """A version stored unscreened (published while the dataset was open, by an owner's
    override; then the dataset became personal) is screened by detection when read."""
    cat = world.catalog
    cat.create_dataset("later", organization=ORG, access_level="open", principal=SYSTEM)
    src = people_csv(tmp_path / "q.csv", rows=201)
    cat.publish("later", src, principal=SYSTEM, override_reason="a test of legacy profiles")
    raw = cat.version_detail("later", principal=world.editor)["profile"]
    assert "top_values" in columns(raw)["이름"] and SCREEN_KEY not in raw  # open: as stored
    cat.update_dataset("later", access_level="personal", principal=SYSTEM)
    shown = cat.version_detail("later", principal=world.editor)
    assert_screened(shown["profile"], WITHHELD)
    assert shown["profile"][SCREEN_KEY]["by"] == "detection at read time"
    assert "top_values" in columns(shown["profile"])[CLEARED]
    assert not [v for v in RAW if v in str(shown)]
    # without a guard (the catalog alone), nothing is cleared: every column is withheld
    cat.guard, cat._screens = None, {}
    bare = cat.version_detail("later", principal=world.editor)["profile"]
    assert_screened(bare, set(columns(bare)))


def test_no_page_export_or_ckan_view_shows_them(world: Any, api: TestClient) -> None:
    """Pages, DCAT, schema.org and CKAN views of the (metadata-public) personal dataset."""
    browser = TestClient(api.app, raise_server_exceptions=False)
    auth = {"Authorization": f"Bearer {world.editor_token}"}
    for path in (
        "/datasets/patients",
        "/dataset/patients.jsonld",
        "/catalog.jsonld",
        "/api/v1/datasets/patients/schema.org.json",
        "/api/3/action/package_show?id=patients",
    ):
        for headers in ({}, auth):
            r = browser.get(path, headers=headers)
            assert r.status_code == 200, (path, r.status_code)
            assert not [v for v in RAW if v in r.text], path


# Issue #14: row-like columns of restricted (and personal) datasets.
RECEIPTS = [f"R2024-{100000 + i * 37}" for i in range(200)]
TIMES = [
    f"2024-03-{1 + i % 28:02d} {8 + i % 9:02d}:{i % 60:02d}:{(i * 7) % 60:02d}" for i in range(200)
]


def complaints_csv(path: Path) -> Path:
    lines = ["접수번호,접수시각,구분,처리일수"]
    for i in range(200):
        days = "잘못된번호" if i == 7 else str(i % 9)  # a row problem whose cell is row data
        lines.append(f"{RECEIPTS[i]},{TIMES[i]},{['교통', '환경', '주택'][i % 3]},{days}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def row_values(text: str) -> list[str]:
    """Receipt numbers and exact times (as text or ISO) found in `text`."""
    iso = [t.replace(" ", "T") for t in TIMES]
    return [v for v in [*RECEIPTS, *TIMES, *iso, "잘못된번호"] if v in text]


@pytest.fixture
def complaints(world: Any, tmp_path: Path) -> Any:
    world.catalog.create_dataset(
        "complaints", organization=ORG, access_level="restricted", principal=SYSTEM
    )
    world.catalog.publish("complaints", complaints_csv(tmp_path / "c.csv"), principal=SYSTEM)
    return world


def test_is_row_like_names_unique_and_timestamp_columns() -> None:
    from datanuri.catalog.profile_redaction import is_row_like, withhold_row_like

    unique = {"name": "no", "type": "string", "count": 10, "distinct": 10}
    half = {"name": "half", "type": "string", "count": 10, "distinct": 5}
    once = {
        "name": "once",
        "type": "string",
        "count": 10,
        "distinct": 2,
        "top_values": [{"value": "a", "count": 9}, {"value": "b", "count": 1}],
    }
    stamp = {"name": "at", "type": "datetime", "count": 10, "distinct": 1}
    assert is_row_like(unique) and is_row_like(once) and is_row_like(stamp)
    assert not is_row_like(half)  # exactly half distinct is not "high"
    out = withhold_row_like({"rows": 10, "columns": [unique, half, {**half, "min": "x"}]})
    assert out["row_like_withheld"] == ["no"]
    assert out["columns"][0] == {
        "name": "no",
        "type": "string",
        "count": 10,
        "distinct": 10,
        "withheld": True,
    }
    assert out["columns"][2]["min"] == "x"


def test_anonymous_viewers_of_restricted_data_see_no_row_like_values(
    complaints: Any, api: TestClient
) -> None:
    """Probe: the API profile and problems, the page, DCAT and CKAN of a restricted dataset, as
    the public; the holder's editor (who may read the rows) still sees the values."""
    browser = TestClient(api.app, raise_server_exceptions=False)
    profile = browser.get("/api/v1/datasets/complaints/versions/1/profile").json()
    cols = columns(profile)
    assert cols["접수번호"]["withheld"] and "top_values" not in cols["접수번호"]
    assert cols["접수시각"]["withheld"] and "min" not in cols["접수시각"]
    assert cols["접수번호"]["count"] == 200 and cols["접수번호"]["distinct"] == 200
    assert "top_values" in cols["구분"]  # a category with repeated values stays
    for path in (
        "/api/v1/datasets/complaints/versions/1/profile",
        "/api/v1/datasets/complaints/versions/1/problems",
        "/datasets/complaints",
        "/dataset/complaints.jsonld",
        "/api/3/action/package_show?id=complaints",
        "/api/3/action/resource_show?id=complaints",
    ):
        r = browser.get(path)
        assert r.status_code in (200, 404), (path, r.status_code)
        assert not row_values(r.text), (path, row_values(r.text)[:3])
    problems = browser.get("/api/v1/datasets/complaints/versions/1/problems").json()
    assert problems["count"] >= 1
    auth = {"Authorization": f"Bearer {complaints.editor_token}"}
    seen = browser.get("/api/v1/datasets/complaints/versions/1/profile", headers=auth).text
    assert row_values(seen)  # members may read the rows, so the values are no secret to them
    assert "row_like_withheld" not in seen


def test_personal_profiles_withhold_row_like_columns_for_editors_too(world: Any) -> None:
    """No one reads a personal dataset's rows: a column detection clears but that is unique
    per row is withheld from its editors as well."""
    detail = world.catalog.version_detail("patients", principal=world.editor)
    assert detail["profile"]["row_like_withheld"] == []  # 진단명 repeats: kept
    assert "top_values" in columns(detail["profile"])[CLEARED]


def test_personal_datasets_list_no_downloadable_formats(world: Any, api: TestClient) -> None:
    """Cards, format facets, CKAN resources, DCAT distributions and the version record of a
    personal dataset list no files, since no one may download them; a restricted one keeps them."""
    world.catalog.create_dataset(
        "shared", organization=ORG, access_level="restricted", principal=SYSTEM
    )
    world.catalog.publish(
        "shared",
        people_csv(Path(world.config.data_dir) / "s.csv", rows=30),
        principal=SYSTEM,
        override_reason="a test of restricted formats",
    )
    assert world.catalog.get_version("patients", principal=SYSTEM).formats == ()
    assert world.catalog.get_version("shared", principal=SYSTEM).formats == (
        "parquet",
        "csv",
        "json",
    )
    pkg = api.get("/api/3/action/package_show?id=patients").json()["result"]
    assert pkg["resources"] == [] and pkg["num_resources"] == 0
    assert api.get("/api/3/action/package_show?id=shared").json()["result"]["num_resources"] == 3
    dcat = api.get("/dataset/patients.jsonld").text
    assert "dcat:Distribution" not in dcat and "Distribution" not in dcat
    hits = api.get("/api/v1/search", params={"q": ""}).json()
    facets = {f["value"]: f["count"] for f in hits["facets"]["format"]}
    assert facets.get("parquet") == 1  # the restricted dataset's only
    cards = {r["name"]: r for r in hits["results"]}
    assert cards["patients"]["formats"] == [] and cards["shared"]["formats"] == [
        "parquet",
        "csv",
        "json",
    ]
