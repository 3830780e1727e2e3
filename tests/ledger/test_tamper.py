"""The tamper matrix: whatever is changed outside datanuri — a ledger entry, a stored node, a
checkpoint, a version's hash or access level in the catalog, a blob deleted or altered on disk —
`datanuri ledger audit` exits with status 7 and names it."""

from __future__ import annotations

import json
import os

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from datanuri.accounts.principal import SYSTEM
from tests.helpers import air_csv
from tests.ledger.conftest import set_node


@pytest.fixture
def published(platform, config, tmp_path, monkeypatch):
    """Three versions of an open dataset and one of a personal one, with a checkpoint; returns
    the platform, the versions by "name@n", and `audit(*options)` running the real CLI."""
    from datanuri.cli import app

    platform.accounts.create_organization("seoul", principal=SYSTEM)
    platform.catalog.create_dataset("air", organization="seoul", principal=SYSTEM)
    platform.catalog.create_dataset(
        "clinic", organization="seoul", access_level="personal", principal=SYSTEM
    )
    versions = {}
    for i in range(3):
        src = air_csv(tmp_path / f"air-{i}.csv", extra_rows=i)
        v = platform.catalog.publish("air", src, principal=SYSTEM).version
        versions[f"air@{v.number}"] = v
    v = platform.catalog.publish(
        "clinic", air_csv(tmp_path / "c.csv", extra_rows=9), principal=SYSTEM
    )
    versions["clinic@1"] = v.version
    platform.ledger.checkpoint()
    monkeypatch.setenv("DATANURI_DATABASE_URL", config.db_url)
    runner = CliRunner()

    def audit(*options: str):
        res = runner.invoke(
            app, ["ledger", "audit", "--json", "--data-dir", str(config.data_dir), *options]
        )
        return res.exit_code, json.loads(res.stdout)

    return platform, versions, audit


def _sql(platform, stmt: str, **params) -> None:
    with platform.db.session() as s:
        s.execute(sa.text(stmt), params)


def _writable(path) -> None:
    os.chmod(path, 0o644)


def test_an_untouched_instance_passes(published):
    _, versions, audit = published
    code, body = audit("--blobs")
    assert code == 0 and body["ok"], body["problems"]
    assert body["catalog"]["versions"] == 4 and body["catalog"]["blobs"] == 4
    assert body["catalog"]["hashed"] is True


def _tamper(case: str, platform, versions) -> tuple[str, str, str]:
    """Make one change outside datanuri; returns the (table, row, words in the detail) expected."""
    air1, air2, air3 = versions["air@1"], versions["air@2"], versions["air@3"]
    if case == "leaf":
        _sql(
            platform,
            "UPDATE ledger_leaves SET data = replace(data, :a, :b) WHERE idx = :i",
            a=air1.content_hash,
            b=air2.content_hash,
            i=air1.ledger_index,
        )
        return "ledger_leaves", f"idx={air1.ledger_index}", "does not hash"
    if case == "node":
        set_node(platform.ledger, 1, 0, b"\x00" * 32)
        return "ledger_leaves", "idx=1 node level=1 index=0 (leaves 0..1)", "differs"
    if case == "checkpoint":
        _sql(platform, "UPDATE ledger_checkpoints SET root = :r", r=b"\x01" * 32)
        size = platform.ledger.size()
        return "ledger_checkpoints", f"size={size}", "root column"
    if case == "version hash":  # the server would serve version 2's file as version 1
        _sql(
            platform,
            "UPDATE versions SET content_hash = :h WHERE content_hash = :old",
            h=air2.content_hash,
            old=air1.content_hash,
        )
        return "versions", "air@1", "content_hash"
    if case == "access level":
        _sql(platform, "UPDATE datasets SET access_level = 'open' WHERE name = 'clinic'")
        return "datasets", "clinic", "'open'"
    path = platform.blobs.path(air3.content_hash if case == "blob flipped" else air2.content_hash)
    if case == "blob deleted":
        path.unlink()
        return "blobs", air2.content_hash, "missing"
    assert case == "blob flipped"
    _writable(path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    return "blobs", air3.content_hash, "air@3 now hashes"


@pytest.mark.parametrize(
    "case",
    ["leaf", "node", "checkpoint", "version hash", "access level", "blob deleted", "blob flipped"],
)
def test_each_tampering_is_caught_and_named(published, case):
    platform, versions, audit = published
    table, row, words = _tamper(case, platform, versions)
    code, body = audit("--blobs")
    assert code == 7 and body["ok"] is False
    named = [p for p in body["problems"] if (p["table"], p["row"]) == (table, row)]
    assert named and words in named[0]["detail"], body["problems"]


def test_without_blobs_option_a_flipped_blob_needs_the_rehash(published):
    """Presence and size are checked always; a same-size change needs --blobs (and says so)."""
    platform, versions, audit = published
    _tamper("blob flipped", platform, versions)
    code, body = audit()
    assert code == 0 and "--blobs" in body["catalog"]["message"]
    code, body = audit("--blobs")
    assert code == 7


def test_a_version_whose_hash_was_substituted_is_not_served(published):
    """Before the audit runs: the server refuses the substituted file instead of serving it."""
    from datanuri.errors import IntegrityError

    platform, versions, _ = published
    _tamper("version hash", platform, versions)
    with pytest.raises(IntegrityError, match="ledger audit"):
        platform.catalog.download("air", 1, format="parquet", principal=SYSTEM)
    assert platform.catalog.preview("air", 2, principal=SYSTEM).num_rows == 4  # others still served
