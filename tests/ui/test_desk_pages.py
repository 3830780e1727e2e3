"""The data request desk in a real browser over the demo, as the README tells it: a reader searches
for data that is not there, follows "원하는 데이터가 없나요? 요청하기", fills the form, sees the
suggestions (existing data, likely holders, the demo's similar request with its "me too" button)
before filing, files it to a holder; the holder (the demo publisher, an editor of every demo
organisation) finds it in the console with its deadline and answers "provide" with a dataset it
publishes; the reader sees the answer and the notice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from datanuri.accounts.principal import SYSTEM
from datanuri.demo.desk import EV_TITLE, demo_request_id
from datanuri.demo.load import DEMO_PASSWORD
from datanuri.desk.service import RequestDraft

pytestmark = pytest.mark.browser

PUBLISHER = "publisher@datanuri.local"
READER = "ui-desk-reader@example.org"
QUERY = "전기차"
HOLDER = "seoul-metro-gov"
ANSWER_DATASET = "seoul-public-wifi"


@pytest.fixture
def browser_as(chromium: Any, ui_server: str) -> Iterator[Any]:
    """`browser_as(email)`: a fresh Korean browser logged in as `email` (own cookies)."""
    contexts: list[Any] = []

    def open_as(email: str) -> Any:
        ctx = chromium.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{ui_server}/login?next=/account")
        page.get_by_label("이메일").fill(email)
        page.get_by_label("비밀번호").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="로그인").click()
        page.wait_for_url(re.compile(r"/account\?"))
        return page

    yield open_as
    for ctx in contexts:
        ctx.close()


def _similar_request_offered(reader: Any, demo_platform: Any) -> None:
    """The demo's request for the same data is offered to join, with its "me too" button."""
    dupes = reader.locator("#suggested-duplicates li[data-request-id]")
    assert dupes.count() >= 1, "the demo's request for the same data is offered to join"
    ev = str(demo_request_id(demo_platform, EV_TITLE))
    ids = dupes.evaluate_all("els => els.map(e => e.dataset.requestId)")
    assert ev in ids, "the demo's request for EV chargers is among the similar ones"
    joined = reader.locator(f'#suggested-duplicates li[data-request-id="{ev}"]')
    assert joined.get_by_role("button", name="나도 필요해요").is_visible()


def test_preview_suggests_the_demo_request(demo_platform: Any) -> None:
    """The service's preview (what the page shows) offers the demo's EV request to join."""
    draft = RequestDraft(
        title="전기차 충전소 시간대별 이용량",
        description="서울시 공공 전기차 충전소별 시간대별 충전 건수와 충전량",
        purpose="충전 수요가 몰리는 지역을 찾아 충전소 추가 설치를 제안하는 연구",
    )
    analyst = demo_platform.accounts.principal_for("analyst@datanuri.local")
    found = demo_platform.desk.preview(draft, principal=analyst)
    ev = demo_request_id(demo_platform, EV_TITLE)
    assert ev in [d.request_id for d in found.duplicates]


def test_from_an_empty_search_to_an_answered_request(
    browser_as: Any, ui_server: str, demo_platform: Any, shot: Any
) -> None:
    demo_platform.accounts.create_user(
        READER, display_name="정요청", password=DEMO_PASSWORD, principal=SYSTEM
    )
    reader = browser_as(READER)

    # an empty search offers the request form, the query as its title
    reader.goto(f"{ui_server}/search?q={QUERY}")
    assert reader.locator("ol.results li").count() == 0
    link = reader.locator("#request-data-link")
    assert "원하는 데이터가 없나요?" in reader.locator("#request-data").inner_text()
    link.click()
    reader.wait_for_url(re.compile(r"/requests/new\?"))
    assert reader.get_by_label("어떤 데이터가 필요한가요?").input_value() == QUERY

    reader.get_by_label("어떤 데이터가 필요한가요?").fill("전기차 충전소 시간대별 이용량")
    reader.get_by_label("자세한 설명").fill(
        "서울시 공공 전기차 충전소별 시간대별 충전 건수와 충전량"
    )
    reader.get_by_label("이용 목적").fill(
        "충전 수요가 몰리는 지역을 찾아 충전소 추가 설치를 제안하는 연구"
    )
    reader.get_by_label("주제").select_option("교통")
    reader.get_by_label("지역").select_option("11")
    reader.get_by_label("CSV").check()
    reader.get_by_role("button", name="다음: 비슷한 데이터 확인").click()

    # the preview: suggestions before anything is filed
    reader.wait_for_selector("#desk-file-form")
    assert reader.locator("#suggested-datasets").is_visible()
    assert reader.locator("#suggested-holders").is_visible()
    _similar_request_offered(reader, demo_platform)
    shot(reader, "desk-preview")

    reader.get_by_label("요청을 보낼 기관").select_option(HOLDER)
    reader.get_by_role("button", name="요청 보내기").click()
    reader.wait_for_url(re.compile(r"/requests/\d+\?"))
    rid = int(re.search(r"/requests/(\d+)", reader.url).group(1))  # type: ignore[union-attr]
    assert "요청을 접수했습니다" in reader.locator("#desk-notice").inner_text()
    assert reader.locator(".badge.desk-status").first.get_attribute("data-status") == "routed"
    assert "영업일 10일 남음" in reader.locator("#due-on").inner_text()
    shot(reader, "desk-filed")

    # the holder's console: the request with its deadline
    holder = browser_as(PUBLISHER)
    holder.goto(f"{ui_server}/console/desk")
    section = holder.locator(f"#request-{rid}")
    assert section.is_visible()
    assert section.locator(".badge.deadline").inner_text() == "D-10"
    assert "충전소 추가 설치" in section.inner_text()  # the holder sees the purpose
    shot(holder, "desk-console")
    section.get_by_label("제공", exact=True).check()
    section.locator("select[name=dataset]").select_option(ANSWER_DATASET)
    section.get_by_label("요청자에게 남길 말").fill(
        "충전소 위치는 이 데이터의 2024년 판에 있습니다."
    )
    section.get_by_role("button", name="답변 보내기").click()
    holder.wait_for_url(re.compile(r"done=answer-provide"))
    assert holder.locator(f"#request-{rid}").count() == 0  # answered: no longer waiting

    # the requester sees the answer and a notice
    reader.goto(f"{ui_server}/requests/{rid}")
    assert reader.locator(".badge.desk-status").first.get_attribute("data-status") == "provided"
    answer = reader.locator("#answer")
    assert answer.get_attribute("data-kind") == "provide"
    assert "2024년 판" in answer.inner_text()
    assert reader.locator("#unread-notices").is_visible()
    reader.locator("#answer-dataset").click()
    reader.wait_for_url(re.compile(rf"/datasets/{ANSWER_DATASET}"))
    reader.goto(f"{ui_server}/account")
    notes = reader.locator("#notifications").inner_text()
    assert QUERY in notes
    shot(reader, "desk-answered")


def test_demo_requests_in_every_state(page: Any, ui_server: str) -> None:
    """The public list shows the demo's requests; the statistics page counts them."""
    page.goto(f"{ui_server}/requests")
    statuses = set(
        page.locator("#desk-requests li").evaluate_all("els => els.map(e => e.dataset.status)")
    )
    assert {"filed", "routed", "processing", "provided", "refused", "withdrawn"} <= statuses
    assert page.locator("#desk-requests .badge.overdue").count() >= 1
    page.get_by_role("link", name="요청 통계").click()
    page.wait_for_url(re.compile(r"/requests/stats"))
    assert int(page.locator("#stat-total").inner_text()) >= 10
    assert page.locator("#most-wanted li").count() >= 1
