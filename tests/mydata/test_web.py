"""The person's MyData page (ko/en) through the web test client: holders with my rows, consents
with their receipts and ledger links, transfers, the revoke button, unacknowledged deletions and
the download of my own rows; and the holders' API (SQLite only: an interface test)."""

from __future__ import annotations

import io
import json

import pyarrow.parquet as pq
from fastapi.testclient import TestClient

from datanuri.mydata.receipts import verify_receipt
from datanuri.mydata.service import TransferDetails
from datanuri.web.app import create_app
from tests.helpers import PASSWORD
from tests.mydata.conftest import World
from tests.mydata.test_service import DETAILS


def login(platform, email: str) -> tuple[TestClient, str]:
    client = TestClient(create_app(platform), raise_server_exceptions=False)
    page = client.get("/login").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303, r.text
    return client, token


def test_the_dashboard_in_both_languages_with_revoke_and_downloads(platform, world: World):
    details = TransferDetails.from_authorization_details(DETAILS)
    c = platform.mydata.grant(
        world.kim, recipient_client_id="app-1", recipient_name="건강앱", details=details
    )
    platform.mydata.transfer(
        c.id, dataset="visits", items=None, since=None, page=1, page_size=10, fmt="json"
    )
    anon = TestClient(create_app(platform), raise_server_exceptions=False)
    assert anon.get("/me/mydata", follow_redirects=False).status_code == 303
    client, _ = login(platform, "kim@example.org")
    ko = client.get("/me/mydata?lang=ko").text
    assert "나의 마이데이터" in ko and "서울병원" in ko and "건강앱" in ko
    assert f'data-consent-id="{c.id}"' in ko and "동의 철회" in ko
    en = client.get("/me/mydata?lang=en").text
    assert "Holders with data about me" in en and "Transfers" in en and "Revoke" in en

    receipt = client.get(f"/me/mydata/consents/{c.id}/receipt")
    assert receipt.status_code == 200 and "attachment" in receipt.headers["content-disposition"]
    assert verify_receipt(receipt.json(), vkey=platform.ledger.public_key()).consent_id == c.id

    rows = client.get("/me/mydata/rows/visits?format=json").json()
    assert rows["columns"] == ["visit_date", "department", "diagnosis"] and len(rows["rows"]) == 2
    pq_rows = client.get("/me/mydata/rows/visits?format=parquet").content
    assert pq.read_table(io.BytesIO(pq_rows)).num_rows == 2

    page = client.get("/me/mydata?lang=en").text
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    bad = client.post(f"/me/mydata/consents/{c.id}/revoke", data={"csrf_token": "x"})
    assert bad.status_code == 403
    r = client.post(
        f"/me/mydata/consents/{c.id}/revoke?lang=en", data={"csrf_token": csrf},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303
    after = client.get(r.headers["location"]).text
    assert 'id="revoked-notice"' in after and 'id="pending-deletions"' in after
    platform.mydata.acknowledge_deletion(c.id, "app-1")
    assert 'id="pending-deletions"' not in client.get("/me/mydata").text

    other, _ = login(platform, "who@example.org")
    assert 'id="not-linked"' in other.get("/me/mydata").text
    assert other.get(f"/me/mydata/consents/{c.id}/receipt").status_code == 404


def test_the_holders_api(platform, world: World):
    ed = platform.accounts.create_token(
        name="t", scopes=["read", "publish"], for_email="ed@example.org", principal=world.admin
    )[1]
    kim = platform.accounts.create_token(
        name="t", scopes=["read", "publish"], for_email="kim@example.org", principal=world.admin
    )[1]
    api = TestClient(create_app(platform), raise_server_exceptions=False)
    h_ed, h_kim = {"Authorization": f"Bearer {ed}"}, {"Authorization": f"Bearer {kim}"}
    body = {
        "dataset": "visits",
        "subject_column": "주민등록번호",
        "items": [
            {"name": "visits.basic", "columns": ["visit_date"], "label_ko": "방문일",
             "label_en": "Visit date"},
        ],
    }  # fmt: skip
    assert api.post("/api/v1/mydata/offers", json=body, headers=h_kim).status_code == 403
    r = api.post("/api/v1/mydata/offers", json=body, headers=h_ed)
    assert r.status_code == 201 and r.json()["items"][0]["name"] == "visits.basic"
    assert api.get("/api/v1/mydata/offers/visits").json()["people"] == 3
    assert api.get("/api/v1/mydata/offers/nope").status_code == 404
    details = TransferDetails.from_authorization_details(DETAILS)
    c = platform.mydata.grant(
        world.kim, recipient_client_id="app-1", recipient_name="건강앱", details=details
    )
    assert api.get("/api/v1/mydata/me", headers=h_kim).json()["active"][0]["id"] == c.id
    listed = api.get("/api/v1/mydata/holders/hospital/consents", headers=h_ed).json()
    assert [x["id"] for x in listed] == [c.id] and listed[0]["purpose"] == DETAILS["purpose"]
    assert api.get("/api/v1/mydata/holders/hospital/consents", headers=h_kim).status_code == 403
    receipt = api.get(f"/api/v1/mydata/consents/{c.id}/receipt", headers=h_kim).json()
    assert verify_receipt(receipt).consent_id == c.id
    r = api.post(f"/api/v1/mydata/consents/{c.id}/revoke", headers=h_ed)
    assert r.status_code == 403
    r = api.post(f"/api/v1/mydata/consents/{c.id}/revoke", headers=h_kim)
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    assert json.dumps(api.get("/api/v1/mydata/holders/hospital/transfers", headers=h_ed).json())
