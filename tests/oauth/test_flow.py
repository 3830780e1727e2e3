"""MyData's OAuth flow over real HTTP on loopback with Authlib's client: PAR, consent screen,
code, DPoP-bound tokens, transfers, refresh rotation, revocation and introspection."""

from __future__ import annotations

import io
import secrets
from typing import Any

import pyarrow.parquet as pq

from datanuri.cli.mydata_client import approve_as, new_key
from tests.helpers import PASSWORD
from tests.oauth.conftest import DETAILS, REDIRECT, World

TRANSFER = "/api/v1/mydata/transfers/hospital/visits"


def test_metadata_names_the_endpoints_and_what_they_require(world: World) -> None:
    md = world.app.plain("GET", "/.well-known/oauth-authorization-server").json()
    assert md["issuer"] == world.base
    assert md["pushed_authorization_request_endpoint"] == f"{world.base}/oauth/par"
    assert md["require_pushed_authorization_requests"] is True
    assert md["code_challenge_methods_supported"] == ["S256"]
    assert md["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert md["authorization_details_types_supported"] == ["mydata_transfer"]


def test_full_flow_sends_only_the_persons_consented_columns(world: World) -> None:
    token = world.tokens()
    assert token["token_type"] == "DPoP"
    consent = world.platform.mydata.active_consent(token["consent_id"])
    assert consent.items == ("visits.basic",) and consent.recipient_client_id == world.app.client_id

    got = world.app.transfer("hospital", "visits")
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["columns"] == ["visit_date", "department"]
    # kim's two visits, and nothing of lee's or of the diagnosis column
    assert sorted(r["department"] for r in body["rows"]) == ["내과", "안과"]
    assert all(set(r) == {"visit_date", "department"} for r in body["rows"])
    assert body["ledger_index"] is not None

    parquet = world.app.transfer("hospital", "visits", format="parquet")
    assert parquet.headers["content-type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(parquet.content))
    assert table.column_names == ["visit_date", "department"] and table.num_rows == 2

    seen = world.app.introspect().json()
    assert seen["active"] is True and seen["consent_id"] == token["consent_id"]
    assert seen["cnf"]["jkt"] == world.app.dpop_key.thumbprint()


def test_the_consent_screen_shows_the_request_in_words(world: World) -> None:
    pushed = world.app.push(DETAILS, code_verifier=secrets.token_urlsafe(48))
    ref = pushed.json()["request_uri"].rsplit(":", 1)[1]
    browser = _browser(world, "kim@example.org")
    try:
        ko = browser.get(f"/oauth/consent/{ref}")
        en = browser.get(f"/oauth/consent/{ref}?lang=en")
    finally:
        browser.close()
    assert "건강 도우미" in ko.text and "서울병원" in ko.text and "진료 기본 정보" in ko.text
    assert "30일 동안" in ko.text and "철회" in ko.text and "진단명" not in ko.text
    assert "Visit basics" in en.text and "revoke" in en.text
    assert "form-action 'self' https://app.example" in ko.headers["content-security-policy"]


def test_decline_redirects_with_access_denied(world: World) -> None:
    pushed = world.app.push(DETAILS, code_verifier=secrets.token_urlsafe(48))
    where = approve_as(
        world.base,
        world.app.authorize_url(pushed.json()["request_uri"]),
        "kim@example.org",
        PASSWORD,
        decision="decline",
    )
    assert where.startswith(REDIRECT) and "error=access_denied" in where
    # the pushed request is used up
    assert (
        world.app.plain(
            "GET", world.app.authorize_url(pushed.json()["request_uri"]).removeprefix(world.base)
        ).status_code
        == 404
    )


def test_codes_are_single_use_and_a_replay_revokes_what_the_first_use_got(world: World) -> None:
    code, verifier = world.consent()
    assert world.app.exchange(code, code_verifier=verifier).status_code == 200
    assert world.app.transfer("hospital", "visits").status_code == 200
    again = world.app.exchange(code, code_verifier=verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert world.app.transfer("hospital", "visits").status_code == 401


def test_an_expired_code_is_refused(world: World) -> None:
    from dataclasses import replace

    before = world.platform.oauth.lifetimes
    world.platform.oauth.lifetimes = replace(before, code=0)
    try:
        code, verifier = world.consent()
    finally:
        world.platform.oauth.lifetimes = before
    got = world.app.exchange(code, code_verifier=verifier)
    assert got.status_code == 400 and got.json()["error"] == "invalid_grant"


def test_pkce_missing_plain_or_wrong_verifier_is_refused(world: World) -> None:
    missing = world.app.push(DETAILS, code_verifier=None, method=None)
    plain = world.app.push(DETAILS, code_verifier=secrets.token_urlsafe(48), method="plain")
    assert missing.status_code == 400 and plain.status_code == 400
    assert "S256" in plain.json()["error_description"]
    code, _ = world.consent()
    wrong = world.app.exchange(code, code_verifier=secrets.token_urlsafe(48))
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    absent = world.app.exchange(world.consent()[0], code_verifier=None)
    assert absent.status_code == 400


def test_redirect_uri_must_be_registered_and_match_at_the_token_endpoint(world: World) -> None:
    other = world.app.push(
        DETAILS, code_verifier=secrets.token_urlsafe(48), redirect_uri="https://evil.example/cb"
    )
    assert other.status_code == 400
    code, verifier = world.consent()
    got = world.app.exchange(code, code_verifier=verifier, redirect_uri="https://evil.example/cb")
    assert got.status_code == 400 and got.json()["error"] == "invalid_grant"


def test_authorize_only_takes_a_pushed_request(world: World) -> None:
    got = world.app.plain(
        "GET",
        "/oauth/authorize",
        params={"client_id": world.app.client_id, "response_type": "code"},
    )
    assert got.status_code == 422
    assert "pushed authorization request" in got.text


def test_dpop_missing_replayed_other_key_or_other_url_is_refused(world: World) -> None:
    code, verifier = world.consent()
    no_proof = world.app.exchange(code, code_verifier=verifier, dpop=None)
    assert no_proof.status_code == 400 and no_proof.json()["error"] == "invalid_dpop_proof"
    world.tokens()
    app, url = world.app, world.app.url(TRANSFER)
    access = app.token["access_token"]

    missing = app.call("GET", TRANSFER, proof=None)
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "invalid_dpop_proof"
    assert missing.headers["www-authenticate"].startswith("DPoP")

    proof = app.proof("GET", url, access_token=access)
    assert app.call("GET", TRANSFER, proof=proof).status_code == 200
    replayed = app.call("GET", TRANSFER, proof=proof)
    assert replayed.status_code == 401 and "already used" in replayed.json()["error"]["message"]

    other_key = app.call(
        "GET", TRANSFER, proof=app.proof("GET", url, access_token=access, key=new_key())
    )
    assert other_key.status_code == 401 and "another key" in other_key.json()["error"]["message"]

    other_url = app.call(
        "GET",
        TRANSFER,
        proof=app.proof("GET", app.url("/api/v1/mydata/transfers/hospital/x"), access_token=access),
    )
    assert other_url.status_code == 401

    bearer = app.call("GET", TRANSFER, headers={"Authorization": f"Bearer {access}"})
    assert bearer.status_code == 401 and bearer.json()["error"]["code"] == "invalid_token"


def test_items_or_datasets_beyond_the_consent_are_refused(world: World) -> None:
    world.tokens()
    more = world.app.transfer("hospital", "visits", items="visits.diagnosis")
    assert more.status_code == 403, more.text
    assert world.app.transfer("hospital", "other").status_code == 403
    assert world.app.transfer("apps", "visits").status_code == 403
    unknown = world.app.push(
        {**DETAILS, "items": ["visits.secret"]}, code_verifier=secrets.token_urlsafe(48)
    )
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_authorization_details"
    purpose = world.app.push(
        {**DETAILS, "purpose": "광고"}, code_verifier=secrets.token_urlsafe(48)
    )
    assert purpose.status_code == 400 and "declare" in purpose.json()["error_description"]


def test_refresh_tokens_rotate_and_reuse_revokes_the_family(world: World) -> None:
    first = world.tokens()
    rotated = world.app.refresh(str(first["refresh_token"]))
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert world.app.transfer("hospital", "visits").status_code == 200  # the new access token
    reuse = world.app.refresh(str(first["refresh_token"]))
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    assert world.app.transfer("hospital", "visits").status_code == 401  # family revoked
    assert world.app.refresh(str(second["refresh_token"])).status_code == 400


def test_revocation_then_the_next_call_fails(world: World) -> None:
    world.tokens()
    assert world.app.transfer("hospital", "visits").status_code == 200
    assert world.app.revoke().status_code == 200  # RFC 7009
    assert world.app.transfer("hospital", "visits").status_code == 401
    assert world.app.introspect().json() == {"active": False}


def test_the_persons_revocation_stops_the_very_next_call(world: World) -> None:
    token = world.tokens()
    kim = world.platform.accounts.principal_for("kim@example.org")
    world.platform.mydata.revoke(str(token["consent_id"]), by=kim)
    got = world.app.transfer("hospital", "visits")
    assert got.status_code == 403 and got.json()["error"]["code"] == "consent_not_active"


def test_the_recipient_revokes_its_consent(world: World) -> None:
    token = world.tokens()
    got = world.app.call("POST", "/api/v1/mydata/consent/revoke")
    assert got.status_code == 200 and got.json()["status"] == "revoked"
    with __import__("pytest").raises(Exception):
        world.platform.mydata.active_consent(str(token["consent_id"]))
    assert world.app.transfer("hospital", "visits").status_code == 401


def test_the_recipient_acknowledges_deleting_a_revoked_consents_data(world: World) -> None:
    token = world.tokens()
    consent_id = str(token["consent_id"])
    early = world.app.acknowledge_deletion(consent_id)
    assert early.status_code == 409  # still active: nothing to delete yet
    kim = world.platform.accounts.principal_for("kim@example.org")
    world.platform.mydata.revoke(consent_id, by=kim)
    unsigned = world.app.plain(
        "POST", "/api/v1/mydata/consent/deletion", data={"consent_id": consent_id}
    )
    assert unsigned.status_code == 401
    assert unsigned.json()["error"]["code"] == "not_authenticated"
    done = world.app.acknowledge_deletion(consent_id)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "revoked" and done.json()["deletion_acknowledged_at"]
    consent = world.platform.mydata.consent(consent_id, principal=kim)
    assert consent.deletion_acknowledged_at is not None and not consent.deletion_pending
    acks = [
        e["entry"]
        for e in world.platform.ledger.entries(0, 1000)
        if e["entry"]["type"] == "mydata.deletion.acknowledged"
    ]
    assert len(acks) == 1 and consent_id in str(acks[0])


def test_registration_by_rfc7591_needs_the_organisations_owner(world: World) -> None:
    from datanuri.accounts import SYSTEM
    from datanuri.cli.mydata_client import public_jwks

    acc = world.platform.accounts
    owner = acc.create_token(
        name="t", scopes=["read", "publish"], for_email="owner@example.org", principal=SYSTEM
    )[1]
    kim = acc.create_token(
        name="t", scopes=["read", "publish"], for_email="kim@example.org", principal=SYSTEM
    )[1]
    body = {
        "client_name": "두 번째 앱",
        "redirect_uris": ["https://two.example/cb"],
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks": public_jwks(new_key()),
        "organization": "apps",
        "purposes": ["연구"],
    }
    made = world.app.plain(
        "POST", "/oauth/register", json=body, headers={"Authorization": f"Bearer {owner}"}
    )
    assert made.status_code == 201, made.text
    assert made.json()["client_id"] and "client_secret" not in made.json()
    assert world.platform.oauth.client_info(made.json()["client_id"]).purposes == ["연구"]
    refused = world.app.plain(
        "POST", "/oauth/register", json=body, headers={"Authorization": f"Bearer {kim}"}
    )
    assert refused.status_code == 403
    private = {**body, "jwks": {"keys": [new_key().as_dict(private=True)]}}
    bad = world.app.plain(
        "POST", "/oauth/register", json=private, headers={"Authorization": f"Bearer {owner}"}
    )
    assert bad.status_code == 400, bad.text
    assert bad.json()["error"] == "invalid_client_metadata"


def _browser(world: World, email: str) -> Any:
    import httpx

    browser = httpx.Client(base_url=world.base)
    page = browser.get("/login")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    browser.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf})
    return browser


def test_an_owner_registers_an_app_in_the_console(world: World) -> None:
    import json

    from datanuri.cli.mydata_client import public_jwks

    browser = _browser(world, "owner@example.org")
    try:
        page = browser.get("/console/apps?lang=en")
        assert world.app.client_id in page.text
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        form = {
            "csrf_token": csrf,
            "name": "콘솔 앱",
            "organization": "apps",
            "purposes": "연구\n통계",
            "redirect_uris": "https://console.example/cb",
            "jwks": json.dumps(public_jwks(new_key())),
        }
        made = browser.post("/console/apps", data=form)
        assert made.status_code == 200 and 'id="app-made"' in made.text
        bad = browser.post("/console/apps", data={**form, "jwks": "not json"})
        assert bad.status_code == 422 and "jwks" in bad.text
    finally:
        browser.close()
    names = [
        a.name
        for a in world.platform.oauth.clients(
            world.platform.accounts.principal_for("owner@example.org")
        )
    ]
    assert names[0] == "건강 도우미" and "콘솔 앱" in names
