"""The demo's linkage project in a real browser, in Korean: the analyst finds
`welfare-blind-spots` in the console, runs a query inside the zone (rows shown, nothing to
download), requests an export of at-risk counts by 시군구 that passes the disclosure checks; a
reviewer approves it with a reason, and the published dataset opens from the project page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from datanuri.demo.linkage import AT_RISK_SQL, PROJECT
from tests.ui.test_console import _login

pytestmark = pytest.mark.browser
ANALYST, REVIEWER = "linkage-analyst@datanuri.local", "linkage-reviewer@datanuri.local"
TITLE = "위기가구 수 (브라우저 시험)"


def test_analyst_exports_and_reviewer_approves(
    page: Any, ui_server: str, demo_platform: Any, shot: Any
) -> None:
    _login(page, ui_server, email=ANALYST, next_path="/console/linkage")
    assert "분석자" in page.locator(f'tr[data-project="{PROJECT}"] .roles').inner_text()
    page.get_by_role("link", name=PROJECT, exact=True).click()
    page.wait_for_url(re.compile(rf"/console/linkage/{PROJECT}\?"))
    assert page.locator("#pair-counts tbody tr").count() == 3  # three holders, three pairs

    page.locator("#sql").fill(
        "SELECT sigungu, count(*) AS n FROM h_nuri_power GROUP BY 1 ORDER BY 1"
    )
    page.locator("#run-query").click()
    result = page.locator("#query-result")
    result.wait_for()
    assert "종로구" in result.inner_text()
    assert page.locator("a[download], a[href*='download']").count() == 0

    page.locator("#export-sql").fill(AT_RISK_SQL)
    page.locator("#export-group-by").fill("sigungu")
    page.locator("#export-title").fill(TITLE)
    page.locator("#request-export").click()
    page.wait_for_url(re.compile(r"done=export-\d+"))
    export_id = re.search(r"done=export-(\d+)", page.url).group(1)  # type: ignore[union-attr]
    card = page.locator(f"#export-{export_id}")
    assert card.get_attribute("data-status") == "pending"
    assert "통과" in card.locator(".check").first.inner_text()
    assert card.locator("form.review-form").count() == 0  # the analyst does not review
    shot(page, "linkage-analyst")

    page.context.clear_cookies()
    _login(page, ui_server, email=REVIEWER, next_path=f"/console/linkage/{PROJECT}")
    card = page.locator(f"#export-{export_id}")
    card.get_by_label("승인하고 공개").check()
    card.get_by_label("사유").fill("최소 셀 10 이상, 차분 위험 없음 (브라우저 시험)")
    card.get_by_role("button", name="결정 저장").click()
    page.wait_for_url(re.compile(rf"done=review-{export_id}"))
    card = page.locator(f"#export-{export_id}")
    assert card.get_attribute("data-status") == "approved"
    shot(page, "linkage-reviewer")
    card.locator("a.published").click()
    page.wait_for_url(re.compile(rf"/datasets/{PROJECT}-output-{export_id}"))
    assert TITLE in page.content()
