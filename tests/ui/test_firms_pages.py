"""The request desk's analysis firms in a real browser over the demo: the analyst posts a
processing project and sees the firms ranked with their reasons; a firm's owner sends an offer
from the project page; the analyst accepts it and the project is awarded."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest

from datanuri.demo.load import DEMO_PASSWORD

pytestmark = pytest.mark.browser

POSTER = "analyst@datanuri.local"
FIRM = "firm@datanuri.local"  # owner of gaon-analytics (demo/firms.py)


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


def test_post_rank_offer_accept(browser_as: Any, ui_server: str, shot: Any) -> None:
    poster = browser_as(POSTER)
    poster.goto(f"{ui_server}/projects")
    poster.get_by_role("link", name="과제 올리기").first.click()
    poster.wait_for_url(re.compile(r"/projects/new\?"))
    poster.get_by_label("과제명").fill("지하철 혼잡도 분석과 시각화")
    poster.get_by_label("과제 설명").fill(
        "역별 승하차 자료로 시간대별 혼잡도를 분석하고 지도로 보여 주세요."
    )
    poster.get_by_label("통계 분석").check()
    poster.get_by_label("시각화").check()
    poster.locator("#sector").select_option("transport")
    poster.get_by_label("최저 예산(원)").fill("8000000")
    poster.get_by_label("최고 예산(원)").fill("12000000")
    due = dt.date.today() + dt.timedelta(days=40)
    poster.get_by_label("납기일").fill(due.isoformat())
    poster.get_by_role("button", name="과제 올리기").click()
    poster.wait_for_url(re.compile(r"/projects/\d+\?.*done=posted"))
    project_url = poster.url.split("?")[0]
    assert "과제를 올렸습니다" in poster.locator("#done-notice").inner_text()

    first = poster.locator("#ranking > li").first
    assert first.get_attribute("data-firm") == "gaon-analytics"
    reasons = first.locator(".reasons").inner_text()
    assert "요청 역량 2/2개 보유: 통계 분석, 시각화" in reasons
    assert "교통·물류 분야 경험" in reasons
    shot(poster, "firms-project-ranked")

    firm = browser_as(FIRM)
    firm.goto(f"{project_url}?lang=ko")
    firm.locator("#firm").select_option("gaon-analytics")
    firm.get_by_label("제안 금액(원)").fill("10000000")
    firm.get_by_label("수행 기간(일)").fill("25")
    firm.get_by_label("제안 내용").fill("4주 안에 혼잡도 지도까지 납품합니다.")
    firm.get_by_role("button", name="제안 보내기").click()
    firm.wait_for_url(re.compile(r"done=offered"))
    assert "제안을 보냈습니다" in firm.locator("#done-notice").inner_text()
    row = firm.locator("#offers-table tbody tr")
    assert row.count() == 1 and row.first.get_attribute("data-status") == "sent"

    poster.goto(f"{project_url}?lang=ko")
    offer = poster.locator("#offers-table tbody tr[data-firm='gaon-analytics']")
    assert "1,000만 원" in offer.inner_text()
    offer.get_by_role("button", name="선정").click()
    poster.wait_for_url(re.compile(r"done=accepted"))
    assert poster.locator("#project-status").get_attribute("data-status") == "awarded"
    assert "가온데이터분석" in poster.locator("#awarded-firm").inner_text()
    shot(poster, "firms-project-awarded")

    firm.goto(f"{ui_server}/console/firms?lang=ko")
    mine = firm.locator("#my-offers tbody tr").first
    assert mine.get_attribute("data-status") == "accepted"
    firm.goto(f"{project_url}?lang=ko")
    assert firm.locator("#deliver-form").is_visible()  # the firm delivers next


@pytest.mark.parametrize("who", [None, FIRM, POSTER], ids=["anon", "firm", "poster"])
def test_firm_pages_are_korean(demo_platform: Any, who: str | None) -> None:
    """The firm desk's pages (every project state of the demo, the directory, a firm, the form
    and the console), crawled as tests/ui/test_korean_pages.py does, hold no untranslated
    English."""
    from fastapi.testclient import TestClient

    from tests.ui.conftest import ui_app
    from tests.ui.test_korean_pages import _login, crawl, english_words, published_words

    known = published_words(demo_platform)
    with TestClient(ui_app(demo_platform)) as client:
        client.headers["accept-language"] = "ko-KR,ko;q=0.9"
        starts = ["/firms", "/projects"]
        if who:
            _login(client, who)
            starts += ["/projects/new", "/console/firms"]
        pages = crawl(client, starts)
    ours = {u: p for u, p in pages.items() if u.startswith(("/firms", "/projects", "/console/f"))}
    assert len(ours) >= 5
    found = {u: sorted(english_words(text + titles, known)) for u, (text, titles) in ours.items()}
    assert {u: w for u, w in found.items() if w} == {}
