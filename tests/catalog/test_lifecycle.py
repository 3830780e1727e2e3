"""A dataset's life: created with its first version in one transaction (a failed or killed first
publish leaves nothing anyone can see), deleted while empty, and its versions withdrawn with a
reason that the ledger keeps."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from fastapi.testclient import TestClient

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.catalog.service import NewDataset
from datanuri.web.app import create_app
from tests.helpers import air_csv


@pytest.fixture
def org(platform: Any) -> str:
    platform.accounts.create_organization("seoul", title="서울특별시", principal=SYSTEM)
    return "seoul"


@pytest.fixture
def client(platform: Any) -> Any:
    with TestClient(create_app(platform), raise_server_exceptions=False) as c:
        yield c


def cli_env(platform: Any) -> dict[str, str]:
    return {
        **os.environ,
        "DATANURI_DATA_DIR": str(platform.config.data_dir),
        "DATANURI_DATABASE_URL": platform.config.database_url,
    }


def assert_nowhere(platform: Any, client: Any, name: str) -> None:
    """Nobody sees dataset `name`: not the catalog, search, CKAN, DCAT or its public page."""
    assert name not in [d.name for d in platform.catalog.list_datasets(principal=SYSTEM)]
    with pytest.raises(errors.NotFound):
        platform.catalog.get_dataset(name, principal=SYSTEM)
    assert name not in [d["name"] for d in client.get("/api/v1/datasets").json()]
    hits = client.get("/api/v1/search", params={"q": "측정"}).json()
    assert name not in [h["name"] for h in hits["results"]]
    assert name not in client.get("/api/3/action/package_list").json()["result"]
    assert client.get(f"/datasets/{name}", headers={"accept": "text/html"}).status_code == 404
    assert name not in client.get("/catalog.jsonld").text


# ----- a first publish creates the dataset and its first version together -------------------
def test_first_publish_creates_dataset_and_version_together(platform, org, tmp_path):
    src = air_csv(tmp_path / "air.csv")
    new = NewDataset(organization=org, title="대기질 측정", fields={"keywords": "대기질, 미세먼지"})
    result = platform.catalog.publish("air", src, principal=SYSTEM, new=new)
    assert result.created and result.version.number == 1
    ds = platform.catalog.get_dataset("air", principal=SYSTEM)
    assert ds.title == "대기질 측정" and ds.keywords == ("대기질", "미세먼지")
    assert ds.latest_version == 1 and ds.access_level == "open"
    assert platform.search.search(q="미세먼지", principal=SYSTEM).results[0]["name"] == "air"
    # the name is now taken: a second "new" publish is a conflict, the dataset keeps its version
    with pytest.raises(errors.Conflict, match="already exists"):
        platform.catalog.publish("air", src, principal=SYSTEM, new=new)
    assert [v.number for v in platform.catalog.get_dataset("air", principal=SYSTEM).versions] == [1]


def test_failed_first_publish_leaves_nothing(platform, org, client, tmp_path):
    empty = tmp_path / "측정.csv"
    empty.write_bytes(b"")
    new = NewDataset(organization=org, title="대기질 측정")
    with pytest.raises(errors.IngestError):
        platform.catalog.publish("air", empty, principal=SYSTEM, new=new)
    assert_nowhere(platform, client, "air")
    # and through the CLI, as a publisher types it
    proc = subprocess.run(
        [sys.executable, "-m", "datanuri.cli", "publish", str(empty), "-d", "air2", "--org", org],
        capture_output=True,
        text=True,
        env=cli_env(platform),
        timeout=120,
    )
    assert proc.returncode != 0
    assert_nowhere(platform, client, "air2")


def test_first_publish_killed_midway_leaves_nothing(platform, org, client, tmp_path):
    """The CLI process is killed (SIGKILL, no cleanup can run) while it reads the file."""
    src = air_csv(tmp_path / "air.csv", extra_rows=5000)
    script = textwrap.dedent(
        """
        import contextlib, os, signal, sys
        import datanuri.cli.catalog as cli

        @contextlib.contextmanager
        def killed_midway(*args, **kwargs):
            def progress(*a, **k):
                os.kill(os.getpid(), signal.SIGKILL)  # the first progress report is mid-ingest
            yield progress

        cli.byte_progress = killed_midway
        from datanuri.cli import main
        sys.argv = ["datanuri", "publish", sys.argv[1], "-d", "air", "--org", "seoul"]
        main()
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(src)],
        capture_output=True,
        text=True,
        env=cli_env(platform),
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert_nowhere(platform, client, "air")
    # the name is free: publishing again works
    platform.catalog.publish("air", src, principal=SYSTEM, new=NewDataset(organization=org))
    assert platform.catalog.get_dataset("air", principal=SYSTEM).latest_version == 1


