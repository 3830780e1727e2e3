from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from datanuri.events import Event


def make_event(i: int, *, parquet: str | None = None) -> Event:
    return Event(
        type="dataset.version.published",
        actor="user:alice",
        subject=f"dataset:air-{i}@1",
        time=dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=i),
        hashes={"parquet": parquet or f"sha256:{i:064x}"},
        data={"rows": i, "note": "측정소"},
    )


@pytest.fixture
def cli(ledger, monkeypatch):
    """`datanuri ledger ...`, `datanuri verify` and `datanuri witness ...` over `ledger`
    (registered the way the main CLI registers them); call it with the arguments."""
    from contextlib import contextmanager

    import typer
    from typer.testing import CliRunner

    from datanuri.cli import ledger as cli_ledger

    @contextmanager
    def ctx(_data_dir):  # type: ignore[no-untyped-def]
        yield ledger

    @contextmanager
    def audit(_data_dir):  # type: ignore[no-untyped-def]
        yield lambda _hash_blobs: (ledger.audit(), None)  # a bare ledger: no catalog to compare

    monkeypatch.setattr(cli_ledger, "ledger_ctx", ctx)
    monkeypatch.setattr(cli_ledger, "audit_ctx", audit)
    root = typer.Typer()
    root.add_typer(cli_ledger.app, name="ledger")
    root.command("verify")(cli_ledger.verify_cmd)
    root.add_typer(cli_ledger.witness_app, name="witness")
    runner = CliRunner()
    return lambda *args: runner.invoke(root, [str(a) for a in args])


@pytest.fixture
def ledger(db, tmp_path: Path):
    from datanuri.ledger import Ledger

    lg = Ledger(db, key_dir=tmp_path / "keys", origin="datanuri.test/ledger")
    lg.ensure_key()
    return lg


def fill(ledger, n: int, *, batch: int = 1000) -> None:
    for start in range(0, n, batch):
        with ledger.db.session() as s:
            ledger.record_many(s, [make_event(i) for i in range(start, min(n, start + batch))])


def stored_node(ledger, level: int, index: int) -> bytes:
    """The stored hash of complete subtree `(level, index)` (in the `nodes` of its last leaf's row)."""
    import sqlalchemy as sa

    from datanuri.ledger.models import node_location

    idx, off = node_location(level, index)
    with ledger.db.session() as s:
        blob = bytes(
            s.execute(
                sa.text("SELECT nodes FROM ledger_leaves WHERE idx = :i"), {"i": idx}
            ).scalar_one()
        )
    return blob[off : off + 32]


def set_nodes(ledger, idx: int, edit) -> None:
    """Rewrite leaf row `idx`'s stored subtree hashes directly in the database: `edit(old) -> new`."""
    import sqlalchemy as sa

    with ledger.db.session() as s:
        blob = bytes(
            s.execute(
                sa.text("SELECT nodes FROM ledger_leaves WHERE idx = :i"), {"i": idx}
            ).scalar_one()
        )
        s.execute(
            sa.text("UPDATE ledger_leaves SET nodes = :b WHERE idx = :i"),
            {"b": edit(blob), "i": idx},
        )


def set_node(ledger, level: int, index: int, h: bytes) -> None:
    """Overwrite the stored hash of complete subtree `(level, index)`."""
    from datanuri.ledger.models import node_location

    idx, off = node_location(level, index)
    set_nodes(ledger, idx, lambda b: b[:off] + h + b[off + 32 :])
