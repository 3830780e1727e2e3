"""Consent receipts verify offline (service and `datanuri verify`) and fail when tampered with or
checked against another key; `datanuri mydata ...` links people, declares and lists offers,
consents and transfers (in-process, SQLite only)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from datanuri.cli import app
from datanuri.errors import DatanuriError
from datanuri.ledger.note import Ed25519Signer
from datanuri.mydata.receipts import check_receipt, sign_receipt, verify_receipt
from datanuri.mydata.service import TransferDetails
from tests.mydata.conftest import World
from tests.mydata.test_service import DETAILS


def exit_code(r) -> int:
    """The code `datanuri` exits with (`main()` turns a datanuri error into its exit code)."""
    return r.exception.exit_code if isinstance(r.exception, DatanuriError) else r.exit_code


def test_receipts_verify_offline_and_fail_when_tampered(platform, world: World, tmp_path, config):
    details = TransferDetails.from_authorization_details(DETAILS)
    c = platform.mydata.grant(
        world.kim, recipient_client_id="app-1", recipient_name="건강앱", details=details
    )
    receipt = platform.mydata.receipt(c.id, principal=world.kim)
    vkey = platform.ledger.public_key()
    assert verify_receipt(receipt, vkey=vkey).consent_id == c.id
    assert receipt["record"]["purpose"] == DETAILS["purpose"]
    assert receipt["ledger_index"] == c.ledger_index
    # the grant's ledger entry is in the log and hashes exactly this record
    checks = check_receipt(receipt, vkey=vkey).checks
    ledger = [ok for name, ok, _ in checks if name.startswith("ledger ")]
    assert len(ledger) > 2 and all(ledger)  # inclusion, checkpoint signature, subject, record
    assert receipt["ledger_receipt"]["entry"]["type"] == "mydata.consent.granted"
    tampered = json.loads(json.dumps(receipt))
    tampered["record"]["period_days"] = 365
    assert not check_receipt(tampered).ok
    other = Ed25519Signer.generate(platform.config.ledger_origin).vkey()
    assert not check_receipt(receipt, vkey=other).ok

    # offline, from files, with the pinned public key
    runner = CliRunner()
    env = {"DATANURI_DATA_DIR": str(config.data_dir), "DATANURI_DATABASE_URL": config.database_url}
    key = tmp_path / "ledger.pub"
    key.write_text(vkey + "\n")
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    r = runner.invoke(
        app, ["mydata", "receipt", c.id, "--as", "kim@example.org", "-o", str(good)], env=env
    )
    assert r.exit_code == 0, r.output
    bad.write_text(json.dumps(tampered))
    r = runner.invoke(app, ["verify", str(good), "--key", str(key), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["consent_id"] == c.id
    r = runner.invoke(app, ["verify", str(bad), "--key", str(key)])
    assert r.exit_code == 7 and "NOT verified" in r.output
    # after revocation the receipt says so and still ties to the grant's entry
    platform.mydata.revoke(c.id, by=world.kim)
    later = platform.mydata.receipt(c.id, principal=world.kim)
    res = verify_receipt(later, vkey=vkey)
    assert res.status == "revoked" and later["record"]["version"] == 2
    # a receipt whose ledger entry is another consent's fails
    c2 = platform.mydata.grant(
        world.kim, recipient_client_id="app-1", recipient_name="건강앱", details=details
    )
    mixed = platform.mydata.receipt(c2.id, principal=world.kim)
    mixed["ledger_receipt"] = receipt["ledger_receipt"]
    signer = platform.ledger.keys.signer()
    forged = sign_receipt(mixed["record"], mixed["ledger_index"], signer, receipt["ledger_receipt"])
    assert not check_receipt(forged, vkey=vkey).ok  # even signed by the platform
    # someone else's consent: no receipt
    r = runner.invoke(app, ["mydata", "receipt", c.id, "--as", "lee@example.org"], env=env)
    assert exit_code(r) == 4


def test_mydata_from_the_command_line(platform, world: World, config):
    runner = CliRunner()
    env = {"DATANURI_DATA_DIR": str(config.data_dir), "DATANURI_DATABASE_URL": config.database_url}

    def run(*args: str, code: int = 0) -> str:
        r = runner.invoke(app, ["mydata", *args], env=env)
        assert exit_code(r) == code, r.output
        return r.stdout

    assert all(c in run("--help") for c in ("link", "offer", "consents", "transfers", "receipt"))
    run("link", "who@example.org", "--rrn", "770707-1111111")
    assert platform.mydata.is_person(world.stranger)
    run("link", "ed@example.org", "--rrn", "770707-1111111", code=5)  # one number, one account
    out = json.loads(
        run(
            "offer", "visits", "--subject", "주민등록번호",
            "--item", "visits.basic=visit_date,department|진료 기본 정보|Visit basics",
            "--item", "visits.diagnosis=diagnosis|진단명|Diagnosis",
            "--item", "visits.all=visit_date,department,diagnosis|전체|Everything",
            "--as", "ed@example.org", "--json",
        )
    )  # fmt: skip
    assert [i["name"] for i in out["items"]][-1] == "visits.all" and out["people"] == 3
    run("offer", "visits", "--subject", "주민등록번호", "--item", "nonsense", code=2)
    assert json.loads(run("offers", "--json"))[0]["dataset"] == "visits"
    details = TransferDetails.from_authorization_details(DETAILS)
    c = platform.mydata.grant(
        world.kim, recipient_client_id="app-1", recipient_name="건강앱", details=details
    )
    platform.mydata.transfer(
        c.id, dataset="visits", items=None, since=None, page=1, page_size=10, fmt="json"
    )
    consents = json.loads(run("consents", "hospital", "--as", "ed@example.org", "--json"))
    assert [x["id"] for x in consents] == [c.id]
    assert "건강앱" in run("transfers", "hospital", "--as", "ed@example.org")
    run("consents", "hospital", "--as", "kim@example.org", code=6)
    assert json.loads(run("expire", "--json")) == {"expired": []}
