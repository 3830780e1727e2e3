"""The ledger service on each database backend: appends in the caller's transaction, proofs,
checkpoints that are never inconsistent."""

from __future__ import annotations

import threading

import pytest
import rfc8785
import sqlalchemy as sa

from datanuri.errors import IntegrityError, InvalidInput, LedgerError
from datanuri.events import Event
from datanuri.ledger import Ledger, merkle, note
from datanuri.ledger.checkpoint import open_checkpoint
from tests.ledger.conftest import fill, make_event, set_node, stored_node


def _leaf_hashes(n: int) -> list[bytes]:
    return [merkle.leaf_hash(rfc8785.dumps(make_event(i).to_json_obj())) for i in range(n)]


def test_record_commits_and_rolls_back_with_the_callers_transaction(ledger):
    with ledger.db.session() as s:
        assert ledger.record(s, make_event(0)) == 0
    with pytest.raises(RuntimeError):
        with ledger.db.session() as s:
            assert ledger.record(s, make_event(1)) == 1
            raise RuntimeError("the action failed after recording")
    assert ledger.size() == 1
    with ledger.db.session() as s:
        assert ledger.record(s, make_event(1)) == 1
    assert ledger.size() == 2
    assert [e["entry"]["subject"] for e in ledger.entries(0, 10)] == [
        "dataset:air-0@1",
        "dataset:air-1@1",
    ]


def test_leaves_are_canonical_json_and_roots_match_rfc9162(ledger):
    fill(ledger, 77, batch=10)
    with ledger.db.session() as s:
        data = s.execute(sa.text("SELECT data FROM ledger_leaves WHERE idx = 5")).scalar_one()
    assert data.encode() == rfc8785.dumps(make_event(5).to_json_obj())
    hashes = _leaf_hashes(77)
    for size in [1, 2, 3, 31, 32, 33, 64, 77]:
        assert ledger.root(size) == merkle.root_from_leaf_hashes(hashes[:size])


def test_proofs_verify_against_reference_roots(ledger):
    fill(ledger, 300, batch=37)
    hashes = _leaf_hashes(300)
    for size in [1, 5, 128, 129, 300]:
        root = merkle.root_from_leaf_hashes(hashes[:size])
        for index in {0, size // 2, size - 1}:
            merkle.verify_inclusion(
                index, size, hashes[index], ledger.inclusion_proof(index, size), root
            )
        for first in {1, size // 3 or 1, size}:
            proof = ledger.consistency_proof(first, size)
            merkle.verify_consistency(
                first, size, merkle.root_from_leaf_hashes(hashes[:first]), root, proof
            )
    with pytest.raises(InvalidInput):
        ledger.inclusion_proof(300, 300)
    with pytest.raises(InvalidInput):
        ledger.consistency_proof(1, 301)


def test_an_event_that_cannot_be_recorded_fails_the_action(ledger):
    bad = Event(type="x", actor="a", subject="s", time=make_event(0).time, data={"x": object()})
    with pytest.raises(LedgerError):
        with ledger.db.session() as s:
            ledger.record(s, bad)
    with ledger.db.session() as s:
        s.execute(sa.text("DROP TABLE ledger_leaves"))
    with pytest.raises(LedgerError) as e:
        with ledger.db.session() as s:
            ledger.record_many(s, [make_event(0), make_event(1)])
    assert "dataset.version.published" in e.value.message
    assert ledger.size() == 0


def test_concurrent_appenders_get_distinct_indexes(ledger):
    errors: list[BaseException] = []
    got: list[int] = []
    lock = threading.Lock()

    def work(t: int) -> None:
        try:
            for i in range(15):
                with ledger.db.session() as s:
                    idx = ledger.record(s, make_event(t * 100 + i))
                with lock:
                    got.append(idx)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert sorted(got) == list(range(60))
    assert ledger.audit().ok


def test_checkpoints_are_signed_reused_and_consistent(ledger, tmp_path):
    fill(ledger, 10)
    cp = ledger.checkpoint()
    vkey = (tmp_path / "keys" / "ledger.pub").read_text().strip()
    assert vkey == ledger.public_key()
    parsed = open_checkpoint(cp.note, note.ed25519_verifier(vkey))
    assert (parsed.origin, parsed.size, parsed.root) == (
        "datanuri.test/ledger",
        10,
        merkle.root_from_leaf_hashes(_leaf_hashes(10)),
    )
    assert ledger.checkpoint().note == cp.note  # same size: reused, not re-signed
    fill_more = [make_event(i) for i in range(10, 25)]
    with ledger.db.session() as s:
        ledger.record_many(s, fill_more)
    cp2 = ledger.checkpoint()
    assert cp2.size == 25
    merkle.verify_consistency(10, 25, cp.root, cp2.root, ledger.consistency_proof(10, 25))


def test_refuses_to_sign_a_checkpoint_inconsistent_with_the_last_one(ledger):
    fill(ledger, 8)
    ledger.checkpoint()
    fill_events = [make_event(i) for i in range(8, 12)]
    with ledger.db.session() as s:
        ledger.record_many(s, fill_events)
    # Someone rewrites the stored history below the signed checkpoint (the subtree of leaves 0..7).
    good = stored_node(ledger, 3, 0)
    set_node(ledger, 3, 0, b"\x11" * 32)
    with pytest.raises(IntegrityError):
        ledger.checkpoint()
    assert ledger.latest_checkpoint().size == 8
    set_node(ledger, 3, 0, good)
    assert ledger.checkpoint().size == 12


def test_a_different_key_cannot_continue_the_log(ledger, db, tmp_path):
    fill(ledger, 3)
    ledger.checkpoint()
    other = Ledger(db, key_dir=tmp_path / "other-keys", origin="datanuri.test/ledger")
    other.ensure_key()
    with ledger.db.session() as s:
        other.record(s, make_event(3))
    with pytest.raises(IntegrityError):
        other.checkpoint()


def test_key_is_created_once_and_reloaded(db, tmp_path):
    a = Ledger(db, key_dir=tmp_path / "k", origin="datanuri.test/ledger")
    vkey = a.ensure_key()
    b = Ledger(db, key_dir=tmp_path / "k", origin="datanuri.test/ledger")
    assert b.ensure_key() == vkey
    assert oct((tmp_path / "k" / "ledger.key").stat().st_mode & 0o777) == "0o600"
    with pytest.raises(LedgerError):
        Ledger(db, key_dir=tmp_path / "k", origin="elsewhere/ledger").ensure_key()


def test_proof_reads_match_the_session_path(ledger):
    from datanuri.ledger import store

    fill(ledger, 300, batch=37)
    with ledger.db.session() as s:
        nodes = store.SessionNodes(s)
        for size in [1, 2, 3, 64, 65, 255, 256, 257, 300]:
            for index in sorted({0, 1 % size, size // 2, size - 1}):
                assert ledger.inclusion_proof(index, size) == merkle.inclusion_proof(
                    index, size, nodes
                )
            for first in sorted({1, size // 3 or 1, size - 1 or 1, size}):
                assert ledger.consistency_proof(first, size) == merkle.consistency_proof(
                    first, size, nodes
                )
    assert ledger.inclusion_proof(7) == ledger.inclusion_proof(7, 300)
    for call in [
        lambda: ledger.inclusion_proof(0, 301),
        lambda: ledger.consistency_proof(5, 301),
        lambda: ledger.inclusion_proof(-1, 10),
    ]:
        with pytest.raises(InvalidInput):
            call()
