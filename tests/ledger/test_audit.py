"""`ledger audit` finds and names rows changed directly in the database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.ledger.conftest import fill, make_event, set_node, set_nodes


@pytest.fixture
def filled(ledger):
    fill(ledger, 40, batch=7)
    ledger.checkpoint()
    with ledger.db.session() as s:
        ledger.record_many(s, [make_event(i) for i in range(40, 45)])
    ledger.checkpoint()
    return ledger


def _sql(ledger, stmt: str, **params) -> None:
    with ledger.db.session() as s:
        s.execute(sa.text(stmt), params)


def test_clean_ledger_passes(filled):
    report = filled.audit()
    assert report.ok, report.problems
    assert (report.leaves, report.nodes, report.checkpoints) == (45, 45 - bin(45).count("1"), 2)


def test_changed_entry_is_named(filled):
    _sql(
        filled,
        "UPDATE ledger_leaves SET data = replace(data, 'user:alice', 'user:mallory') WHERE idx = 17",
    )
    report = filled.audit()
    assert not report.ok
    assert [(p.table, p.row) for p in report.problems] == [("ledger_leaves", "idx=17")]


def test_changed_entry_and_hash_together_break_its_parents_and_checkpoints(filled):
    import rfc8785

    from datanuri.ledger import merkle

    forged = make_event(999)
    data = rfc8785.dumps(forged.to_json_obj())
    _sql(
        filled,
        "UPDATE ledger_leaves SET data = :d, leaf_hash = :h WHERE idx = 17",
        d=data.decode(),
        h=merkle.leaf_hash(data),
    )
    report = filled.audit()
    rows = {(p.table, p.row) for p in report.problems}
    assert ("ledger_leaves", "idx=17 node level=1 index=8 (leaves 16..17)") in rows
    assert ("ledger_checkpoints", "size=40") in rows and ("ledger_checkpoints", "size=45") in rows
    assert ("ledger_state", "id=1") in rows  # the stored right edge no longer matches either


def test_changed_node_is_named(filled):
    set_node(filled, 2, 3, b"\x00" * 32)
    report = filled.audit()
    assert [(p.table, p.row) for p in report.problems] == [
        ("ledger_leaves", "idx=15 node level=2 index=3 (leaves 12..15)")
    ]


def test_deleted_and_extra_nodes_are_named(filled):
    set_nodes(
        filled, 15, lambda b: b[:96]
    )  # row 15 completes levels 1-4: drop level 4 (leaves 0..15)
    set_nodes(filled, 44, lambda b: b + b"\x00" * 32)  # an even index completes no subtree
    rows = {(p.table, p.row, p.detail) for p in filled.audit().problems}
    assert ("ledger_leaves", "idx=15 node level=4 index=0 (leaves 0..15)", "missing") in rows
    assert (
        "ledger_leaves",
        "idx=44 nodes",
        "32 unexpected bytes after the 0 subtree hashes this entry completes",
    ) in rows
    assert len(rows) == 2


def test_changed_checkpoint_is_named(filled):
    with filled.db.session() as s:
        note = s.execute(
            sa.text("SELECT note FROM ledger_checkpoints WHERE size = 40")
        ).scalar_one()
    _sql(
        filled,
        "UPDATE ledger_checkpoints SET note = :n WHERE size = 40",
        n=note.replace("\n40\n", "\n41\n"),
    )
    _sql(filled, "UPDATE ledger_checkpoints SET root = :r WHERE size = 45", r=b"\x01" * 32)
    problems = filled.audit().problems
    assert [(p.table, p.row) for p in problems] == [
        ("ledger_checkpoints", "size=40"),
        ("ledger_checkpoints", "size=45"),
    ]
    assert "signature" in problems[0].detail and "root column" in problems[1].detail


def test_removed_entry_is_named(filled):
    _sql(filled, "DELETE FROM ledger_leaves WHERE idx = 44")
    rows = {(p.table, p.row) for p in filled.audit().problems}
    assert ("ledger_state", "id=1") in rows and ("ledger_checkpoints", "size=45") in rows
