"""Withdrawing a version and deleting an empty dataset in a real browser: the console's forms,
then the public tombstone (reason, who, a Korean date) on the dataset page and the version URL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.catalog.service import NewDataset
from tests.helpers import PASSWORD, air_csv

pytestmark = pytest.mark.browser

EDITOR = "editor@example.org"


@pytest.fixture
def world(platform: Any, tmp_path: Path) -> Any:
    acc = platform.accounts
    acc.create_organization("seoul", title="서울특별시", principal=SYSTEM)
    acc.create_user(EDITOR, display_name="김편집", password=PASSWORD, principal=SYSTEM)
    acc.add_member("seoul", EDITOR, role="editor", principal=SYSTEM)
    new = NewDataset(organization="seoul", title="대기질 측정")
    platform.catalog.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM, new=new)
    platform.catalog.publish("air", air_csv(tmp_path / "b.csv", extra_rows=3), principal=SYSTEM)
    platform.catalog.create_dataset("draft", organization="seoul", title="초안", principal=SYSTEM)
    return platform


def _login(page: Any, base: str, next_path: str) -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.get_by_label("이메일").fill(EDITOR)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url(re.compile(re.escape(next_path)))


def test_withdraw_in_the_console_then_the_public_tombstone(
    world: Any, live_server: str, page: Any, shot: Any
) -> None:
    _login(page, live_server, "/console/datasets/air")
    # an empty reason is refused by the form itself; a reason withdraws version 2
    page.get_by_label("버전 2 철회 사유").fill("측정소 좌표가 잘못되었습니다")
    page.get_by_role("button", name="버전 2 철회").click()
    page.wait_for_url(re.compile(r"/console/datasets/air"))
    row = page.locator("#versions-table tbody tr").first
    assert "철회됨" in row.inner_text()
    assert page.get_by_label("버전 2 철회 사유").count() == 0  # only live versions offer it
    shot(page, "console-withdrawn")

    # the version URL shows the tombstone to anyone: reason, a name, a Korean date, no rows
    visitor = page.context.browser.new_context(locale="ko-KR").new_page()
    try:
        visitor.goto(f"{live_server}/datasets/air?version=2")
        tomb = visitor.locator("#tombstone")
        assert tomb.is_visible()
        text = tomb.inner_text()
        assert "이 버전(2)은 철회되었습니다" in text
        assert "측정소 좌표가 잘못되었습니다" in text and "김편집" in text
        assert re.search(r"\d{4}년 \d{1,2}월 \d{1,2}일 \d{2}:\d{2}", text)
        assert "user:" not in text and not re.search(r"\d{4}-\d{2}-\d{2}T", text)
        assert visitor.locator("#preview").count() == 0
        assert visitor.locator("a[href*='/versions/2/download']").count() == 0
        shot(visitor, "dataset-tombstone")
        # the dataset page shows version 1, the one left, and marks version 2 in its history
        visitor.goto(f"{live_server}/datasets/air")
        assert visitor.locator("#tombstone").count() == 0
        assert visitor.locator("a[href*='/versions/1/download']").count() > 0
        assert "철회됨" in visitor.locator("ol.versions").inner_text()
    finally:
        visitor.context.close()


def test_delete_an_empty_dataset_in_the_console(world: Any, live_server: str, page: Any) -> None:
    _login(page, live_server, "/console/datasets/draft")
    page.get_by_role("button", name="데이터셋 삭제").click()
    page.wait_for_url(re.compile(r"/console(\?|$)"))
    with pytest.raises(errors.NotFound):
        world.catalog.get_dataset("draft", principal=SYSTEM)
    # a dataset with versions offers no delete button
    page.goto(f"{live_server}/console/datasets/air")
    assert page.get_by_role("button", name="데이터셋 삭제").count() == 0
