"""Group commit: concurrent `Ledger.append`s share transactions, each thread keeps its order,
every entry is where its index says, and signed tree heads and proofs still verify."""

from __future__ import annotations

import threading

import pytest

from datanuri.errors import LedgerError
from datanuri.events import Event
from datanuri.ledger import canonical_leaf, merkle, store
from datanuri.ledger.checkpoint import open_checkpoint
from datanuri.ledger.group import GroupCommit
from tests.ledger.conftest import make_event

THREADS, EACH = 8, 5


def _wait_for(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    """Wait until `condition()` holds (a guard against hanging, not a timing assertion)."""
    done = threading.Event()
    for _ in range(6000):
        if condition():
            return
        done.wait(0.01)
    raise AssertionError(f"never happened: {what}")


def test_concurrent_appends_share_commits_and_keep_their_order(ledger):
    got: dict[int, list[int]] = {t: [] for t in range(THREADS)}
    errors: list[BaseException] = []

    def appender(t: int) -> None:
        try:
            for k in range(EACH):
                got[t].append(ledger.append(make_event(1000 * t + k)))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    # Hold the ledger's write lock, so the first append waits inside its commit while the
    # other threads queue behind it; then let go.
    with ledger.db.session() as blocker:
        store.read_state(blocker, lock=True)
        threads = [threading.Thread(target=appender, args=(t,)) for t in range(THREADS)]
        for th in threads:
            th.start()
        _wait_for(lambda: ledger.group_commit.queued() == THREADS - 1, "all threads queued")
    for th in threads:
        th.join()
    assert not errors

    indexes = sorted(i for idx in got.values() for i in idx)
    assert indexes == list(range(THREADS * EACH))  # each index handed out once, none skipped
    # one commit carried the THREADS - 1 queued appends
    assert ledger.group_commit.commits <= THREADS * EACH - (THREADS - 2)
    entries = {e["index"]: e["entry"] for e in ledger.entries(0, THREADS * EACH)}
    for t, idx in got.items():
        assert idx == sorted(idx)  # a thread's appends keep its order
        assert [entries[i]["subject"] for i in idx] == [
            make_event(1000 * t + k).subject for k in range(EACH)
        ]

    cp = ledger.checkpoint()
    open_checkpoint(cp.note, ledger.keys.signer().verifier(), origin=ledger.origin)
    assert cp.checkpoint.size == THREADS * EACH
    for t, idx in got.items():
        for k, i in enumerate(idx):
            leaf = merkle.leaf_hash(canonical_leaf(make_event(1000 * t + k)))
            proof = ledger.inclusion_proof(i, cp.checkpoint.size)
            merkle.verify_inclusion(i, cp.checkpoint.size, leaf, proof, cp.checkpoint.root)
    assert ledger.audit().ok


def test_durable_append_commits_and_leaves_the_connection_as_it_was(ledger):
    first = ledger.append(make_event(1), durable=True)
    second = ledger.append(make_event(2))
    assert (first, second) == (0, 1)
    assert ledger.size() == 2
    if ledger.db.engine.dialect.name == "sqlite":
        with ledger.db.engine.connect() as c:  # the pooled connection is back to NORMAL (1)
            assert c.exec_driver_sql("PRAGMA synchronous").scalar_one() == 1
    assert ledger.audit().ok


def test_an_event_that_is_not_json_fails_only_its_own_append(ledger):
    bad = Event("x", "user:a", "s", make_event(0).time, data={"nan": float("nan")})
    with pytest.raises(LedgerError):
        ledger.append(bad)
    assert ledger.append(make_event(3)) == 0


def test_a_failed_commit_fails_its_group_and_the_next_append_leads_again():
    written: list[bytes] = []

    def write(datas, durable):  # type: ignore[no-untyped-def]
        if b"bad" in datas:
            raise LedgerError("the database refused")
        written.extend(datas)
        return list(range(len(written) - len(datas), len(written)))

    group = GroupCommit(write)
    with pytest.raises(LedgerError):
        group.append(b"bad", durable=False)
    assert group.append(b"good", durable=True) == 0
    assert written == [b"good"] and group.commits == 1


def test_append_names_a_hidden_dataset_by_its_commitment(ledger):
    from datanuri.events import DatasetDeleted

    ledger.hidden = lambda _s, name: name == "secret-clinic"
    t = make_event(0).time
    hidden = ledger.append(DatasetDeleted(actor="user:a", time=t, dataset="secret-clinic"))
    shown = ledger.append(DatasetDeleted(actor="user:a", time=t, dataset="open-air"))
    entries = {e["index"]: e["entry"] for e in ledger.entries(0, 2)}
    assert entries[hidden]["subject"] == f"dataset:{ledger.commit_name('secret-clinic')}"
    assert entries[shown]["subject"] == "dataset:open-air"
