"""Issue #14: de-identified releases keep their source's metadata, the two datasets link each
other on their pages, and the adequacy report of an open release is public (without the
pseudonyms' salt); a restricted release's stays with its holder."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from datanuri.accounts import SYSTEM
from datanuri.accounts.principal import ANONYMOUS
from datanuri.privacy.release_links import ReleaseMetadata
from tests.privacy.test_service import HOSPITAL, POLICY, load_hospital

SOURCE_META = {
    "license": "KOGL-1",
    "theme": "보건",
    "keywords": ["외래", "진료"],
    "temporal_start": "2024-01-01",
    "temporal_end": "2024-12-31",
    "spatial": "서울특별시",
    "contact_name": "의료정보팀",
    "contact_email": "data@hospital.example",
}


@pytest.fixture
def world(platform: Any, tmp_path: Any) -> Any:
    load_hospital(platform, tmp_path / "demo")
    platform.catalog.update_dataset(HOSPITAL, principal=SYSTEM, **SOURCE_META)
    return platform


def released(world: Any, target: str, **kw: Any) -> Any:
    return world.privacy.release(HOSPITAL, POLICY, target_name=target, principal=SYSTEM, **kw)


def test_a_release_inherits_the_sources_metadata_with_korean_defaults(world: Any) -> None:
    src = world.catalog.get_dataset(HOSPITAL, principal=SYSTEM)
    released(world, "visits-open")
    ds = world.catalog.get_dataset("visits-open", principal=SYSTEM)
    for key, value in SOURCE_META.items():
        got = getattr(ds, key)
        assert (list(got) if key == "keywords" else got) == value, key
    assert ds.title == f"{src.title} (비식별 처리본)"
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=9))).date()
    assert ds.description == (
        f"{today.year}년 {today.month}월 {today.day}일에 k-익명성(k=5) 모델로 비식별 처리한 "
        f"공개본입니다. 원본: {src.title} 버전 1."
    )
    version = world.catalog.get_version("visits-open", principal=SYSTEM)
    assert version.change_note == ds.description


def test_the_publisher_changes_and_clears_inherited_fields(world: Any) -> None:
    meta = ReleaseMetadata(
        title="외래 진료 공개본", license="CC-BY-4.0", keywords=(), spatial="", description="설명"
    )
    released(world, "visits-edited", metadata=meta)
    ds = world.catalog.get_dataset("visits-edited", principal=SYSTEM)
    assert (ds.title, ds.description, ds.license) == ("외래 진료 공개본", "설명", "CC-BY-4.0")
    assert ds.keywords == () and ds.spatial is None
    assert ds.theme == "보건" and ds.contact_email == "data@hospital.example"  # still inherited


def test_a_hidden_source_is_named_nowhere_in_its_release(world: Any) -> None:
    world.catalog.update_dataset(HOSPITAL, metadata_public=False, principal=SYSTEM)
    src = world.catalog.get_dataset(HOSPITAL, principal=SYSTEM)
    shown = world.privacy.release_defaults(HOSPITAL, "visits-anon", principal=SYSTEM)
    assert shown.title == "visits-anon (비식별 처리본)"  # what the wizard prefills
    assert shown.license == "KOGL-1" and shown.keywords == ("외래", "진료")
    info = released(world, "visits-anon")
    ds = world.catalog.get_dataset("visits-anon", principal=SYSTEM)
    assert ds.title == "visits-anon (비식별 처리본)"
    assert src.title not in ds.description and HOSPITAL not in ds.description
    assert "k-익명성(k=5)" in ds.description and "원본은 공개되지 않은" in ds.description
    (link,) = world.privacy.releases_into("visits-anon", principal=ANONYMOUS)
    assert (link.dataset, link.title, link.version) == ("", "", 0) and link.report_public
    record = world.privacy.release_record(info.id, principal=ANONYMOUS)
    assert record.source_dataset == "" and record.source_hash == ""
    assert world.privacy.releases_into("visits-anon", principal=SYSTEM)[0].dataset == HOSPITAL


def test_source_and_release_link_each_other(world: Any) -> None:
    info = released(world, "visits-open")
    (down,) = world.privacy.releases_from(HOSPITAL, principal=ANONYMOUS)
    assert (down.release_id, down.dataset, down.version) == (info.id, "visits-open", 1)
    assert down.terms.model == "k-anonymity" and down.terms.k == 5 and down.report_public
    (up,) = world.privacy.releases_into("visits-open", principal=ANONYMOUS)
    src = world.catalog.get_dataset(HOSPITAL, principal=SYSTEM)
    assert (up.dataset, up.title, up.version) == (HOSPITAL, src.title, 1)


def test_the_report_of_an_open_release_is_public_over_http(world: Any, api: TestClient) -> None:
    info = released(world, "visits-open")
    anon = TestClient(api.app, raise_server_exceptions=False)
    page = anon.get(f"/api/v1/privacy/releases/{info.id}/report.html")
    assert page.status_code == 200 and "적정성 평가 보고서" in page.text
    record = anon.get(f"/api/v1/privacy/releases/{info.id}")
    assert record.status_code == 200, record.text
    body = record.json()
    assert body["policy"] == POLICY and body["report"]["policy"]["parameters"]["k"] == 5
    assert body["released_by"] == "" and body["source_dataset"] == HOSPITAL
    full = world.privacy.release_record(info.id, principal=SYSTEM).report.to_json()
    salts = [m["release_salt"] for m in full["measures"] if "release_salt" in m]
    assert salts  # the holder's record has the salt of the pseudonymised column...
    for salt in salts:  # ...the public's has it nowhere
        assert salt not in record.text and salt not in page.text
    assert "release_salt" not in record.text


def test_a_restricted_releases_report_stays_with_its_holder(world: Any, api: TestClient) -> None:
    info = released(world, "visits-restricted", access_level="restricted")
    anon = TestClient(api.app, raise_server_exceptions=False)
    for path in (
        f"/api/v1/privacy/releases/{info.id}",
        f"/api/v1/privacy/releases/{info.id}/report.html",
    ):
        assert anon.get(path).status_code == 401, path
    (link,) = world.privacy.releases_from(HOSPITAL, principal=ANONYMOUS)
    assert not link.report_public
    assert world.privacy.releases_from(HOSPITAL, principal=SYSTEM)[0].report_public
    assert anon.get("/api/v1/privacy/releases/999999").status_code == 404


def test_the_pages_link_source_release_and_report(world: Any, api: TestClient) -> None:
    info = released(world, "visits-open")
    anon = TestClient(api.app, raise_server_exceptions=False)
    source = anon.get(f"/datasets/{HOSPITAL}").text
    assert 'href="/datasets/visits-open' in source and "k-익명성 (k=5)" in source
    target = anon.get("/datasets/visits-open").text
    assert f'href="/datasets/{HOSPITAL}' in target
    assert f"/api/v1/privacy/releases/{info.id}/report.html?lang=ko" in target


def test_the_cli_release_takes_a_title_and_licence(world: Any, config: Any, tmp_path: Any) -> None:
    import json

    from typer.testing import CliRunner

    from datanuri.cli.privacy import app

    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(POLICY, ensure_ascii=False), encoding="utf-8")
    env = {"DATANURI_DATA_DIR": str(config.data_dir), "DATANURI_DATABASE_URL": config.database_url}
    args = ["apply", HOSPITAL, "--policy", str(policy), "--release", "cli-open", "--json"]
    args += ["--title", "외래 진료 통계용 공개본", "--license", "KOGL-1"]
    world.close()  # the CLI opens the same data directory
    r = CliRunner().invoke(app, args, env=env)
    assert r.exit_code == 0, r.output
    from datanuri.platform import Platform

    p = Platform(config)
    try:
        ds = p.catalog.get_dataset("cli-open", principal=SYSTEM)
    finally:
        p.close()
    assert (ds.title, ds.license, ds.theme) == ("외래 진료 통계용 공개본", "KOGL-1", "보건")
    assert ds.temporal_end == "2024-12-31"


def test_default_texts_in_english_for_an_english_source() -> None:
    from datanuri.privacy.release_links import ReleaseTerms, default_description, default_title

    terms = ReleaseTerms(model="distinct-l-diversity", k=5, l=2.0)
    day = dt.date(2026, 12, 3)
    assert default_title("Outpatient visits", "en") == "Outpatient visits (de-identified)"
    assert default_description("Outpatient visits", 3, terms, day, "en") == (
        "De-identified release of Outpatient visits version 3. Held to distinct l-diversity "
        "(k=5, l=2) on 2026-12-03."
    )
    assert default_description(None, 3, terms, day, "ko") == (
        "2026년 12월 3일에 l-다양성 (distinct)(k=5, l=2) 모델로 비식별 처리한 공개본입니다. "
        "원본은 공개되지 않은 개인정보 데이터셋입니다."
    )
