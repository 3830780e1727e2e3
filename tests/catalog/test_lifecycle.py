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
