"""Hidden personal datasets (`metadata_public: false`) on public routes (issue #13): the ledger
names them by a keyed commitment, organisation counts leave them out, a name clash does not say
"exists" to outsiders, and a release's description does not name its source — consistent with
the 404 their pages give. Ledger verification keeps working for old and new entries."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from datanuri.accounts import SYSTEM
from datanuri.events import version_subject
from datanuri.ledger.hiding import commit, commitment_key
from datanuri.ledger.receipts import check_receipt
from datanuri.web.app import create_app
from tests.helpers import air_csv, editor_token

SECRET = "secret-cohort"
OLD = "was-visible"
POLICY = {
    "quasi_identifiers": {
        "측정소명": {
            "rows": [
                ["종로구", "*"],
                ["중구", "*"],
                ["용산구", "*"],
                ["관측소0", "*"],
                ["관측소1", "*"],
            ]
        }
    },
    "insensitive": {
        c: "air quality measurements, no person's" for c in ("측정일", "PM10", "PM2.5", "비고")
    },
    "k": 2,  # the instance floor (PolicyLimits.min_k)
    "acknowledge": {
        c: "generated air-quality test data, no person's"
        for c in ("측정소명", "측정일", "PM10", "PM2.5")
    },
}


@pytest.fixture
def world(platform, tmp_path):
    cat = platform.catalog
    platform.accounts.create_organization("org-a", principal=SYSTEM)
    platform.accounts.create_organization("org-b", principal=SYSTEM)
    cat.create_dataset("air", organization="org-a", principal=SYSTEM)
    cat.publish("air", air_csv(tmp_path / "air.csv"), principal=SYSTEM)
    # written while its metadata was public, hidden afterwards: an old entry names it
    cat.create_dataset(OLD, organization="org-a", access_level="personal", principal=SYSTEM)
    cat.publish(OLD, air_csv(tmp_path / "old.csv", extra_rows=1), principal=SYSTEM)
    cat.update_dataset(OLD, metadata_public=False, principal=SYSTEM)
    # hidden from the start
    cat.create_dataset(
        SECRET,
        organization="org-a",
        access_level="personal",
        metadata_public=False,
        principal=SYSTEM,
    )
    cat.publish(SECRET, air_csv(tmp_path / "s.csv", extra_rows=2), principal=SYSTEM)
    platform.privacy.release(SECRET, POLICY, target_name="cohort-public", principal=SYSTEM)
    return {"outsider": editor_token(platform, "org-b", "outsider@example.org")}


def _client(platform) -> TestClient:
    return TestClient(create_app(platform), raise_server_exceptions=False)


def test_public_ledger_never_names_a_hidden_dataset(platform, world):
    key = commitment_key(platform.ledger.keys.signer().skey())
    with _client(platform) as client:
        size = platform.ledger.size()
        listed = client.get(f"/api/v1/ledger/entries?start=0&end={size}")
        receipts = [client.get(f"/api/v1/ledger/entries/{i}/receipt") for i in range(size)]
        pages = [client.get("/ledger?lang=en")] + [
            client.get(f"/ledger/entries/{i}?lang=en") for i in range(size)
        ]
    shown = listed.text + "".join(r.text for r in receipts + pages)
    assert listed.status_code == 200 and all(r.status_code == 200 for r in receipts + pages)
    assert SECRET not in shown and OLD not in shown
    assert "air" in listed.text and "cohort-public" in listed.text  # visible ones stay named
    subjects = [e["entry"]["subject"] for e in listed.json()["entries"]]
    assert version_subject(commit(key, SECRET), 1) in subjects
    assert version_subject(commit(key, OLD), 1) in subjects
    release = next(e for e in listed.json()["entries"] if e["entry"]["type"] == "privacy.release")
    assert release["entry"]["data"]["source"] == version_subject(commit(key, SECRET), 1)
    assert "redacted" not in release  # written with the commitment: it verifies as shown


def test_new_entries_verify_offline_and_old_ones_are_marked(platform, world):
    with _client(platform) as client:
        entries = client.get("/api/v1/ledger/entries?start=0&end=100").json()["entries"]
        public_key = client.get("/.well-known/datanuri-ledger.pub").text.strip()
        for e in entries:
            receipt = client.get(f"/api/v1/ledger/entries/{e['index']}/receipt").json()
            ok = check_receipt(receipt, public_key=public_key).ok
            # an entry written with a name hidden later cannot be rehashed from what is shown
            assert ok is not bool(e.get("redacted")), (e, receipt)
    assert [e.get("redacted", False) for e in entries].count(True) == 1
    assert platform.ledger.audit().ok  # the stored log is unchanged and consistent


def test_the_holders_receipt_still_checks_on_the_dataset_page(platform, world):
    info = platform.catalog.get_version(SECRET, 1, principal=SYSTEM)
    check = platform.ledger.check_receipt(
        info.ledger_index,
        subject=version_subject(SECRET, 1),
        parquet_hash=info.content_hash,
    )
    assert check.ok, check.problems()
    with _client(platform) as client:
        editor = editor_token(platform, "org-a", "holder@example.org")
        full = client.get(
            f"/api/v1/datasets/{SECRET}/versions/1/receipt",
            headers={"Authorization": f"Bearer {editor}"},
        )
        assert full.status_code == 200
        assert client.get(f"/api/v1/datasets/{SECRET}/versions/1/receipt").status_code == 404


def test_organisation_counts_leave_hidden_datasets_out(platform, world):
    with _client(platform) as client:
        orgs = {o["name"]: o for o in client.get("/api/v1/organizations").json()}
        one = client.get("/api/v1/organizations/org-a").json()
    # air and cohort-public; not the two hidden ones
    assert orgs["org-a"]["dataset_count"] == 2 and one["dataset_count"] == 2
    assert SECRET not in json.dumps(one) and OLD not in json.dumps(one)


def test_a_name_clash_does_not_say_exists_to_outsiders(platform, world):
    auth = {"Authorization": f"Bearer {world['outsider']}"}
    with _client(platform) as client:
        page = client.get(f"/api/v1/datasets/{SECRET}", headers=auth)
        clash = client.post(
            "/api/v1/datasets", json={"name": SECRET, "organization": "org-b"}, headers=auth
        )
        visible = client.post(
            "/api/v1/datasets", json={"name": "air", "organization": "org-b"}, headers=auth
        )
    assert page.status_code == 404
    assert clash.status_code == 409 and "exists" not in clash.json()["error"]["message"]
    assert visible.status_code == 409 and "already exists" in visible.json()["error"]["message"]


def test_a_release_from_a_hidden_source_does_not_name_it(platform, world):
    with _client(platform) as client:
        target = client.get("/api/v1/datasets/cohort-public").json()
        html = client.get("/datasets/cohort-public?lang=en").text
        ld = client.get("/dataset/cohort-public.jsonld").text
    assert target["description"] and SECRET not in json.dumps(target)
    assert SECRET not in html and SECRET not in ld


def test_the_catalog_audit_matches_hidden_datasets_by_their_commitment(platform, world):
    """`datanuri ledger audit` compares every version with its entry; a hidden dataset's entries
    name it by commitment, which the audit must accept (and only with the commitment key)."""
    from datanuri.catalog.audit import audit_catalog

    ok = audit_catalog(
        platform.db, platform.blobs, hash_blobs=True, commitment=platform.ledger.commit_name
    )
    assert ok.problems == [] and ok.versions >= 4
    blind = audit_catalog(platform.db, platform.blobs, hash_blobs=False)
    assert any(p.row.startswith(SECRET) for p in blind.problems)
