"""The richer metadata in a real browser: the 시도 → 시군구 coverage picker, a code table typed
into a column note, and a 문의/오류 신고 that reaches the holder and comes back answered."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from datanuri.accounts.principal import SYSTEM
from tests.ui.test_console import _login

pytestmark = pytest.mark.browser
NAME = "metadata-ui-test"


@pytest.fixture(scope="module")
def dataset(demo_platform: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    org = demo_platform.catalog.get_dataset(
        "seoul-bus-stop-ridership", principal=SYSTEM
    ).organization
    demo_platform.catalog.create_dataset(
        NAME, organization=org, title="메타데이터 시험", principal=SYSTEM
    )
    src = Path(tmp_path_factory.mktemp("meta")) / "stations.csv"
    src.write_text("측정소,상태\n종로,1\n중구,2\n", encoding="utf-8")
    demo_platform.catalog.publish(NAME, src, principal=SYSTEM)
    yield NAME


def test_coverage_picker_shows_the_chosen_provinces_districts(
    page: Any, ui_server: str, demo_platform: Any, dataset: str
) -> None:
    _login(page, ui_server, next_path=f"/console/datasets/{dataset}")
    busan = page.locator('fieldset.sido-group[data-sido="26"]')
    seoul = page.locator('fieldset.sido-group[data-sido="11"]')
    assert seoul.is_visible() and not busan.is_visible()  # the first 시도 is shown
    page.select_option("#sido-pick", "26")
    assert busan.is_visible() and not seoul.is_visible()
    page.get_by_label("해운대구").check()
    page.select_option("#sido-pick", "11")
    page.get_by_label("종로구").check()
    page.get_by_label("갱신주기").select_option(label="월간")
    page.get_by_label("DOI").fill("https://doi.org/10.5072/ui-test")
    page.get_by_role("button", name="메타데이터 저장").click()
    page.wait_for_selector("#saved")
    ds = demo_platform.catalog.get_dataset(dataset, principal=SYSTEM)
    assert set(ds.regions) == {"26:해운대구", "11:종로구"}
    assert ds.update_frequency == "monthly" and ds.doi == "10.5072/ui-test"
    # reloaded, the picker opens on a 시도 with ticked boxes
    assert page.locator('input[value="26:해운대구"]').is_checked()
    page.goto(f"{ui_server}/datasets/{dataset}")
    coverage = page.locator("#coverage").inner_text()
    assert "부산광역시 해운대구" in coverage and "서울특별시 종로구" in coverage
    assert page.locator("#frequency").inner_text() == "월간"


def test_a_code_table_typed_in_the_console_shows_in_the_schema(
    page: Any, ui_server: str, dataset: str
) -> None:
    _login(page, ui_server, next_path=f"/console/datasets/{dataset}")
    note = page.locator('details.column-note[data-column="상태"]')
    note.locator("summary").click()
    note.get_by_label("설명").fill("측정소 운영 상태")
    note.get_by_label("단위").fill("단계")
    note.get_by_label("코드정의서").fill("1 = 정상\n2 = 점검 중")
    note.get_by_role("button", name="열 설명 저장").click()
    page.wait_for_url(re.compile(r"saved=meta"))
    assert (
        "코드 2개" in page.locator('details.column-note[data-column="상태"] summary').inner_text()
    )
    page.goto(f"{ui_server}/datasets/{dataset}#schema")
    page.get_by_text("코드정의서 (2)").click()
    table = page.locator("table.codes")
    assert (
        "점검 중" in table.inner_text()
        and "측정소 운영 상태" in page.locator("#schema + div").inner_text()
    )


def test_feedback_reaches_the_holder_and_the_answer_comes_back(
    page: Any, chromium: Any, ui_server: str, dataset: str
) -> None:
    _login(page, ui_server, email="analyst@datanuri.local", next_path=f"/datasets/{dataset}")
    page.get_by_label("오류 신고").check()
    page.get_by_label("내용").fill("3행 상태 값이 비어 있습니다.")
    page.get_by_role("button", name="보유 기관에 보내기").click()
    page.wait_for_selector("#feedback-sent")
    assert "3행 상태 값이 비어 있습니다." in page.locator("#my-feedback").inner_text()

    holder = chromium.new_context(locale="ko-KR").new_page()
    try:
        _login(holder, ui_server, next_path=f"/console/datasets/{dataset}")
        item = holder.locator("li.feedback", has_text="3행 상태 값이 비어 있습니다.")
        assert "이분석" in item.inner_text() and "오류 신고" in item.inner_text()
        item.get_by_label("답변").fill("고쳐서 새 버전을 올렸습니다.")
        item.get_by_role("button", name="답변 완료로 표시").click()
        holder.wait_for_url(re.compile(r"#inbox-h"))
        assert holder.locator("li.feedback").first.get_attribute("data-status") == "answered"
    finally:
        holder.context.close()

    page.reload()
    mine = page.locator("#my-feedback").inner_text()
    assert "고쳐서 새 버전을 올렸습니다." in mine and "답변 완료" in mine