def test_new_dataset_needs_the_right_to_create(platform, org, tmp_path):
    platform.accounts.create_user(
        "out@example.org", display_name="외부인", password="correct horse battery", principal=SYSTEM
    )
    who = platform.accounts.principal_for("out@example.org")
    with pytest.raises(errors.PermissionDenied):
        platform.catalog.publish(
            "air", air_csv(tmp_path / "a.csv"), principal=who, new=NewDataset(organization=org)
        )
    with pytest.raises(errors.NotFound):
        platform.catalog.get_dataset("air", principal=SYSTEM)


# ----- deleting a dataset that never got a version ------------------------------------------
def test_a_draft_is_seen_only_by_its_editors_and_can_be_deleted(platform, org, client, tmp_path):
    platform.catalog.create_dataset(
        "draft", organization=org, title="초안", draft=True, principal=SYSTEM
    )
    assert_nowhere_public(client, "draft")
    assert platform.catalog.get_organization(org).dataset_count == 0
    assert "draft" in [d.name for d in platform.catalog.list_datasets(principal=SYSTEM)]
    # an upload that fails keeps it a draft; one that succeeds lists it
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(errors.IngestError):
        platform.catalog.publish("draft", empty, principal=SYSTEM)
    assert_nowhere_public(client, "draft")
    platform.catalog.publish("draft", air_csv(tmp_path / "a.csv"), principal=SYSTEM)
    assert "draft" in client.get("/api/3/action/package_list").json()["result"]
    assert platform.catalog.get_organization(org).dataset_count == 1


def test_an_empty_dataset_that_is_no_draft_is_listed_and_can_be_deleted(platform, org, client):
    """A metadata record made on purpose (API without `draft`, harvest) is listed at once."""
    platform.catalog.create_dataset("draft", organization=org, title="초안", principal=SYSTEM)
    assert "draft" in client.get("/api/3/action/package_list").json()["result"]
    assert platform.catalog.get_organization(org).dataset_count == 1
    platform.catalog.delete_dataset("draft", principal=SYSTEM)
    assert "draft" not in client.get("/api/3/action/package_list").json()["result"]
    with pytest.raises(errors.NotFound):
        platform.catalog.get_dataset("draft", principal=SYSTEM)
    kinds = [e["entry"]["type"] for e in platform.ledger.entries(0, 100)]
    assert kinds[-1] == "dataset.deleted"


def test_a_dataset_with_versions_is_not_deleted(platform, org, tmp_path):
    platform.catalog.publish(
        "air", air_csv(tmp_path / "a.csv"), principal=SYSTEM, new=NewDataset(organization=org)
    )
    with pytest.raises(errors.Conflict, match="Withdraw a version"):
        platform.catalog.delete_dataset("air", principal=SYSTEM)
    assert platform.catalog.get_dataset("air", principal=SYSTEM).latest_version == 1


