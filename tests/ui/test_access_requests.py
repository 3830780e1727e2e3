"""Access requests ("이용 신청") in a real browser over the demo: a reader asks for the restricted
112 calls with a purpose and period, the publisher (an editor of the holder) sees the notice and
approves, and the reader is notified and downloads the CSV; another reader is refused with a
reason and still cannot download. The demo's own pending request is on the review page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from datanuri.accounts.principal import SYSTEM
from datanuri.demo.load import DEMO_PASSWORD, DEMO_REQUEST

pytestmark = pytest.mark.browser

DATASET = "seoul-112-calls"
PUBLISHER = "publisher@datanuri.local"
PURPOSE = "112 신고 처리 시간의 지역 차이를 분석하는 석사 논문 연구에 씁니다."


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


def _reader(platform: Any, email: str, name: str) -> None:
    platform.accounts.create_user(
        email, display_name=name, password=DEMO_PASSWORD, principal=SYSTEM
    )


def _ask(page: Any, base: str) -> None:
    page.goto(f"{base}/datasets/{DATASET}")
    assert page.locator(".downloads").count() == 0  # no rows for a stranger
    page.get_by_role("link", name="이용 신청").click()
    page.wait_for_url(re.compile(rf"/datasets/{DATASET}/access-request\?"))
    page.get_by_label("이용 목적").fill(PURPOSE)
    page.get_by_label("이용 기간").select_option("90")
    page.get_by_role("button", name="신청하기").click()
    page.wait_for_url(re.compile(r"/account\?"))
    assert "이용 신청을 보냈습니다" in page.locator("#request-notice").inner_text()
    row = page.locator("#requests-table tbody tr").first
    assert row.get_attribute("data-status") == "pending" and "검토 중" in row.inner_text()


def _section_of(page: Any, requester: str) -> Any:
    return page.locator("section[data-request-id]").filter(has_text=requester)


def test_request_approve_then_download(
    browser_as: Any, ui_server: str, demo_platform: Any, shot: Any
) -> None:
    _reader(demo_platform, "ui-reader@example.org", "박독자")
    reader = browser_as("ui-reader@example.org")
    _ask(reader, ui_server)
    shot(reader, "access-request-sent")

    holder = browser_as(PUBLISHER)
    assert holder.locator("#unread-notices").is_visible()  # the header counts the notice
    assert "박독자" in holder.locator("#notifications").inner_text()
    holder.goto(f"{ui_server}/console/requests")
    assert holder.get_by_role("heading", level=1).inner_text() == "이용 신청 검토"
    analyst_email = DEMO_REQUEST[0]
    assert _section_of(holder, analyst_email).count() == 1  # the demo's own pending request
    mine = _section_of(holder, "박독자")
    assert PURPOSE in mine.inner_text() and "90일" in mine.inner_text()
    shot(holder, "access-requests-review")
    mine.get_by_role("button", name="승인").click()
    holder.wait_for_url(re.compile(r"/console/requests\?"))
    assert "승인했습니다" in holder.locator("#decision-notice").inner_text()
    assert _section_of(holder, "박독자").count() == 0
    assert "승인됨" in holder.locator("#decided-table").inner_text()

    reader.goto(f"{ui_server}/account")
    assert reader.locator("#unread-notices").is_visible()
    note = reader.locator("#notifications li").first.inner_text()
    assert "승인되었습니다" in note and re.search(r"\d{4}년 \d{1,2}월 \d{1,2}일까지", note)
    assert (
        reader.locator("#requests-table tbody tr").first.get_attribute("data-status") == "approved"
    )
    reader.goto(f"{ui_server}/datasets/{DATASET}")
    assert reader.locator("#access-request-link").count() == 0
    assert reader.locator("table.preview tbody tr").count() > 0
    with reader.expect_download() as dl:
        reader.locator(".downloads a").first.click()
    text = open(dl.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0].count(",") >= 3 and len(text.splitlines()) > 10
    shot(reader, "access-request-approved-dataset")


def test_refused_with_a_reason(browser_as: Any, ui_server: str, demo_platform: Any) -> None:
    _reader(demo_platform, "ui-refused@example.org", "최거절")
    reader = browser_as("ui-refused@example.org")
    _ask(reader, ui_server)

    holder = browser_as(PUBLISHER)
    holder.goto(f"{ui_server}/console/requests")
    mine = _section_of(holder, "최거절")
    mine.get_by_role("button", name="거절").click()  # no reason: the browser keeps the form
    assert holder.url.split("?")[0].endswith("/console/requests")
    mine.get_by_label("거절 사유").fill("소속 기관의 연구 윤리 승인서를 첨부해 다시 신청해 주세요.")
    mine.get_by_role("button", name="거절").click()
    holder.wait_for_url(re.compile(r"done=refused"))
    assert "거절했습니다" in holder.locator("#decision-notice").inner_text()

    reader.goto(f"{ui_server}/account")
    row = reader.locator("#requests-table tbody tr").first
    assert row.get_attribute("data-status") == "refused"
    assert "연구 윤리 승인서" in row.inner_text() and "거절됨" in row.inner_text()
    assert "거절되었습니다" in reader.locator("#notifications li").first.inner_text()
    reader.get_by_role("button", name="모두 읽음으로 표시").click()
    reader.wait_for_url(re.compile(r"/account\?"))
    assert reader.locator("#unread-notices").count() == 0
    reader.goto(f"{ui_server}/datasets/{DATASET}")
    assert reader.locator(".downloads").count() == 0
    assert reader.locator("#access-request-link").is_visible()  # may ask again
