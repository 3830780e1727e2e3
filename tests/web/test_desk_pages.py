"""The request desk's pages, server side (TestClient over the real service): the empty search's
link, filing through the preview, the list's filters and order, who sees a request's purpose,
the statistics page, and who may use the console and its forms (CSRF on every form)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from datanuri.accounts.principal import SYSTEM
from datanuri.desk.service import Provide, RequestDraft
from tests.helpers import PASSWORD, air_csv
from tests.web.test_console_pages import login

KIM, LEE, ED, OWNER_B, ADMIN = (
    "kim@example.org",
    "lee@example.org",
    "ed@example.org",
    "owner-b@example.org",
    "admin@example.org",
)
PURPOSE = "전기차 충전 수요를 분석해 충전소 추가 설치 위치를 제안하는 연구에 씁니다."


@pytest.fixture
def world(platform: Any, tmp_path: Any) -> Any:
    """org-a (ed edits it, publishes `air`), org-b (owner-b owns it), the requester kim, another
    user lee and an admin."""
    acc, cat = platform.accounts, platform.catalog
    acc.create_organization("org-a", title="기관 A", principal=SYSTEM)
    acc.create_organization("org-b", title="기관 B", principal=SYSTEM)
    for email, name in (
        (KIM, "김민지"),
        (LEE, "이서연"),
        (ED, "박편집"),
        (OWNER_B, "최소유"),
    ):
        acc.create_user(email, display_name=name, password=PASSWORD, principal=SYSTEM)
    acc.create_user(
        ADMIN, display_name="관리자", password=PASSWORD, platform_role="admin", principal=SYSTEM
    )
    acc.add_member("org-a", ED, role="editor", principal=SYSTEM)
    acc.add_member("org-b", OWNER_B, role="owner", principal=SYSTEM)
    cat.create_dataset(
        "air",
        organization="org-a",
        title="전기차 충전소 대기질",
        keywords=["전기차", "충전소"],
        theme="환경",
        access_level="open",
        principal=SYSTEM,
    )
    cat.publish("air", air_csv(tmp_path / "air.csv"), principal=SYSTEM)
    return platform


def _me(platform: Any, email: str) -> Any:
    return platform.accounts.principal_for(email)


def _file(platform: Any, title: str, *, org: str | None = "org-a", **over: Any) -> int:
    who = over.pop("who", KIM)
    draft = RequestDraft(
        title=title,
        description=over.pop("description", "시간대별 이용 건수와 충전량이 필요합니다."),
        purpose=over.pop("purpose", PURPOSE),
        organization=org,
        **over,
    )
    return int(platform.desk.file(draft, principal=_me(platform, who)).request.id)


def _csrf(client: TestClient, path: str = "/requests/new") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def _form(**over: Any) -> dict[str, Any]:
    return {
        "title": "전기차 충전소 시간대별 이용량",
        "description": "서울 공공 충전소의 시간대별 이용 건수와 충전량",
        "purpose": PURPOSE,
        "theme": "교통",
        "region": "11",
        "formats": ["csv"],
        "frequency": "",
        **over,
    }


# ----- from an empty search to a filed request ------------------------------------------------------
def test_empty_search_links_to_a_prefilled_form(api: TestClient, world: Any) -> None:
    page = api.get("/search?q=드론배송경로")
    link = re.search(r'id="request-data"[^>]*>.*?href="([^"]+)"', page.text, re.S)
    assert link, "an empty search offers the request link"
    href = link.group(1).replace("&amp;", "&")
    assert urlsplit(href).path == "/requests/new"
    assert parse_qs(urlsplit(href).query)["title"] == ["드론배송경로"]
    # a search with results does not offer it
    assert 'id="request-data"' not in api.get("/search?q=충전소").text

    anon = api.get(href)
    assert anon.status_code == 200 and 'id="login-to-request"' in anon.text
    assert 'id="desk-request-form"' not in anon.text
    kim, _ = login(api, KIM)
    form = kim.get(href)
    assert 'id="desk-request-form"' in form.text and 'value="드론배송경로"' in form.text


def test_preview_then_file(api: TestClient, world: Any) -> None:
    kim, csrf = login(api, KIM)
    no_csrf = kim.post("/requests/new", data={**_form(), "step": "preview"})
    assert no_csrf.status_code == 403

    preview = kim.post("/requests/new", data={**_form(), "step": "preview", "csrf_token": csrf})
    assert preview.status_code == 200
    assert 'id="suggested-datasets"' in preview.text and 'id="suggested-holders"' in preview.text
    assert 'id="desk-file-form"' in preview.text
    # the draft travels in the confirm form, formats included
    assert 'name="formats" value="csv"' in preview.text and 'value="11"' in preview.text
    assert world.desk.find(_filter(), principal=SYSTEM).total == 0  # nothing filed yet

    edit = kim.post("/requests/new", data={**_form(), "step": "edit", "csrf_token": csrf})
    assert 'id="desk-request-form"' in edit.text and "시간대별 이용량" in edit.text

    filed = kim.post(
        "/requests/new",
        data={**_form(), "step": "file", "organization": "org-a", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert filed.status_code == 303
    target = filed.headers["location"]
    rid = int(re.search(r"/requests/(\d+)\?", target).group(1))  # type: ignore[union-attr]
    page = kim.get(target)
    assert 'id="desk-notice"' in page.text and PURPOSE in page.text
    info = world.desk.get(rid, principal=SYSTEM)
    assert info.status == "routed" and info.organization == "org-a"
    assert info.formats == ("csv",) and info.region == "11" and info.theme == "교통"
    assert 'id="due-on"' in page.text  # routed at once: the deadline is shown

    # the service's text rules are said before the preview, in Korean, the values kept
    short = kim.post(
        "/requests/new", data={**_form(purpose="연구"), "step": "preview", "csrf_token": csrf}
    )
    assert short.status_code == 422 and 'id="request-error"' in short.text
    assert "이용 목적" in short.text.split('id="request-error"')[1].split("</p>")[0]
    assert 'id="desk-file-form"' not in short.text and "시간대별 이용량" in short.text
    # a bad choice comes back with the values kept
    bad = kim.post(
        "/requests/new", data={**_form(theme="없는주제"), "step": "preview", "csrf_token": csrf}
    )
    assert bad.status_code == 422 and 'id="request-error"' in bad.text
    assert "시간대별 이용량" in bad.text


def _filter(**kw: Any) -> Any:
    from datanuri.desk.service import RequestFilter

    return RequestFilter(**kw)


# ----- a request's page: who sees the purpose, the buttons -------------------------------------------
def test_purpose_only_for_requester_holder_and_admins(api: TestClient, world: Any) -> None:
    rid = _file(world, "전기차 충전소 시간대별 이용량")
    path = f"/requests/{rid}"
    anon = api.get(path)
    assert anon.status_code == 200 and "충전소 시간대별 이용량" in anon.text
    assert PURPOSE not in anon.text and 'id="request-purpose"' not in anon.text
    assert "김민지" not in anon.text  # the requester's name is masked for others

    for email in (LEE, OWNER_B):
        other, _ = login(api, email)
        text = other.get(path).text
        assert PURPOSE not in text and "김민지" not in text
        assert 'id="support"' in text  # others may say "me too"
        assert 'id="withdraw"' not in text
    for email in (KIM, ED, ADMIN):
        who, _ = login(api, email)
        text = who.get(path).text
        assert PURPOSE in text, email
    kim_text = login(api, KIM)[0].get(path).text
    assert 'id="withdraw"' in kim_text and 'id="support"' not in kim_text
    assert 'id="console-link"' in login(api, ED)[0].get(path).text
    assert 'id="history"' in anon.text and 'data-action="filed"' in anon.text


def test_me_too_and_withdraw(api: TestClient, world: Any) -> None:
    rid = _file(world, "공영주차장 실시간 빈자리")
    lee, lcsrf = login(api, LEE)
    assert lee.post(f"/requests/{rid}/support", data={}).status_code == 403  # no CSRF
    done = lee.post(f"/requests/{rid}/support", data={"csrf_token": lcsrf})
    assert done.status_code == 200 and 'id="desk-notice"' in done.text
    assert 'id="unsupport"' in done.text
    assert world.desk.get(rid, principal=SYSTEM).supporters == 2

    kim, kcsrf = login(api, KIM)
    gone = kim.post(f"/requests/{rid}/withdraw", data={"csrf_token": kcsrf})
    assert gone.status_code == 200 and 'data-status="withdrawn"' in gone.text
    # someone else's request cannot be withdrawn
    other = _file(world, "버스 정류장 승하차 인원")
    assert lee.post(f"/requests/{other}/withdraw", data={"csrf_token": lcsrf}).status_code == 403


# ----- the list -------------------------------------------------------------------------------------
def test_list_filters_and_order(api: TestClient, world: Any) -> None:
    a = _file(world, "따릉이 대여소별 대여 건수", theme="교통")
    b = _file(world, "미세먼지 측정소 시간별 자료", theme="환경", org=None)
    for email in (LEE, ED):
        world.desk.support(b, principal=_me(world, email))

    page = api.get("/requests").text
    assert f'data-request-id="{a}"' in page and f'data-request-id="{b}"' in page
    assert page.index(f'data-request-id="{b}"') < page.index(f'data-request-id="{a}"')  # newest

    routed = api.get("/requests?status=routed").text
    assert f'data-request-id="{a}"' in routed and f'data-request-id="{b}"' not in routed
    assert re.search(rf'data-request-id="{a}".*?badge deadline', routed, re.S)  # D-n
    env = api.get("/requests?theme=환경").text
    assert f'data-request-id="{b}"' in env and f'data-request-id="{a}"' not in env

    wanted = api.get("/requests?sort=wanted").text
    assert wanted.index(f'data-request-id="{b}"') < wanted.index(f'data-request-id="{a}"')
    newest_first = _file(world, "공공자전거 고장 신고")
    wanted = api.get("/requests?sort=wanted").text
    assert wanted.index(f'data-request-id="{b}"') < wanted.index(
        f'data-request-id="{newest_first}"'
    )

    mine_anon = api.get("/requests?mine=1", follow_redirects=False)
    assert mine_anon.status_code == 303 and mine_anon.headers["location"].startswith("/login")
    lee, _ = login(api, LEE)
    mine = lee.get("/requests?mine=1").text
    assert f'data-request-id="{b}"' in mine and f'data-request-id="{a}"' not in mine

    english = api.get("/requests?lang=en").text
    assert "With the holder" in english and "처리 중" not in english


def test_stats_page(api: TestClient, world: Any) -> None:
    empty = api.get("/requests/stats")
    assert empty.status_code == 200 and 'id="stat-total"' in empty.text
    a = _file(world, "따릉이 대여소별 대여 건수", theme="교통")
    _file(world, "시내버스 노선별 승차 인원", theme="교통")
    world.desk.support(a, principal=_me(world, LEE))
    page = api.get("/requests/stats").text
    total = re.search(r'id="stat-total">([^<]+)<', page)
    assert total and total.group(1).strip() == "2"
    assert re.search(r'<tr data-key="교통">.*?<td class="num">2</td>', page, re.S)
    assert 'id="most-wanted"' in page and f'data-request-id="{a}"' in page
    assert PURPOSE not in page
    assert "By theme" in api.get("/requests/stats?lang=en").text


# ----- the console ------------------------------------------------------------------------------------
def test_console_who_may_see_it(api: TestClient, world: Any) -> None:
    routed = _file(world, "따릉이 대여소별 대여 건수")
    unrouted = _file(world, "하천 수위 관측 자료", org=None)

    anon = api.get("/console/desk", follow_redirects=False)
    assert anon.status_code == 303 and anon.headers["location"].startswith("/login")
    lee, _ = login(api, LEE)
    assert lee.get("/console/desk").status_code == 403  # no organisation, not an admin

    ed, _ = login(api, ED)
    page = ed.get("/console/desk").text
    assert f'id="request-{routed}"' in page and PURPOSE in page
    assert 'class="badge deadline' in page and "due-on" in page
    assert f'id="request-{unrouted}"' not in page and 'id="unrouted-h"' not in page

    owner_b, _ = login(api, OWNER_B)
    assert f'id="request-{routed}"' not in owner_b.get("/console/desk").text

    admin, _ = login(api, ADMIN)
    board = admin.get("/console/desk").text
    assert f'id="request-{unrouted}"' in board and "route-form" in board
    assert 'id="disputes-h"' in board


def test_console_answers_and_routes(api: TestClient, world: Any) -> None:
    rid = _file(world, "따릉이 대여소별 대여 건수")
    owner_b, bcsrf = login(api, OWNER_B)
    other = owner_b.post(
        f"/console/desk/{rid}/answer",
        data={"kind": "provide", "dataset": "air", "csrf_token": bcsrf},
    )
    assert other.status_code == 403  # another organisation's owner may not answer

    ed, csrf = login(api, ED)
    assert ed.post(f"/console/desk/{rid}/answer", data={"kind": "provide"}).status_code == 403
    missing = ed.post(f"/console/desk/{rid}/answer", data={"kind": "provide", "csrf_token": csrf})
    assert missing.status_code == 422 and 'id="desk-error"' in missing.text
    done = ed.post(
        f"/console/desk/{rid}/answer",
        data={"kind": "provide", "dataset": "air", "note": "이미 공개했습니다", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "done=answer-provide" in done.headers["location"]
    info = world.desk.get(rid, principal=SYSTEM)
    assert info.status == "provided" and info.answer and info.answer.dataset == "air"

    kim, _ = login(api, KIM)
    page = kim.get(f"/requests/{rid}").text
    assert 'id="answer"' in page and 'href="/datasets/air?' in page and "이미 공개했습니다" in page
    assert 'id="unread-notices"' in page  # the requester was notified

    unrouted = _file(world, "하천 수위 관측 자료", org=None)
    admin, acsrf = login(api, ADMIN)
    routed = admin.post(
        f"/console/desk/{unrouted}/route",
        data={"organization": "org-b", "csrf_token": acsrf},
        follow_redirects=False,
    )
    assert routed.status_code == 303
    assert world.desk.get(unrouted, principal=SYSTEM).organization == "org-b"
    assert f'id="request-{unrouted}"' in owner_b.get("/console/desk").text
    ed_route = ed.post(
        f"/console/desk/{unrouted}/route", data={"organization": "org-a", "csrf_token": csrf}
    )
    assert ed_route.status_code == 403  # routing is the admins'


def test_refuse_extend_dispute_decide(api: TestClient, world: Any) -> None:
    from datanuri.desk import rules

    rid = _file(world, "개인별 진료 기록 원자료")
    ed, csrf = login(api, ED)
    ext = ed.post(
        f"/console/desk/{rid}/extend",
        data={"reason": "자료 확인에 시간이 걸립니다", "csrf_token": csrf},
    )
    assert ext.status_code == 200 and world.desk.get(rid, principal=SYSTEM).extended
    assert f'action="/console/desk/{rid}/extend' not in ext.text  # once only
    reason = next(iter(rules.REFUSAL_REASONS))
    ed.post(
        f"/console/desk/{rid}/answer",
        data={"kind": "refuse", "reason": reason, "note": "개인정보", "csrf_token": csrf},
    )
    assert world.desk.get(rid, principal=SYSTEM).status == "refused"

    kim, kcsrf = login(api, KIM)
    page = kim.get(f"/requests/{rid}").text
    assert 'id="refusal-reason"' in page and 'id="dispute-form"' in page
    kim.post(
        f"/requests/{rid}/dispute",
        data={"reasons": "가명처리하면 제공할 수 있습니다", "csrf_token": kcsrf},
    )
    assert world.desk.get(rid, principal=SYSTEM).dispute is not None

    admin, acsrf = login(api, ADMIN)
    board = admin.get("/console/desk").text
    assert f'id="request-{rid}"' in board and "가명처리하면" in board
    admin.post(
        f"/console/desk/{rid}/decide",
        data={"outcome": "upheld", "note": "가명처리 후 제공 가능", "csrf_token": acsrf},
    )
    dispute = world.desk.get(rid, principal=SYSTEM).dispute
    assert dispute is not None and dispute.status == "upheld"
    assert 'data-status="upheld"' in kim.get(f"/requests/{rid}").text


def test_provide_answer_type_is_public_api() -> None:
    """(The console builds the service's own answer values.)"""
    from datanuri.web.desk_views import answer_kind, read_answer

    answer = read_answer({"kind": "provide", "dataset": "air", "version": "2"}, 100)
    assert answer == Provide(dataset="air", version=2, note="") and answer_kind(answer) == "provide"
