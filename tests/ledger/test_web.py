"""The ledger REST API and the well-known public key."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient

from datanuri.ledger import merkle
from datanuri.ledger.verify import verify_consistency, verify_receipt
from tests.ledger.conftest import fill
from tests.ledger.serve import ledger_app


@pytest.fixture
def client(ledger):
    fill(ledger, 21)
    with TestClient(ledger_app(ledger)) as c:
        yield c


def test_public_key_and_checkpoint(client, ledger):
    vkey = client.get("/.well-known/datanuri-ledger.pub").text.strip()
    assert vkey == ledger.public_key()
    cp = client.get("/api/v1/ledger/checkpoint").json()
    assert cp["size"] == 21 and cp["public_key"] == vkey and cp["origin"] == "datanuri.test/ledger"
    assert base64.b64decode(cp["root"]) == ledger.root()


def test_entries_and_proofs(client, ledger):
    page = client.get("/api/v1/ledger/entries", params={"start": 3, "end": 6}).json()
    assert [e["index"] for e in page["entries"]] == [3, 4, 5] and page["size"] == 21
    r = client.get("/api/v1/ledger/proof/inclusion", params={"index": 4, "size": 13}).json()
    merkle.verify_inclusion(
        4,
        13,
        base64.b64decode(r["leaf_hash"]),
        [base64.b64decode(p) for p in r["proof"]],
        ledger.root(13),
    )
    c = client.get("/api/v1/ledger/proof/consistency", params={"first": 13, "second": 21}).json()
    merkle.verify_consistency(
        13, 21, ledger.root(13), ledger.root(21), [base64.b64decode(p) for p in c["proof"]]
    )


def test_receipt_over_http_verifies_offline(client, ledger):
    receipt = client.get("/api/v1/ledger/entries/7/receipt").json()
    assert verify_receipt(receipt, public_key=ledger.public_key()).ok
    old = client.get("/api/v1/ledger/checkpoint").json()["checkpoint"]
    with ledger.db.session() as s:
        from tests.ledger.conftest import make_event

        ledger.record(s, make_event(21))
    new = client.get("/api/v1/ledger/checkpoint").json()["checkpoint"]
    proof = client.get(
        "/api/v1/ledger/proof/consistency", params={"first": 21, "second": 22}
    ).json()["proof"]
    assert verify_consistency(old, new, proof, ledger.public_key()).ok


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/ledger/proof/inclusion?index=21",
        "/api/v1/ledger/proof/inclusion?index=1&size=99",
        "/api/v1/ledger/proof/consistency?first=5&second=99",
        "/api/v1/ledger/entries?start=0&end=5000",
        "/api/v1/ledger/entries/99/receipt",
    ],
)
def test_bad_requests_get_json_errors(client, url):
    r = client.get(url)
    assert r.status_code in (404, 422)
    assert r.json()["error"]["message"]
