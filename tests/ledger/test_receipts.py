"""Receipts verify offline against a pinned key; any alteration is caught."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest

from datanuri.ledger import messages, note
from datanuri.ledger.verify import verify_consistency, verify_receipt
from tests.ledger.conftest import fill, make_event


@pytest.fixture
def published(ledger, tmp_path):
    """A ledger with 20 entries; entry 13 records the hash of a real file."""
    fill(ledger, 13)
    f = tmp_path / "v1.parquet"
    f.write_bytes(b"PAR1 pretend parquet bytes PAR1")
    digest = hashlib.sha256(f.read_bytes()).hexdigest()
    with ledger.db.session() as s:
        assert ledger.record(s, make_event(13, parquet=f"sha256:{digest}")) == 13
        ledger.record_many(s, [make_event(i) for i in range(14, 20)])
    return ledger, f


def test_receipt_verifies_offline_with_the_file(published):
    ledger, f = published
    receipt = json.loads(json.dumps(ledger.receipt(13)))  # as downloaded
    res = verify_receipt(receipt, public_key=ledger.public_key(), file=f)
    assert res.ok, res.problems
    assert (res.index, res.size, res.subject) == (13, 20, "dataset:air-13@1")
    assert [c for c, good, _ in res.checks if good] == [
        "checkpoint signature",
        "entry",
        "inclusion",
        "file",
    ]


def test_every_entry_has_a_verifying_receipt(published):
    ledger, _ = published
    for i in range(20):
        assert verify_receipt(ledger.receipt(i), public_key=ledger.public_key()).ok


def test_wrong_file_is_rejected(published, tmp_path):
    ledger, _ = published
    other = tmp_path / "other.parquet"
    other.write_bytes(b"different")
    res = verify_receipt(ledger.receipt(13), public_key=ledger.public_key(), file=other)
    assert not res.ok
    assert res.problems == [
        messages.FILE_MISMATCH.format(
            got=hashlib.sha256(b"different").hexdigest(),
            want=ledger.receipt(13)["entry"]["hashes"]["parquet"][7:],
        )
    ]


def test_altered_receipts_are_rejected(published):
    ledger, _ = published
    good = ledger.receipt(13)
    key = ledger.public_key()

    changed_entry = copy.deepcopy(good)
    changed_entry["entry"]["actor"] = "user:mallory"
    assert messages.LEAF_MISMATCH in verify_receipt(changed_entry, public_key=key).problems

    wrong_index = dict(good, index=12)
    assert not verify_receipt(wrong_index, public_key=key).ok

    bad_proof = dict(good, inclusion_proof=list(reversed(good["inclusion_proof"])))
    assert not verify_receipt(bad_proof, public_key=key).ok

    forged_cp = dict(good, checkpoint=good["checkpoint"].replace("\n20\n", "\n21\n", 1))
    res = verify_receipt(forged_cp, public_key=key)
    assert not res.ok and res.checks[0][0] == "checkpoint signature"

    other_key = note.Ed25519Signer.generate("datanuri.test/ledger").vkey()
    assert not verify_receipt(good, public_key=other_key).ok
    assert not verify_receipt({"format": "something else"}, public_key=key).ok


def test_consistency_between_two_checkpoints(published):
    ledger, _ = published
    old = ledger.checkpoint()
    with ledger.db.session() as s:
        ledger.record_many(s, [make_event(i) for i in range(20, 33)])
    new = ledger.checkpoint()
    proof = [p.hex() for p in ledger.consistency_proof(old.size, new.size)]
    import base64

    proof_b64 = [base64.b64encode(bytes.fromhex(p)).decode() for p in proof]
    assert verify_consistency(old.note, new.note, proof_b64, ledger.public_key()).ok
    assert verify_consistency(
        new.note, old.note, proof_b64, ledger.public_key()
    ).ok  # order does not matter
    assert not verify_consistency(old.note, new.note, proof_b64[:-1], ledger.public_key()).ok
    # A checkpoint of the same size from a forked log, signed with the same key, is caught.
    signer = ledger.keys.signer()
    from datanuri.ledger.checkpoint import Checkpoint

    forked = note.sign_note(Checkpoint(ledger.origin, new.size, b"\x42" * 32).body(), signer)
    res = verify_consistency(old.note, forked, proof_b64, ledger.public_key())
    assert not res.ok and res.problems[0].startswith("The two checkpoints are not consistent")
