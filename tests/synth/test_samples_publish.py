"""The sample datasets through the catalog and the CLI: published as any Parquet upload with the
datasheet as description and column notes; `datanuri synth samples` writes files or publishes."""

from __future__ import annotations

import json

import pyarrow.parquet as pq

from datanuri.accounts.principal import SYSTEM
from datanuri.synth.samples import KINDS
from datanuri.synth.samples.datasheet import datasheet
from datanuri.synth.samples.publish import publish_sample
from datanuri.synth.samples.writer import write_sample
from tests.helpers import run_cli

ORG = "sample-lab"


def test_publish_sample_is_a_catalog_version_with_its_datasheet(platform, tmp_path):
    platform.accounts.create_organization(ORG, title="Lab", principal=SYSTEM)
    kind = KINDS["traces"]
    first = publish_sample(
        platform.catalog, kind, rows=12_000, seed=3, organization=ORG, principal=SYSTEM
    )
    assert first.created and first.version == 1
    info = platform.catalog.get_dataset(kind.dataset, principal=SYSTEM)
    assert info.description == datasheet(kind, rows=12_000, seed=3)
    assert info.access_level == "open" and info.organization == ORG
    assert info.versions[-1].row_count == 12_000
    detail = platform.catalog.version_detail(kind.dataset, principal=SYSTEM)
    assert [f["name"] for f in detail["schema"]["fields"]] == kind.schema.names
    # the published rows are the generated rows
    written = write_sample(kind, 12_000, 3, tmp_path / "t.parquet")
    rows = platform.catalog.preview(kind.dataset, principal=SYSTEM, limit=50).to_pylist()
    expected = pq.read_table(written.path).slice(0, 50).to_pylist()
    assert rows == expected
    notes = platform.catalog.get_dataset(kind.dataset, principal=SYSTEM).column_notes
    assert notes["place_type"]["description"].startswith("장소 유형")
    # the same rows and seed again: no new version; another seed: version 2
    again = publish_sample(
        platform.catalog, kind, rows=12_000, seed=3, organization=ORG, principal=SYSTEM
    )
    assert not again.created and again.version == 1
    other = publish_sample(
        platform.catalog, kind, rows=12_000, seed=4, organization=ORG, principal=SYSTEM
    )
    assert other.created and other.version == 2
    assert "시드 4" in platform.catalog.get_dataset(kind.dataset, principal=SYSTEM).description


def test_cli_writes_files_without_a_server(tmp_path):
    out = tmp_path / "out"
    r = run_cli(["synth", "samples", "--kind", "all", "--rows", "10000", "--output", out, "--json"])
    assert r.returncode == 0, r.stderr
    done = json.loads(r.stdout)
    assert [d["kind"] for d in done] == list(KINDS)
    for d in done:
        assert pq.ParquetFile(d["path"]).metadata.num_rows == 10_000
        assert "## 동기" in (out / f"{d['dataset']}.datasheet.md").read_text("utf-8")
    refused = run_cli(["synth", "samples", "--rows", "10"])
    assert refused.returncode == 2 and "--output" in refused.stderr


def test_cli_publishes(config):
    env = {"DATANURI_DATA_DIR": str(config.data_dir), "DATANURI_DATABASE_URL": config.database_url}
    assert run_cli(["orgs", "create", ORG], env).returncode == 0
    r = run_cli(["synth", "samples", "--rows", "10000", "--publish", "--org", ORG, "--json"], env)
    assert r.returncode == 0, r.stderr
    done = json.loads(r.stdout)
    assert [(d["dataset"], d["version"], d["rows"], d["created"]) for d in done] == [
        (k.dataset, 1, 10_000, True) for k in KINDS.values()
    ]
    listed = json.loads(run_cli(["datasets", "list", "--json"], env).stdout)
    assert {k.dataset for k in KINDS.values()} <= {d["name"] for d in listed}
