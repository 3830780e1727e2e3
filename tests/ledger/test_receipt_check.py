"""Checking a receipt for what it claims (`Ledger.check_receipt`, `receipts.check_receipt`): one
implementation behind the dataset page and `datanuri verify`."""

from __future__ import annotations

import json

import sqlalchemy as sa

from datanuri.events import describe_all
from datanuri.ledger.receipts import ReceiptCheck, check_receipt
from tests.ledger.conftest import fill, make_event
from tests.ledger.serve import ledger_app

PARQUET = "sha256:" + "ab" * 32


def _record(ledger) -> int:
    fill(ledger, 4)
    with ledger.db.session() as s:
        return ledger.record(s, make_event(4, parquet=PARQUET))


def _failed(res: ReceiptCheck) -> set[str]:
    return {c.check for c in res.checks if not c.ok}


def test_service_checks_proof_subject_content_and_checkpoint(ledger):
    idx = _record(ledger)
    res = ledger.check_receipt(idx, subject="dataset:air-4@1", parquet_hash=PARQUET)
    assert res.ok and not res.problems and not res.missing
    names = [c.check for c in res.checks]
    assert names == [
        "checkpoint signature",
        "entry",
        "inclusion",
        "content",
        "subject",
        "checkpoint",
    ]
    assert (res.index, res.subject, res.tree_size, res.current_size) == (
        idx,
        "dataset:air-4@1",
        5,
        5,
    )
    assert res.receipt["entry"]["hashes"]["parquet"] == PARQUET
    # a bare hex digest names the same content
    assert ledger.check_receipt(idx, parquet_hash=PARQUET.removeprefix("sha256:")).ok


def test_service_fails_a_wrong_subject_or_content(ledger):
    idx = _record(ledger)
    wrong = ledger.check_receipt(idx, subject="dataset:air-4@2", parquet_hash="sha256:" + "cd" * 32)
    assert not wrong.ok and _failed(wrong) == {"subject", "content"}
    assert any("not dataset:air-4@2" in p for p in wrong.problems)


def test_service_fails_an_entry_changed_in_the_database(ledger):
    idx = _record(ledger)
    with ledger.db.session() as s:
        s.execute(
            sa.text("UPDATE ledger_leaves SET data = replace(data, 'alice', 'bob') WHERE idx = :i"),
            {"i": idx},
        )
    res = ledger.check_receipt(idx, subject="dataset:air-4@1", parquet_hash=PARQUET)
    assert not res.ok and "entry" in _failed(res)


def test_only_cosigners_of_trusted_witnesses_are_listed(ledger, tmp_path):
    from datanuri.ledger.witness import Witness
    from tests.ledger.serve import serve

    idx = _record(ledger)
    plain = ledger.check_receipt(idx)
    assert plain.cosigners == () and "cosignatures" not in [c.check for c in plain.checks]
    w = Witness(tmp_path / "w", name="witness.test/w1")
    w.ensure_key()
    ledger.add_witness(w.vkey())
    with serve(ledger) as url:
        assert w.run_once(url, log_key=ledger.public_key()).accepted
    res = ledger.check_receipt(idx)
    assert res.ok and res.cosigners == ("witness.test/w1",)
    ledger.remove_witness("witness.test/w1")  # no longer trusted: its cosignature is not listed
    assert ledger.check_receipt(idx).cosigners == ()


def test_pure_check_knows_a_tree_larger_than_the_log_and_a_non_receipt(ledger):
    idx = _record(ledger)
    receipt = ledger.receipt(idx)
    res = check_receipt(receipt, public_key=ledger.public_key(), current_size=2)
    assert not res.ok and _failed(res) == {"checkpoint"}
    bad = check_receipt(["not", "a", "receipt"], public_key=ledger.public_key())  # type: ignore[arg-type]
    assert not bad.ok and _failed(bad) == {"format"}
    assert ReceiptCheck.no_entry().missing and not ReceiptCheck.no_entry().ok


def test_cli_verify_checks_the_subject(cli, ledger, tmp_path):
    idx = _record(ledger)
    key = tmp_path / "log.pub"
    key.write_text(ledger.public_key() + "\n")
    rec = tmp_path / "receipt.json"
    rec.write_text(json.dumps(ledger.receipt(idx)))
    good = cli("verify", rec, "--key", key, "--subject", "dataset:air-4@1", "--json")
    assert good.exit_code == 0, good.output
    body = json.loads(good.stdout)
    assert body["ok"] and [c["check"] for c in body["checks"]][-1] == "subject"
    bad = cli("verify", rec, "--key", key, "--subject", "dataset:air-4@9")
    assert bad.exit_code == 7 and "not dataset:air-4@9" in bad.output


def test_cli_and_api_list_the_event_kinds(cli, ledger):
    from fastapi.testclient import TestClient

    out = cli("ledger", "events", "--json")
    assert out.exit_code == 0, out.output
    listed = json.loads(out.stdout)
    assert listed == [k.to_dict() for k in describe_all()]
    assert "dataset.version.published" in {k["name"] for k in listed}
    table = cli("ledger", "events")
    assert "privacy.key.created" in table.output and "fingerprint: str" in table.output
    with TestClient(ledger_app(ledger)) as client:
        assert client.get("/api/v1/ledger/event-types").json() == listed
