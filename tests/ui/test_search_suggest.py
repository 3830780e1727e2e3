"""Search in a real browser: synonyms find the demo's air-pollution data, and a typo gets
"이것을 찾으셨나요?" with a link to the corrected search."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.browser

AIR_TITLE = "서울 대기오염 측정소별 일평균 자료"


def test_a_typo_suggests_the_word_and_links_to_its_search(
    page: Any, ui_server: str, shot: Any
) -> None:
    page.goto(ui_server + "/search?q=" + "대기오얌")
    hint = page.locator("#suggestion")
    assert hint.inner_text().startswith("이것을 찾으셨나요?")
    link = hint.get_by_role("link")
    assert link.inner_text() == "대기오염"
    shot(page, "search-suggestion")
    link.click()
    page.wait_for_url(re.compile(r"/search\?.*q=%EB%8C%80%EA%B8%B0%EC%98%A4%EC%97%BC"))
    assert AIR_TITLE in page.locator("ol.results > li").first.locator("h3").inner_text()
    assert page.locator("#suggestion").count() == 0  # a query that finds its data gets none


@pytest.mark.parametrize("q", ["대기질", "공기"])
def test_synonyms_find_the_air_pollution_data(page: Any, ui_server: str, q: str) -> None:
    page.goto(ui_server + "/search?q=" + q)
    assert AIR_TITLE in page.locator("ol.results > li").first.locator("h3").inner_text()
