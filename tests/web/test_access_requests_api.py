"""Access requests through the REST API and the server-rendered pages: the scopes each route
declares, the holder's decisions, the requester's download after approval, and the forms'
error paths (CSRF, a refusal without a reason, a duplicate request)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from datanuri.accounts.principal import SYSTEM
from datanuri.web.auth import MSG_SCOPE
from tests.helpers import PASSWORD, air_csv
from tests.web.test_console_pages import login

PURPOSE = "미세먼지와 천식 입원의 관계를 분석하는 대학 연구에 씁니다."
KIM, ED, LEE = "kim@example.org", "ed@example.org", "lee@example.org"


@pytest.fixture
def world(platform: Any, tmp_path: Any) -> dict[str, str]:
    acc, cat = platform.accounts, platform.catalog
    acc.create_organization("org-a", title="기관 A", principal=SYSTEM)
    for email, name in ((KIM, "김민지"), (ED, "편집자"), (LEE, "이서연")):
        acc.create_user(email, display_name=name, password=PASSWORD, principal=SYSTEM)
    acc.add_member("org-a", ED, role="editor", principal=SYSTEM)
    cat.create_dataset(
        "air", organization="org-a", title="대기질", access_level="restricted", principal=SYSTEM
    )
    cat.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM)

    def token(email: str, scopes: list[str]) -> str:
        return acc.create_token(name="t", scopes=scopes, for_email=email, principal=SYSTEM)[1]

    return {
        "kim": token(KIM, ["read", "publish"]),
        "kim_read": token(KIM, ["read"]),
        "ed": token(ED, ["read", "publish"]),
        "lee": token(LEE, ["read", "publish"]),
    }


def _h(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_request_approve_download_over_the_api(api: TestClient, world: dict[str, str]) -> None:
    url = "/api/v1/datasets/air/versions/1/download?format=csv"
    assert api.get(url, headers=_h(world["kim"])).status_code == 403

    r = api.post(
        "/api/v1/datasets/air/access-requests",
        headers=_h(world["kim_read"]),
        json={"purpose": PURPOSE, "days": 30},
    )
    assert r.status_code == 403 and r.json()["error"]["message"] == MSG_SCOPE.format(
        scope="publish"
    )
    r = api.post(
        "/api/v1/datasets/air/access-requests",
        headers=_h(world["kim"]),
        json={"purpose": PURPOSE, "days": 30},
    )
    assert r.status_code == 201, r.text
    req = r.json()
    assert (req["status"], req["days"], req["requester"]) == ("pending", 30, "김민지")
    again = api.post(
        "/api/v1/datasets/air/access-requests",
        headers=_h(world["kim"]),
        json={"purpose": PURPOSE, "days": 30},
    )
    assert again.status_code == 409
    short = api.post(
        "/api/v1/datasets/air/access-requests", headers=_h(world["lee"]), json={"purpose": "연구"}
    )
    assert short.status_code == 422 and "at least 10" in short.json()["error"]["message"]

    mine = api.get("/api/v1/access-requests/mine", headers=_h(world["kim_read"])).json()
    assert [m["id"] for m in mine] == [req["id"]]
    listed = api.get("/api/v1/access-requests", headers=_h(world["ed"])).json()
    assert [x["id"] for x in listed] == [req["id"]] and listed[0]["purpose"] == PURPOSE
    assert api.get("/api/v1/access-requests", headers=_h(world["kim"])).status_code == 403
    notes = api.get("/api/v1/notifications", headers=_h(world["ed"])).json()
    assert notes["unread"] == 1 and "김민지" in notes["notifications"][0]["text_ko"]

    # Someone else's request is "not found" to a non-holder; a holder decides it.
    out = api.post(
        f"/api/v1/access-requests/{req['id']}/approve", headers=_h(world["lee"]), json={}
    )
    assert out.status_code == 404
    bad = api.post(
        f"/api/v1/access-requests/{req['id']}/refuse", headers=_h(world["ed"]), json={"reason": ""}
    )
    assert bad.status_code == 422
    ok = api.post(
        f"/api/v1/access-requests/{req['id']}/approve",
        headers=_h(world["ed"]),
        json={"reason": "승인"},
    )
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    assert ok.json()["entitlement_id"] is not None

    got = api.get(url, headers=_h(world["kim_read"]))
    assert got.status_code == 200 and "종로구" in got.content.decode("utf-8-sig")
    notes = api.get("/api/v1/notifications", headers=_h(world["kim"])).json()
    assert notes["unread"] == 1 and notes["notifications"][0]["link"] == "/datasets/air"
    again = api.post(
        f"/api/v1/access-requests/{req['id']}/refuse",
        headers=_h(world["ed"]),
        json={"reason": "늦었다"},
    )
    assert again.status_code == 409


def test_withdraw_over_the_api(api: TestClient, world: dict[str, str]) -> None:
    r = api.post(
        "/api/v1/datasets/air/access-requests", headers=_h(world["kim"]), json={"purpose": PURPOSE}
    ).json()
    assert r["days"] == 365
    assert (
        api.post(f"/api/v1/access-requests/{r['id']}/withdraw", headers=_h(world["ed"])).status_code
        == 403
    )
    w = api.post(f"/api/v1/access-requests/{r['id']}/withdraw", headers=_h(world["kim"]))
    assert w.status_code == 200 and w.json()["status"] == "withdrawn"
    assert api.get("/api/v1/access-requests", headers=_h(world["ed"])).json() == []
    anon = api.get("/api/v1/access-requests/mine")
    assert anon.status_code == 401


def test_the_pages_request_refuse_and_show_the_outcome(
    api: TestClient, world: dict[str, str]
) -> None:
    anon = api.get("/datasets/air")
    assert 'id="access-request-link"' in anon.text
    assert (
        api.get("/datasets/air/access-request", follow_redirects=False)
        .headers["location"]
        .startswith("/login?next=/datasets/air/access-request")
    )

    kim, kcsrf = login(api, KIM)
    form = kim.get("/datasets/air/access-request")
    assert form.status_code == 200 and 'id="access-request-form"' in form.text
    no_csrf = kim.post("/datasets/air/access-request", data={"purpose": PURPOSE, "days": "90"})
    assert no_csrf.status_code == 403
    short = kim.post(
        "/datasets/air/access-request", data={"purpose": "짧음", "days": "90", "csrf_token": kcsrf}
    )
    assert short.status_code == 422 and "이용 목적을 10자 이상" in short.text
    assert "짧음" in short.text  # the value is kept
    sent = kim.post(
        "/datasets/air/access-request",
        data={"purpose": PURPOSE, "days": "90", "csrf_token": kcsrf},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"].startswith("/account?")
    page = kim.get(sent.headers["location"])
    assert 'id="request-notice"' in page.text and "검토 중" in page.text
    assert 'id="pending-request"' in kim.get("/datasets/air/access-request").text

    ed, ecsrf = login(api, ED)
    home = ed.get("/")
    assert 'id="unread-notices"' in home.text  # the header counts the new request
    review = ed.get("/console/requests")
    assert review.status_code == 200 and PURPOSE in review.text
    rid = review.text.split('data-request-id="')[1].split('"')[0]
    empty = ed.post(f"/console/requests/{rid}/refuse", data={"reason": " ", "csrf_token": ecsrf})
    assert empty.status_code == 422 and "거절 사유를 적으세요" in empty.text
    done = ed.post(
        f"/console/requests/{rid}/refuse",
        data={"reason": "연구 계획서가 필요합니다", "csrf_token": ecsrf},
    )
    assert done.status_code == 200 and 'id="decision-notice"' in done.text

    page = kim.get("/account")
    assert "거절됨" in page.text and "연구 계획서가 필요합니다" in page.text
    assert 'id="unread-count"' in page.text
    kim.post("/account/notifications/read", data={"csrf_token": kcsrf})
    assert 'id="unread-count"' not in kim.get("/account").text

    lee, _ = login(api, LEE)
    assert lee.get("/console/requests").status_code == 403
    english = kim.get("/account?lang=en").text
    assert "My access requests" in english and "refused" in english and "거절됨" not in english
    assert "Recent decisions" in ed.get("/console/requests?lang=en").text
    form = lee.get("/datasets/air/access-request?lang=en").text
    assert "Send the request" in form and "이용 목적" not in form