def test_delete_through_api_needs_an_editor(platform, org, client):
    from tests.helpers import editor_token

    platform.catalog.create_dataset("draft", organization=org, draft=True, principal=SYSTEM)
    # an anonymous caller is not told the draft exists, and nothing is deleted
    assert client.delete("/api/v1/datasets/draft").status_code == 404
    assert platform.catalog.get_dataset("draft", principal=SYSTEM).name == "draft"
    token = editor_token(platform, org)
    r = client.delete("/api/v1/datasets/draft", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 204, r.text
    r = client.delete("/api/v1/datasets/draft", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 404


def assert_nowhere_public(client: Any, name: str) -> None:
    """An anonymous visitor finds dataset `name` nowhere."""
    assert name not in [d["name"] for d in client.get("/api/v1/datasets").json()]
    assert client.get(f"/api/v1/datasets/{name}").status_code == 404
    assert name not in client.get("/api/3/action/package_list").json()["result"]
    assert client.get(f"/datasets/{name}", headers={"accept": "text/html"}).status_code == 404


# ----- withdrawing versions -----------------------------------------------------------------
@pytest.fixture
def two_versions(platform, org, tmp_path) -> str:
    new = NewDataset(organization=org, title="대기질 측정")
    platform.catalog.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM, new=new)
    platform.catalog.publish("air", air_csv(tmp_path / "b.csv", extra_rows=2), principal=SYSTEM)
    return "air"


def test_withdrawn_version_is_a_tombstone(platform, two_versions, client):
    cat = platform.catalog
    with pytest.raises(errors.InvalidInput, match="Say why"):
        cat.withdraw_version("air", 2, reason="  ", principal=SYSTEM)
    info = cat.withdraw_version("air", 2, reason="측정소 좌표 오류", principal=SYSTEM)
    assert info.withdrawn is not None and info.withdrawn.reason == "측정소 좌표 오류"
    assert info.withdrawn.withdrawn_by == SYSTEM.ref
    with pytest.raises(errors.Conflict, match="already withdrawn"):
        cat.withdraw_version("air", 2, reason="again", principal=SYSTEM)
    # the latest is now the newest version left; the withdrawn one's rows are served to nobody
    assert cat.get_dataset("air", principal=SYSTEM).latest_version == 1
    assert cat.get_version("air", principal=SYSTEM).number == 1
    assert cat.get_version("air", 2, principal=SYSTEM).withdrawn == info.withdrawn
    for read in (
        lambda: cat.preview("air", 2, principal=SYSTEM),
        lambda: cat.download("air", 2, format="csv", principal=SYSTEM),
        lambda: cat.version_detail("air", 2, principal=SYSTEM),
    ):
        with pytest.raises(errors.Gone, match="측정소 좌표 오류"):
            read()
    assert cat.preview("air", principal=SYSTEM).num_rows == 3  # version 1
    # the ledger keeps both the publication and the withdrawal
    entries = [e["entry"] for e in platform.ledger.entries(0, 100)]
    withdrawn = [e for e in entries if e["type"] == "dataset.version.withdrawn"]
    assert len(withdrawn) == 1 and withdrawn[0]["subject"] == "dataset:air@2"
    assert withdrawn[0]["data"] == {"reason": "측정소 좌표 오류"}
    assert sum(e["type"] == "dataset.version.published" for e in entries) == 2
    # API: the version URL shows the withdrawal, its rows answer 410, lists show version 1
    r = client.get("/api/v1/datasets/air/versions/2")
    assert r.status_code == 200 and r.json()["withdrawn"]["reason"] == "측정소 좌표 오류"
    assert client.get("/api/v1/datasets/air/versions/2/download?format=csv").status_code == 410
    assert client.get("/api/v1/datasets/air/versions/2/preview").status_code == 410
    assert client.get("/api/v1/datasets/air/versions/latest").json()["number"] == 1
    pkg = client.get("/api/3/action/package_show", params={"id": "air"}).json()["result"]
    assert "air" in client.get("/api/3/action/package_list").json()["result"]
    assert all("v2" not in str(res.get("url", "")) for res in pkg["resources"])
    doc = platform.search.fresh_doc("air")
    assert doc is not None and doc.latest_version == 1 and doc.row_count == 3


def test_withdrawing_every_version_hides_the_dataset_but_keeps_its_page(
    platform, two_versions, client
):
    for n in (1, 2):
        platform.catalog.withdraw_version("air", n, reason=f"오류 {n}", principal=SYSTEM)
    assert platform.catalog.get_dataset("air", principal=SYSTEM).latest_version is None
    assert platform.catalog.get_organization("seoul").dataset_count == 0
    assert "air" not in [d["name"] for d in client.get("/api/v1/datasets").json()]
    assert "air" not in client.get("/api/3/action/package_list").json()["result"]
    hits = client.get("/api/v1/search", params={"q": "대기질"}).json()["results"]
    assert "air" not in [h["name"] for h in hits]
    assert "air" not in client.get("/catalog.jsonld").text
    assert client.get("/api/v1/datasets/air/versions/latest").status_code == 404
    page = client.get("/datasets/air", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "철회" in page.text and "오류 2" in page.text
    old = client.get("/datasets/air?version=1", headers={"accept": "text/html"})
    assert old.status_code == 200 and "오류 1" in old.text


def test_audit_passes_for_withdrawn_versions_and_finds_a_removed_withdrawal(platform, two_versions):
    from sqlalchemy import delete

    from datanuri.catalog.audit import audit_catalog
    from datanuri.catalog.models import Withdrawal

    platform.catalog.withdraw_version("air", 1, reason="잘못된 파일", principal=SYSTEM)
    report = audit_catalog(platform.db, platform.blobs, hash_blobs=True)
    assert report.ok, report.problems
    assert report.versions == 2
    with platform.db.session() as s:  # someone brings the version back behind datanuri's back
        s.execute(delete(Withdrawal))
    report = audit_catalog(platform.db, platform.blobs, hash_blobs=False)
    assert not report.ok
    assert [p.row for p in report.problems] == ["air@1"]
    assert "served again" in report.problems[0].detail


def test_withdraw_through_api_and_cli(platform, two_versions, client):
    from tests.helpers import editor_token

    url = "/api/v1/datasets/air/versions/2/withdraw"
    assert client.post(url, json={"reason": "x"}).status_code == 401
    auth = {"Authorization": f"Bearer {editor_token(platform, 'seoul')}"}
    assert client.post(url, json={}, headers=auth).status_code == 422
    r = client.post(url, json={"reason": "중복 게시"}, headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["withdrawn"]["reason"] == "중복 게시"
    proc = subprocess.run(
        [sys.executable, "-m", "datanuri.cli", "datasets", "withdraw", "air", "-v", "1"]
        + ["--reason", "원본 오류", "--json"],
        capture_output=True,
        text=True,
        env=cli_env(platform),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert platform.catalog.get_version("air", 1, principal=SYSTEM).withdrawn is not None
    proc = subprocess.run(
        [sys.executable, "-m", "datanuri.cli", "ledger", "audit"],
        capture_output=True,
        text=True,
        env=cli_env(platform),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_api_draft_stays_unseen_after_a_failed_upload(platform, org, client, tmp_path):
    from tests.helpers import editor_token

    auth = {"Authorization": f"Bearer {editor_token(platform, org)}"}
    r = client.post(
        "/api/v1/datasets",
        json={"name": "air", "organization": org, "title": "대기질 측정", "draft": True},
        headers=auth,
    )
    assert r.status_code == 201, r.text
    r = client.post(
        "/api/v1/datasets/air/versions?wait=true",
        files={"file": ("측정.csv", b"\xff\xfe\x00broken", "text/csv")},
        headers=auth,
    )
    assert r.status_code >= 400, r.text
    assert_nowhere_public(client, "air")
    assert client.get("/api/v1/datasets/air", headers=auth).status_code == 200  # its editor
    r = client.post(
        "/api/v1/datasets/air/versions?wait=true",
        files={"file": ("a.csv", air_csv(tmp_path / "a.csv").read_bytes(), "text/csv")},
        headers=auth,
    )
    assert r.status_code == 201, r.text
    assert "air" in client.get("/api/3/action/package_list").json()["result"]
