"""The publisher console and tokens pages, server side: who may see and change what, CSRF on
every form, and the form error paths (values kept, errors named)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from datanuri.accounts.principal import SYSTEM
from datanuri.web import ui_text
from datanuri.web.routes_pages import safe_next
from tests.helpers import PASSWORD, air_csv

KIM, LEE, PARK = "kim@example.org", "lee@example.org", "park@example.org"


@pytest.fixture
def world(platform: Any) -> Any:
    """org-a (kim edits, lee is a plain member) and org-b (park edits), with a dataset or two each."""
    cat, acc = platform.catalog, platform.accounts
    acc.create_organization("org-a", title="기관 A", principal=SYSTEM)
    acc.create_organization("org-b", title="기관 B", principal=SYSTEM)
    for email, name in ((KIM, "김민지"), (LEE, "이서연"), (PARK, "박지훈")):
        acc.create_user(email, display_name=name, password=PASSWORD, principal=SYSTEM)
    acc.add_member("org-a", KIM, role="editor", principal=SYSTEM)
    acc.add_member("org-a", LEE, role="member", principal=SYSTEM)
    acc.add_member("org-b", PARK, role="editor", principal=SYSTEM)
    cat.create_dataset(
        "a-open", organization="org-a", title="A 공개", access_level="open", principal=SYSTEM
    )
    cat.create_dataset(
        "a-personal",
        organization="org-a",
        title="A 개인",
        access_level="personal",
        principal=SYSTEM,
    )
    cat.create_dataset(
        "b-open", organization="org-b", title="B 공개", access_level="open", principal=SYSTEM
    )
    return platform


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def login(api: TestClient, email: str) -> tuple[TestClient, str]:
    """A fresh browser (own cookies) logged in as `email`; returns it and its session CSRF token."""
    client = TestClient(api.app, raise_server_exceptions=False)
    page = client.get("/login")
    client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    )
    return client, csrf_of(client.get("/account").text)


def new_form(**over: str) -> dict[str, str]:
    return {
        "organization": "org-a",
        "name": "a-new",
        "title": "새 데이터",
        "description": "설명",
        "theme": "환경",
        "license": "KOGL-1",
        "keywords": "대기, 시험",
        "access_level": "restricted",
        **over,
    }


# ----- who may see what -------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/console", "/console/new", "/console/datasets/a-open"])
def test_anonymous_visitors_are_sent_to_login_and_back(
    api: TestClient, world: Any, path: str
) -> None:
    r = api.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next={path}&lang=ko"
    page = api.get(r.headers["location"])
    done = api.post(
        "/login",
        data={"email": KIM, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"{path}?lang=ko"


def test_anonymous_posts_change_nothing(api: TestClient, world: Any) -> None:
    r = api.post("/console/new", data=new_form(), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/console/new")
    r = api.post(
        "/console/datasets/a-open/access",
        data={"access_level": "restricted"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert world.catalog.get_dataset("a-open", principal=SYSTEM).access_level == "open"
    assert "a-new" not in {d.name for d in world.catalog.list_datasets(principal=SYSTEM)}


def test_a_plain_login_forgets_an_old_target(api: TestClient, world: Any) -> None:
    api.get("/login?next=/console")
    page = api.get("/login")  # the visitor came back later, on their own
    done = api.post(
        "/login",
        data={"email": KIM, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/account?lang=ko"


@pytest.mark.parametrize(
    "value",
    ["//evil.example/x", "https://evil.example/", "/\\evil", "/a/../../b", "console", "/x?y=1", ""],
)
def test_login_never_redirects_off_site(value: str) -> None:
    assert safe_next(value) is None
    assert safe_next("/console/datasets/a-open") == "/console/datasets/a-open"


def test_editor_sees_only_the_datasets_of_organisations_they_edit(
    api: TestClient, world: Any
) -> None:
    kim, _ = login(api, KIM)
    page = kim.get("/console")
    assert page.status_code == 200
    listed = set(re.findall(r'<tr data-name="([^"]+)"', page.text))
    assert listed == {"a-open", "a-personal"}
    park, _ = login(api, PARK)
    assert set(re.findall(r'<tr data-name="([^"]+)"', park.get("/console").text)) == {"b-open"}
    # The organisation choice on the new-dataset form is limited to one's own.
    options = re.findall(r'<option value="(org-[ab])"', kim.get("/console/new").text)
    assert options == ["org-a"]


def test_member_who_is_not_an_editor_gets_an_explanation_and_no_console(
    api: TestClient, world: Any
) -> None:
    lee, csrf = login(api, LEE)
    page = lee.get("/console")
    assert page.status_code == 200 and 'id="not-editor"' in page.text
    assert ui_text.MSG_NOT_EDITOR[0] in page.text
    assert 'id="new-dataset"' not in page.text
    assert lee.get("/console/new").status_code == 403
    refused = lee.post("/console/new", data={**new_form(), "csrf_token": csrf})
    assert refused.status_code == 403
    assert "a-new" not in {d.name for d in world.catalog.list_datasets(principal=SYSTEM)}
    assert lee.get("/console/datasets/a-open").status_code == 403
    r = lee.post(
        "/console/datasets/a-open/access", data={"access_level": "restricted", "csrf_token": csrf}
    )
    assert r.status_code == 403
    r = lee.post("/console/datasets/a-open/details", data={"title": "바뀜", "csrf_token": csrf})
    assert r.status_code == 403
    ds = world.catalog.get_dataset("a-open", principal=SYSTEM)
    assert (ds.access_level, ds.title) == ("open", "A 공개")
    # The upload the console's script makes is refused as well.
    up = lee.post(
        "/api/v1/datasets/a-open/versions",
        headers={"x-csrf-token": csrf},
        files={"file": ("a.csv", b"x,y\n1,2\n", "text/csv")},
    )
    assert up.status_code == 403


def test_other_organisations_datasets_cannot_be_managed(api: TestClient, world: Any) -> None:
    park, csrf = login(api, PARK)
    assert park.get("/console/datasets/a-open").status_code == 403
    assert (
        park.post(
            "/console/datasets/a-open/access",
            data={"access_level": "restricted", "csrf_token": csrf},
        ).status_code
        == 403
    )
    assert world.catalog.get_dataset("a-open", principal=SYSTEM).access_level == "open"


def test_manage_link_on_the_public_page_is_for_editors_only(api: TestClient, world: Any) -> None:
    kim, _ = login(api, KIM)
    lee, _ = login(api, LEE)
    assert 'id="manage-link"' in kim.get("/datasets/a-open").text
    assert 'id="manage-link"' not in lee.get("/datasets/a-open").text
    assert 'id="manage-link"' not in api.get("/datasets/a-open").text
    assert (
        'href="/console?lang=ko"' in kim.get("/datasets/a-open").text
    )  # the nav link for logged-in users
    assert 'href="/console?lang=ko"' not in api.get("/datasets/a-open").text


# ----- CSRF -----------------------------------------------------------------------------------
def test_every_console_and_token_form_needs_the_csrf_token(api: TestClient, world: Any) -> None:
    kim, csrf = login(api, KIM)
    for data in ({}, {"csrf_token": "wrong"}):
        assert kim.post("/console/new", data={**new_form(), **data}).status_code == 403
        assert (
            kim.post(
                "/console/datasets/a-open/access",
                data={"access_level": "restricted", "confirm": "yes", **data},
            ).status_code
            == 403
        )
        assert (
            kim.post("/console/datasets/a-open/details", data={"title": "바뀜", **data}).status_code
            == 403
        )
        assert (
            kim.post(
                "/account/tokens", data={"name": "t", "scopes": "read", "expiry": "30", **data}
            ).status_code
            == 403
        )
    assert "a-new" not in {d.name for d in world.catalog.list_datasets(principal=SYSTEM)}
    ds = world.catalog.get_dataset("a-open", principal=SYSTEM)
    assert (ds.access_level, ds.title) == ("open", "A 공개")
    me = world.accounts.principal_for(KIM)
    assert world.accounts.list_tokens(principal=me) == []
    token, _ = world.accounts.create_token(name="t", for_email=KIM, principal=SYSTEM)
    assert (
        kim.post(f"/account/tokens/{token.id}/revoke", data={"confirm": "yes"}).status_code == 403
    )
    assert not world.accounts.list_tokens(principal=me)[0].revoked
    # The CSRF refusal is a page in the browser's language, not JSON.
    r = kim.post("/console/new?lang=en", data=new_form())
    assert r.headers["content-type"].startswith("text/html") and '<html lang="en">' in r.text


# ----- the new-dataset form -----------------------------------------------------------------------
def test_create_a_dataset(api: TestClient, world: Any) -> None:
    kim, csrf = login(api, KIM)
    r = kim.post("/console/new", data={**new_form(), "csrf_token": csrf}, follow_redirects=False)
    assert (
        r.status_code == 303
        and r.headers["location"] == "/console/datasets/a-new?saved=created&lang=ko"
    )
    ds = world.catalog.get_dataset("a-new", principal=SYSTEM)
    assert (
        ds.organization,
        ds.title,
        ds.description,
        ds.theme,
        ds.license,
        ds.keywords,
        ds.access_level,
    ) == ("org-a", "새 데이터", "설명", "환경", "KOGL-1", ("대기", "시험"), "restricted")
    page = kim.get(r.headers["location"])
    assert ui_text.MSG_CREATED[0] in page.text and 'id="upload-form"' in page.text


@pytest.mark.parametrize(
    ("over", "status", "field", "message"),
    [
        ({"name": "Bad Name!"}, 422, "name", ui_text.MSG_NAME_BAD),
        ({"name": "a-open"}, 409, "name", ui_text.MSG_NAME_TAKEN),
        ({"title": "  "}, 422, "title", ui_text.MSG_TITLE_EMPTY),
        ({"organization": "org-b"}, 422, "organization", ui_text.MSG_ORG_CHOOSE),
        ({"organization": "no-such-org"}, 422, "organization", ui_text.MSG_ORG_CHOOSE),
    ],
)
def test_new_dataset_form_errors_keep_the_values(
    api: TestClient,
    world: Any,
    over: dict[str, str],
    status: int,
    field: str,
    message: tuple[str, str],
) -> None:
    kim, csrf = login(api, KIM)
    before = {d.name for d in world.catalog.list_datasets(principal=SYSTEM)}
    r = kim.post("/console/new", data={**new_form(**over), "csrf_token": csrf})
    assert r.status_code == status
    assert f'<p class="field-error" id="{field}-error">{message[0]}</p>' in r.text
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', r.text)
    assert 'id="form-error"' in r.text and 'role="alert"' in r.text
    if field != "title":
        assert 'value="새 데이터"' in r.text  # what was typed is kept
    assert 'value="대기, 시험"' in r.text
    assert '<option value="환경" selected>' in r.text
    assert {d.name for d in world.catalog.list_datasets(principal=SYSTEM)} == before
    en = kim.post("/console/new?lang=en", data={**new_form(**over), "csrf_token": csrf})
    assert message[1] in en.text


# ----- access level and details ---------------------------------------------------------------------
def test_access_level_changes_and_opening_asks_first(api: TestClient, world: Any) -> None:
    kim, csrf = login(api, KIM)
    r = kim.post(
        "/console/datasets/a-open/access",
        data={"access_level": "restricted", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "saved=access" in r.headers["location"]
    assert world.catalog.get_dataset("a-open", principal=SYSTEM).access_level == "restricted"
    ask = kim.post(
        "/console/datasets/a-open/access", data={"access_level": "open", "csrf_token": csrf}
    )
    assert (
        ask.status_code == 200
        and 'id="confirm-open"' in ask.text
        and ui_text.MSG_CONFIRM_OPEN[0] in ask.text
    )
    assert world.catalog.get_dataset("a-open", principal=SYSTEM).access_level == "restricted"
    r = kim.post(
        "/console/datasets/a-open/access",
        data={"access_level": "open", "confirm": "yes", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert world.catalog.get_dataset("a-open", principal=SYSTEM).access_level == "open"
    changes = [
        e["entry"]["data"]
        for e in world.ledger.entries(0, world.ledger.size())
        if e["entry"]["type"] == "dataset.access.changed"
        and e["entry"]["subject"] == "dataset:a-open"
    ]
    assert changes == [{"from": "open", "to": "restricted"}, {"from": "restricted", "to": "open"}]


@pytest.mark.parametrize("level", ["open", "restricted"])
def test_personal_dataset_is_not_opened_here(api: TestClient, world: Any, level: str) -> None:
    kim, csrf = login(api, KIM)
    page = kim.get("/console/datasets/a-personal")
    assert (
        'id="access-form"' not in page.text
        and 'href="/console/datasets/a-personal/deidentify?lang=ko"' in page.text
    )
    r = kim.post(
        "/console/datasets/a-personal/access",
        data={"access_level": level, "confirm": "yes", "csrf_token": csrf},
    )
    assert r.status_code == 422 and ui_text.MSG_PERSONAL_STAYS[0] in r.text
    assert world.catalog.get_dataset("a-personal", principal=SYSTEM).access_level == "personal"


def test_bad_access_level_and_details_errors(api: TestClient, world: Any) -> None:
    kim, csrf = login(api, KIM)
    r = kim.post(
        "/console/datasets/a-open/access", data={"access_level": "public", "csrf_token": csrf}
    )
    assert r.status_code == 422 and 'id="access-error"' in r.text
    r = kim.post(
        "/console/datasets/a-open/details",
        data={"title": " ", "description": "새 설명", "csrf_token": csrf},
    )
    assert r.status_code == 422 and ui_text.MSG_TITLE_EMPTY[0] in r.text and "새 설명" in r.text
    r = kim.post(
        "/console/datasets/a-open/details",
        data={"title": "A 새 제목", "description": "새 설명", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    ds = world.catalog.get_dataset("a-open", principal=SYSTEM)
    assert (ds.title, ds.description, ds.access_level) == ("A 새 제목", "새 설명", "open")
    assert kim.get("/console/datasets/no-such").status_code == 404


def test_the_consoles_upload_path_publishes_with_the_session(
    api: TestClient, world: Any, tmp_path: Any
) -> None:
    """What console.js does: multipart upload with the session cookie and x-csrf-token, then the job."""
    kim, csrf = login(api, KIM)
    page = kim.get("/console/datasets/a-open")
    assert (
        f'data-csrf="{csrf}"' in page.text
        and 'role="progressbar"' in page.text
        and 'aria-live="polite"' in page.text
    )
    body = air_csv(tmp_path / "air.csv").read_bytes()
    assert (
        kim.post("/api/v1/datasets/a-open/versions", files={"file": ("air.csv", body)}).status_code
        == 403
    )  # no header
    r = kim.post(
        "/api/v1/datasets/a-open/versions",
        headers={"x-csrf-token": csrf},
        files={"file": ("air.csv", body)},
        data={"change_note": "처음", "mode": "lenient"},
    )
    assert r.status_code == 202
    job_url = r.json()["status_url"]
    deadline = time.monotonic() + 60
    while (job := kim.get(job_url).json())["status"] not in (
        "succeeded",
        "failed",
    ) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job["status"] == "succeeded" and job["fraction"] == 1.0
    number = job["result"]["version"]["number"]
    problems = kim.get(f"/api/v1/datasets/a-open/versions/{number}/problems").json()
    assert problems["count"] == job["result"]["version"]["problem_count"]
    listed = kim.get("/console/datasets/a-open").text
    assert 'id="versions-table"' in listed and "처음" in listed


# ----- tokens ------------------------------------------------------------------------------------------
def test_tokens_created_once_listed_and_revoked_after_confirmation(
    api: TestClient, world: Any
) -> None:
    kim, csrf = login(api, KIM)
    assert 'id="no-tokens"' in kim.get("/account").text
    r = kim.post(
        "/account/tokens",
        data={
            "name": "야간 스크립트",
            "scopes": ["read", "publish"],
            "expiry": "30",
            "csrf_token": csrf,
        },
    )
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    shown = re.search(r'id="token-secret" type="text" readonly value="([^"]+)"', r.text)
    assert shown, "the new token's secret is not on the page"
    secret = shown.group(1)
    assert ui_text.MSG_TOKEN_ONCE[0] in r.text
    me = world.accounts.resolve_token(secret)
    assert me.email == KIM and me.scopes == frozenset({"read", "publish"})
    listing = kim.get("/account")
    assert secret not in listing.text and "야간 스크립트" in listing.text
    info = world.accounts.list_tokens(principal=me)[0]
    assert info.expires_at is not None
    ask = kim.post(f"/account/tokens/{info.id}/revoke", data={"csrf_token": csrf})
    assert ask.status_code == 200 and 'id="confirm-revoke"' in ask.text
    assert not world.accounts.list_tokens(principal=me)[0].revoked
    done = kim.post(
        f"/account/tokens/{info.id}/revoke",
        data={"csrf_token": csrf, "confirm": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert world.accounts.list_tokens(principal=me)[0].revoked
    assert ui_text.MSG_TOKEN_REVOKED[0] in kim.get(done.headers["location"]).text


def test_token_form_errors_and_other_peoples_tokens(api: TestClient, world: Any) -> None:
    kim, csrf = login(api, KIM)
    r = kim.post("/account/tokens", data={"name": "이름", "expiry": "30", "csrf_token": csrf})
    assert (
        r.status_code == 422 and ui_text.MSG_SCOPES_CHOOSE[0] in r.text and 'value="이름"' in r.text
    )
    r = kim.post(
        "/account/tokens", data={"name": "", "scopes": "read", "expiry": "30", "csrf_token": csrf}
    )
    assert r.status_code == 422 and ui_text.MSG_TOKEN_NAME_EMPTY[0] in r.text
    r = kim.post(
        "/account/tokens",
        data={"name": "x", "scopes": "read", "expiry": "9999", "csrf_token": csrf},
    )
    assert r.status_code == 422
    r = kim.post(
        "/account/tokens",
        data={"name": "영원", "scopes": "read", "expiry": "never", "csrf_token": csrf},
    )
    assert r.status_code == 200
    assert (
        world.accounts.list_tokens(principal=world.accounts.principal_for(KIM))[0].expires_at
        is None
    )
    theirs, _ = world.accounts.create_token(name="lee's", for_email=LEE, principal=SYSTEM)
    r = kim.post(f"/account/tokens/{theirs.id}/revoke", data={"csrf_token": csrf, "confirm": "yes"})
    assert r.status_code == 404
    assert not world.accounts.list_tokens(principal=world.accounts.principal_for(LEE))[0].revoked
    assert "lee's" not in kim.get("/account").text


def test_console_pages_in_english(api: TestClient, world: Any) -> None:
    kim, _ = login(api, KIM)
    for path, words in (
        ("/console?lang=en", ["Publish", "New dataset", "Latest version"]),
        (
            "/console/new?lang=en",
            ["Create a dataset", ui_text.MSG_NAME_RULE[1].replace("'", "&#39;")],
        ),
        ("/console/datasets/a-open?lang=en", ["Upload a new version", "Access level", "Lenient"]),
        ("/account?lang=en", ["API keys", "Issue the key"]),
    ):
        page = kim.get(path)
        assert page.status_code == 200 and '<html lang="en">' in page.text
        for w in words:
            assert w in page.text, (path, w)
