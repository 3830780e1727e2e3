"""Exploring in the browser: the Korea map of the home page counts every 시도 and leads to the
search; the dataset preview filters, sorts, charts a column and maps coordinates and regions."""

from __future__ import annotations

import re
from typing import Any

import pytest

from datanuri.accounts import ANONYMOUS

pytestmark = pytest.mark.browser

WIFI = "seoul-public-wifi"  # open, with 위도/경도 columns
POPULATION = "population-by-sigungu"  # open, with 시도/시군구 columns


def test_the_korea_map_counts_every_region(
    page: Any, ui_server: str, demo_platform: Any, shot: Any
) -> None:
    tree = demo_platform.search.datamap(principal=ANONYMOUS)
    page.goto(ui_server + "/")
    korea = page.locator("#korea-map svg")
    assert korea.is_visible()
    tiles = korea.locator("a[data-code]")
    assert tiles.count() == 17
    for region in tree["regions"]:
        tile = korea.locator(f'a[data-code="{region["code"]}"]')
        assert tile.get_attribute("aria-label") == f"{region['name']} {region['count']:,}건"
        assert tile.locator(".tile-count").text_content() == f"{region['count']:,}"
        # The demo's region columns cover the whole country: no 시도 is left at 0.
        assert region["count"] >= 3
    seoul = next(r for r in tree["regions"] if r["code"] == "11")
    assert len(seoul["children"]) == 25  # every 구 of Seoul
    shot(page, "home-korea-map")
    korea.locator('a[data-code="26"]').click()
    page.wait_for_url(re.compile(r"/search\?region=26"))
    busan = next(r for r in tree["regions"] if r["code"] == "26")
    assert page.locator("#results-h").inner_text().strip() == f"데이터셋 {busan['count']}건"
    assert "부산광역시" in page.locator("ul.chips").inner_text()


def test_filter_sort_chart_and_map_a_preview(page: Any, ui_server: str, shot: Any) -> None:
    page.goto(ui_server + f"/datasets/{WIFI}")
    form = page.locator("#preview-form")
    form.get_by_label("열", exact=True).select_option("자치구")
    form.get_by_label("조건").select_option("contains")
    form.get_by_label("값", exact=True).fill("종로")
    form.get_by_role("button", name="적용").click()
    page.wait_for_url(re.compile(r"fv=%EC%A2%85%EB%A1%9C"))
    count = page.locator("#preview-count").inner_text()
    matched = int(re.search(r"조건에 맞는 ([\d,]+)행", count).group(1).replace(",", ""))
    assert 0 < matched < 1200
    col = page.locator("table.preview thead th").all_inner_texts().index("자치구")
    cells = page.locator(f"table.preview tbody tr td:nth-child({col + 1})").all_inner_texts()
    assert cells and set(cells) == {"종로구"}

    # Sorting by a column header keeps the filter; a second click reverses it.
    page.locator("table.preview thead th", has_text="설치년도").get_by_role("link").click()
    page.wait_for_url(re.compile(r"sort="))
    header = page.locator("table.preview thead th", has_text="설치년도")
    assert header.get_attribute("aria-sort") == "ascending"
    year = page.locator("table.preview thead th").all_inner_texts().index("설치년도 ▲")
    years = [
        int(v)
        for v in page.locator(f"table.preview tbody tr td:nth-child({year + 1})").all_inner_texts()
    ]
    assert years == sorted(years)
    assert f"조건에 맞는 {matched:,}행" in page.locator("#preview-count").inner_text()
    header.get_by_role("link").click()
    page.wait_for_url(re.compile(r"order=desc"))
    years = [
        int(v)
        for v in page.locator(f"table.preview tbody tr td:nth-child({year + 1})").all_inner_texts()
    ]
    assert years == sorted(years, reverse=True)

    # A quick chart of a chosen column (over the filtered rows).
    page.locator("#preview-form").get_by_label("차트로 볼 열").select_option("설치유형")
    page.wait_for_url(re.compile(r"chart="))
    chart = page.locator("#quick-chart")
    assert chart.is_visible()
    bars = chart.locator("rect.bar")
    assert bars.count() >= 1
    # Its bars count the filtered rows, at most the matched rows.
    title = chart.locator("title").first.text_content()
    assert title.startswith("설치유형의 자주 나온 값")

    # Coordinates: the points of the filtered rows over Korea.
    points = page.locator("#preview-points svg circle.pt")
    assert points.count() == matched
    shot(page, "dataset-explore")


def test_region_tables_are_mapped_by_region(page: Any, ui_server: str) -> None:
    page.goto(ui_server + f"/datasets/{POPULATION}")
    tiles = page.locator("#preview-regions svg g[data-code]")
    assert tiles.count() == 17
    seoul = page.locator('#preview-regions g[data-code="11"]')
    # 25 구 of Seoul in each of the two months of the cumulative file.
    assert seoul.get_attribute("aria-label") == "서울특별시 50행"


def test_a_bad_filter_says_what_to_fix(page: Any, ui_server: str) -> None:
    page.goto(ui_server + f"/datasets/{WIFI}?fc=%EC%84%A4%EC%B9%98%EB%85%84%EB%8F%84&fv=abc")
    problem = page.locator("#preview-problem")
    assert "숫자 열입니다" in problem.inner_text()
    assert "1,200행 중 1–20행" in page.locator("#preview-count").inner_text()
