"""Witnesses over loopback HTTP: cosign consistent checkpoints, refuse forks and rollbacks."""

from __future__ import annotations

import json
import shutil

import pytest
import sqlalchemy as sa

from datanuri.ledger import Ledger, messages
from datanuri.ledger.verify import verify_receipt
from datanuri.ledger.witness import ForkDetected, Witness
from datanuri.store.db import Database
from tests.ledger.conftest import make_event
from tests.ledger.serve import serve


def _append(ledger, start: int, n: int, *, actor: str = "user:alice") -> None:
    from dataclasses import replace

    with ledger.db.session() as s:
        ledger.record_many(
            s, [replace(make_event(i), actor=actor) for i in range(start, start + n)]
        )


@pytest.fixture
def witnesses(tmp_path):
    out = []
    for name in ("witness.test/w1", "witness.test/w2"):
        w = Witness(tmp_path / name.replace("/", "_"), name=name)
        w.ensure_key()
        out.append(w)
    return out


def test_witnesses_cosign_and_the_log_serves_cosignatures(ledger, witnesses):
    w1, w2 = witnesses
    for w in witnesses:
        ledger.add_witness(w.vkey())
    ledger.required_cosignatures = 2
    _append(ledger, 0, 5)
    with serve(ledger) as url:
        obs1 = w1.run_once(url, log_key=ledger.public_key())
        obs2 = w2.run_once(url)  # trust on first use of the served key
        assert (obs1.new_size, obs2.new_size) == (5, 5) and obs1.accepted and obs2.accepted
        cp = ledger.latest_checkpoint()
        assert sorted(cp.cosigners) == ["witness.test/w1", "witness.test/w2"]
        _append(ledger, 5, 3)
        assert w1.run_once(url).old_size == 5
        assert w1.state()["datanuri.test/ledger"]["size"] == 8
    # Only the size-5 checkpoint has both cosignatures, and receipts use it while it covers the entry.
    receipt = ledger.receipt(2)
    assert receipt["tree_size"] == 5
    keys = [w.vkey() for w in witnesses]
    assert verify_receipt(
        receipt, public_key=ledger.public_key(), witness_keys=keys, min_cosignatures=2
    ).ok
    late = ledger.receipt(6)
    res = verify_receipt(
        late, public_key=ledger.public_key(), witness_keys=keys, min_cosignatures=2
    )
    assert not res.ok and res.problems == [messages.TOO_FEW_COSIGNATURES.format(have=1, need=2)]


def test_witness_refuses_a_log_showing_another_history(ledger, witnesses, tmp_path):
    """Log B has the same key and origin as log A but different entries: a split view."""
    w1, _ = witnesses
    _append(ledger, 0, 6)
    db_b = Database(f"sqlite:///{tmp_path / 'b.db'}")
    db_b.migrate()
    shutil.copytree(ledger.keys.key_dir, tmp_path / "keys-b")
    log_b = Ledger(db_b, key_dir=tmp_path / "keys-b", origin=ledger.origin)
    _append(log_b, 0, 9, actor="user:mallory")
    try:
        with serve(ledger) as url_a, serve(log_b) as url_b:
            obs = w1.run_once(url_a, log_key=ledger.public_key())
            assert obs.accepted is False and "not from a witness this ledger trusts" in obs.log_said
            with pytest.raises(ForkDetected) as e:
                w1.run_once(url_b, log_key=ledger.public_key())
            assert "Fork detected" in e.value.message and "size 9" in e.value.message
            assert log_b.latest_checkpoint().cosigners == ()
            assert w1.state()[ledger.origin]["size"] == 6  # the forked view was not accepted
            evidence = list((w1.dir / "forks").glob("*.json"))
            assert len(evidence) == 1
            assert (
                json.loads(evidence[0].read_text())["presented_checkpoint"]
                == log_b.latest_checkpoint().note
            )
            # The honest log keeps getting cosigned.
            _append(ledger, 6, 4)
            assert w1.run_once(url_a).new_size == 10
    finally:
        db_b.dispose()


def test_witness_refuses_a_log_that_rewrites_its_history(ledger, witnesses):
    w1, _ = witnesses
    _append(ledger, 0, 7)
    with serve(ledger) as url:
        w1.run_once(url, log_key=ledger.public_key())
        # The operator wipes the ledger tables and writes a different history of 12 entries.
        with ledger.db.session() as s:
            for table in ("ledger_cosignatures", "ledger_checkpoints", "ledger_leaves"):
                s.execute(sa.text(f"DELETE FROM {table}"))
            s.execute(sa.text("UPDATE ledger_state SET size = 0, frontier = :f"), {"f": b""})
        _append(ledger, 0, 12, actor="user:mallory")
        with pytest.raises(ForkDetected):
            w1.run_once(url)
        # Rolling back to a smaller tree is refused too.
        with ledger.db.session() as s:
            for table in ("ledger_cosignatures", "ledger_checkpoints", "ledger_leaves"):
                s.execute(sa.text(f"DELETE FROM {table}"))
            s.execute(sa.text("UPDATE ledger_state SET size = 0, frontier = :f"), {"f": b""})
        _append(ledger, 0, 3)
        with pytest.raises(ForkDetected) as e:
            w1.run_once(url)
        assert e.value.message == messages.ROLLBACK.format(
            origin=ledger.origin, new_size=3, old_size=7
        )


def test_log_rejects_cosignatures_from_unknown_witnesses(ledger, witnesses):
    from datanuri.errors import InvalidInput
    from datanuri.ledger.checkpoint import add_signature_lines
    from datanuri.ledger.cosign import cosign

    _append(ledger, 0, 2)
    cp = ledger.checkpoint()
    line = cosign(cp.checkpoint.body(), witnesses[0].signer()).line()
    with pytest.raises(InvalidInput):
        ledger.add_cosignature(add_signature_lines(cp.note, [line]))
    ledger.add_witness(witnesses[0].vkey())
    assert ledger.add_cosignature(add_signature_lines(cp.note, [line])).cosigners == (
        "witness.test/w1",
    )
    assert ledger.audit().ok
