"""The console's upload form for a messy agency workbook: the header-row field and the
total-rows choice, the exact result message, Korean problem messages, and the public page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from datanuri.accounts.principal import SYSTEM
from tests.tables.agency import COLUMNS, SIDO, TOTAL_ROW, write_agency_xlsx
from tests.ui.test_console import _login

pytestmark = pytest.mark.browser

NAME = "console-bike-roads"


def _upload(page: Any, path: Path) -> None:
    page.get_by_label("파일", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="올리고 게시하기").click()
    page.locator("#result-h").wait_for(timeout=60_000)


def test_header_row_field_and_total_rows_in_the_console(
    page: Any, ui_server: str, demo_platform: Any, shot: Any, tmp_path: Path
) -> None:
    demo_platform.catalog.create_dataset(
        NAME, organization="keco", title="시도별 자전거도로 현황", principal=SYSTEM
    )
    _login(page, ui_server, next_path=f"/console/datasets/{NAME}")
    src = write_agency_xlsx(tmp_path / "자전거도로.xlsx", measured_gap=True)

    # Detected: the title, unit and blank rows are skipped, the two header rows joined.
    _upload(page, src)
    assert page.locator("#result-rows").inner_text() == f"{len(SIDO)}행 × {len(COLUMNS)}열"
    said = page.locator("#result-message").inner_text()
    assert "머리글 4~5행" in said and "1행을 표에서 뺐습니다" in said and "결측 표시 1개" in said
    rows = page.locator("#result-problems table.problems tbody tr")
    rows.first.wait_for()
    cells = [[td.inner_text() for td in r.locator("td").all()] for r in rows.all()]
    assert [(c[0], c[2]) for c in cells] == [("9", "결측 표시"), (str(TOTAL_ROW), "합계 행")]
    assert "빈 값(null)" in cells[0][4] and "표에서 뺐습니다" in cells[1][4]
    shot(page, "console-agency-xlsx")

    # The publisher names the second header row and keeps the total row.
    page.goto(f"{ui_server}/console/datasets/{NAME}")
    page.locator("#table-layout-summary").click()
    page.get_by_label("머리글 행 번호").fill("5")
    page.get_by_label("합계 행 남기기").check()
    shot(page, "console-header-row-field")
    _upload(page, src)
    assert page.locator("#result-rows").inner_text() == f"{len(SIDO) + 1}행 × {len(COLUMNS)}열"
    schema = demo_platform.catalog.version_detail(NAME, 2, principal=SYSTEM)["schema"]
    assert [f["name"] for f in schema["fields"]][2:] == ["전용도로", "겸용도로", "합계"]

    # The public page of version 1 shows the joined column names and the data rows.
    page.goto(f"{ui_server}/datasets/{NAME}?version=1")
    page.wait_for_url(re.compile(rf"/datasets/{NAME}"))
    text = page.locator("main").inner_text()
    for name in COLUMNS:
        assert name in text
    assert "서울특별시" in text and "2023년 시도별 자전거도로 현황" not in text
