"""`datanuri ledger ...`, `datanuri verify` and `datanuri witness ...` (registered here the way the
main CLI registers them)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from tests.ledger.conftest import fill, make_event
from tests.ledger.serve import serve


def test_audit_passes_then_names_a_tampered_row_and_exits_nonzero(cli, ledger):
    fill(ledger, 12)
    ok = cli("ledger", "audit")
    assert ok.exit_code == 0, ok.output
    assert "Ledger audit passed: 12 entries" in ok.output
    with ledger.db.session() as s:
        s.execute(
            sa.text("UPDATE ledger_leaves SET data = replace(data, 'alice', 'bob') WHERE idx = 4")
        )
    bad = cli("ledger", "audit", "--json")
    assert bad.exit_code == 7
    report = json.loads(bad.stdout)
    assert report["ok"] is False and report["problems"][0]["row"] == "idx=4"


def test_checkpoint_entries_and_receipt_verify(cli, ledger, tmp_path):
    fill(ledger, 5)
    cp = cli("ledger", "checkpoint")
    assert cp.exit_code == 0 and cp.stdout.startswith("datanuri.test/ledger\n5\n")
    listing = cli("ledger", "entries", "--json", "--start", "1", "--end", "3")
    assert [r["index"] for r in json.loads(listing.stdout)] == [1, 2]
    f = tmp_path / "data.parquet"
    f.write_bytes(b"parquet!")
    import hashlib

    with ledger.db.session() as s:
        idx = ledger.record(
            s, make_event(5, parquet="sha256:" + hashlib.sha256(b"parquet!").hexdigest())
        )
    key = tmp_path / "log.pub"
    key.write_text(ledger.public_key() + "\n")
    rec = tmp_path / "receipt.json"
    assert cli("ledger", "receipt", idx, "-o", rec).exit_code == 0
    good = cli("verify", rec, f, "--key", key)
    assert good.exit_code == 0 and "Verified." in good.output
    f.write_bytes(b"tampered")
    bad = cli("verify", rec, f, "--key", key)
    assert bad.exit_code == 7 and "NOT verified" in bad.output


def test_verify_consistency_offline_and_from_a_log(cli, ledger, tmp_path):
    fill(ledger, 6)
    old = tmp_path / "old.txt"
    old.write_text(ledger.checkpoint().note)
    with ledger.db.session() as s:
        ledger.record_many(s, [make_event(i) for i in range(6, 11)])
    new = tmp_path / "new.json"
    new.write_text(json.dumps({"checkpoint": ledger.checkpoint().note}))
    key = tmp_path / "log.pub"
    key.write_text(ledger.public_key())
    import base64

    proof = tmp_path / "proof.json"
    proof.write_text(
        json.dumps(
            {"proof": [base64.b64encode(p).decode() for p in ledger.consistency_proof(6, 11)]}
        )
    )
    r = cli("verify", "--consistency", old, new, "--key", key, "--proof", proof)
    assert r.exit_code == 0, r.output
    with serve(ledger) as url:
        assert cli("verify", "--consistency", old, new, "--key", key, "--log", url).exit_code == 0
    proof.write_text(json.dumps({"proof": []}))
    assert cli("verify", "--consistency", old, new, "--key", key, "--proof", proof).exit_code == 7


def test_witness_cli(cli, ledger, tmp_path):
    wdir = tmp_path / "w"
    vkey = cli("witness", "init", "--name", "witness.test/cli", "--dir", wdir).stdout.strip()
    assert vkey.startswith("witness.test/cli+")
    assert cli("ledger", "witnesses", "add", vkey).exit_code == 0
    fill(ledger, 3)
    with serve(ledger) as url:
        r = cli("witness", "run", "--log", url, "--dir", wdir, "--once")
    assert r.exit_code == 0, r.output
    assert ledger.latest_checkpoint().cosigners == ("witness.test/cli",)
