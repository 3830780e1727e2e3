"""The public pages in a real browser: search, data map, dataset, organisation and ledger pages,
the language switch, error pages, and that personal data shows no rows anywhere."""

from __future__ import annotations

import json
import re
from typing import Any

import pyarrow.parquet as pq
import pytest

from datanuri.accounts.principal import SYSTEM

pytestmark = pytest.mark.browser

PERSONAL = "nuri-hospital-outpatient-visits"
OPEN = "air-quality-seoul-daily"


def test_home_shows_the_data_map(page: Any, ui_server: str, shot: Any) -> None:
    page.goto(ui_server + "/")
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.get_by_role("heading", name="데이터 지도").is_visible()
    theme = page.locator("#map-theme + ul li", has_text="교통")
    counted = int(theme.locator(".count").inner_text())
    assert counted >= 3  # two published traffic datasets and the synthetic location traces
    seoul = page.locator("#map-region + ul li", has_text="서울특별시").first
    assert int(seoul.locator(".count").first.inner_text()) >= 1
    shot(page, "home")
    # A theme in the data map leads to the search page filtered by it.
    theme.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/search\?theme="))
    assert page.locator("#results-h").inner_text().strip() == f"데이터셋 {counted}건"


def test_korean_search_and_a_facet_filter(page: Any, ui_server: str, shot: Any) -> None:
    page.goto(ui_server + "/")
    page.get_by_label("검색어").fill("교통사고를")
    page.get_by_label("검색어").press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    results = page.locator("ol.results > li")
    assert results.count() >= 1
    first = results.first
    assert "2024년 교통사고 발생 정보" in first.locator("h3").inner_text()
    assert (
        first.locator("mark").first.inner_text() == "교통사고"
    )  # the particle 를 is stripped, the stem marked
    shot(page, "search")
    # Facet filter: tick the theme 교통 and apply; every result is then in that theme.
    page.goto(ui_server + "/search?lang=ko")
    total_before = int(re.sub(r"\D", "", page.locator("#results-h").inner_text()))
    box = page.locator('fieldset input[name="theme"][value="교통"]')
    label = page.locator(f'label[for="{box.get_attribute("id")}"]')
    assert label.locator("xpath=ancestor::fieldset/legend").inner_text() == "주제"
    count = int(label.locator(".count").inner_text())
    box.check()
    page.get_by_role("button", name="조건 적용").click()
    page.wait_for_url(re.compile(r"theme=%EA%B5%90%ED%86%B5"))
    total_after = int(re.sub(r"\D", "", page.locator("#results-h").inner_text()))
    assert total_after == count < total_before
    assert page.locator("ol.results > li").count() == count
    for badge in page.locator("ol.results > li").all():
        assert "교통" in badge.inner_text()
    assert page.locator(".chips a").first.inner_text().startswith("주제: 교통")
    shot(page, "search-facet")


def test_dataset_page_charts_preview_receipt_and_jsonld(
    page: Any, ui_server: str, shot: Any, demo_platform: Any
) -> None:
    page.goto(ui_server + f"/datasets/{OPEN}")
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == demo_platform.catalog.get_dataset(OPEN, principal=SYSTEM).title
    )
    # One inline SVG chart per profiled column, with bars.
    charts = page.locator("ul.profile svg.chart")
    assert charts.count() == len(
        demo_platform.catalog.version_detail(OPEN, principal=SYSTEM)["schema"]["fields"]
    )
    assert page.locator("ul.profile svg.chart rect.bar").count() > 20
    # The receipt was verified by the server against the current checkpoint.
    badge = page.locator("#receipt-badge")
    assert badge.inner_text().strip().endswith("검증됨")
    assert page.locator(".receipt").get_attribute("data-verified") == "true"
    # Paged preview: 20 rows, and page 2 starts at row 21.
    assert page.locator("table.preview tbody tr").count() == 20
    page.locator("#preview ~ nav").get_by_role("link", name="2 페이지").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator("table.preview tbody tr").first.locator("td").first.inner_text() == "21"
    # Download buttons per format, pointing at the API; Excel-friendly CSV first, in Korean.
    links = page.locator(".downloads a").all()
    hrefs = [a.get_attribute("href") for a in links]
    assert hrefs == [
        f"/api/v1/datasets/{OPEN}/versions/1/download?format={f}"
        for f in ("csv", "xlsx", "csv-cp949", "parquet", "json")
    ]
    assert links[0].inner_text().startswith("CSV (엑셀, UTF-8)")
    assert links[2].inner_text().startswith("CSV (CP949, 한글 윈도우)")
    resp = page.request.get(ui_server + hrefs[0])
    assert resp.ok and resp.body()[:3] == b"\xef\xbb\xbf"  # the BOM Excel needs
    assert resp.body()[3:].decode("utf-8").splitlines()[0].split(",")[0] != ""
    # schema.org JSON-LD in the page.
    ld = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert ld["@type"] == "Dataset" and ld["identifier"] == OPEN
    page.goto(ui_server + f"/datasets/{OPEN}")
    shot(page, "dataset")


def test_versions_with_change_notes(page: Any, ui_server: str, demo_platform: Any) -> None:
    name = "population-by-sigungu"
    page.goto(ui_server + f"/datasets/{name}")
    items = page.locator("ol.versions > li")
    assert items.count() == 2
    for v in demo_platform.catalog.get_dataset(name, principal=SYSTEM).versions:
        assert (v.change_note or "변경 설명 없음") in page.locator("ol.versions").inner_text()
    items.nth(1).get_by_role("link").click()
    page.wait_for_url(re.compile(r"version=1"))
    assert page.locator("#receipt-badge").inner_text().strip().endswith("검증됨")


def test_language_switch_keeps_the_page(page: Any, ui_server: str, shot: Any) -> None:
    page.goto(ui_server + "/search?q=%EA%B5%90%ED%86%B5%EC%82%AC%EA%B3%A0%EB%A5%BC")
    assert page.locator("html").get_attribute("lang") == "ko"
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"lang=en"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Find data", level=1).is_visible()
    assert (
        page.get_by_label("Search terms").input_value() == "교통사고를"
    )  # the query survived the switch
    # Links keep the language: follow a result to its dataset page.
    page.locator("ol.results h3 a").first.click()
    page.wait_for_url(re.compile(r"/datasets/.*lang=en"))
    assert page.get_by_role("heading", name="Integrity receipt").is_visible()
    assert page.locator("#receipt-badge").inner_text().strip().endswith("Verified")
    shot(page, "dataset-en")
    page.get_by_role("link", name="한국어").click()
    page.wait_for_url(re.compile(r"lang=ko"))
    assert page.get_by_role("heading", name="무결성 영수증").is_visible()


def _personal_values(platform: Any) -> list[str]:
    """Identifying cell values of the personal dataset (patient number, name, resident registration
    number, phone, address), read straight from its stored Parquet, not through the pages."""
    info = platform.catalog.get_version(PERSONAL, principal=SYSTEM)
    table = pq.read_table(platform.blobs.verify(info.content_hash)).slice(0, 200)
    values: set[str] = set()
    for name in ("환자번호", "이름", "주민등록번호", "전화번호", "주소"):
        values.update(str(v) for v in table.column(name).to_pylist() if v is not None)
    return sorted(values)


def test_personal_data_shows_no_rows_anywhere(
    page: Any, ui_server: str, shot: Any, demo_platform: Any
) -> None:
    secret = _personal_values(demo_platform)
    assert len(secret) > 500, "the check needs distinctive values to look for"
    page.goto(ui_server + f"/datasets/{PERSONAL}")
    assert page.locator("#personal-notice").is_visible()
    assert page.locator("#no-preview").is_visible()
    assert page.locator("table.preview").count() == 0
    assert page.locator(".downloads a").count() == 0
    assert page.locator("ul.profile").count() == 0
    shot(page, "dataset-personal")
    pages = [
        f"/datasets/{PERSONAL}",
        f"/datasets/{PERSONAL}?page=2",
        f"/datasets/{PERSONAL}?version=1&lang=en",
        "/",
        "/search",
        "/search?q=%EC%99%B8%EB%9E%98",
        "/organizations/nuri-hospital",
        "/ledger",
    ]
    for path in pages:
        page.goto(ui_server + path)
        html = page.content()
        leaked = [v for v in secret if v in html]
        assert not leaked, f"{path} shows values from the personal rows: {leaked[:5]}"


def test_organisation_pages(page: Any, ui_server: str, shot: Any, demo_platform: Any) -> None:
    page.goto(ui_server + "/organizations")
    assert page.locator("ul.cards > li").count() == len(demo_platform.catalog.list_organizations())
    page.get_by_role("link", name="경찰청").click()
    page.wait_for_url(re.compile(r"/organizations/knpa"))
    titles = page.locator("ul.results h3").all_inner_texts()
    assert sorted(titles) == sorted(
        d.title for d in demo_platform.catalog.list_datasets(organization="knpa", principal=SYSTEM)
    )
    shot(page, "organization")


def test_ledger_explorer_and_receipt_lookup(
    page: Any, ui_server: str, shot: Any, demo_platform: Any
) -> None:
    page.goto(ui_server + "/ledger")
    size = demo_platform.ledger.size()
    assert page.locator("dl.meta dd").nth(1).inner_text() == f"{size:,}"
    assert page.locator("#entries ~ .table-wrap tbody tr").count() == min(size, 20)
    shot(page, "ledger")
    page.get_by_label("기록 번호로 영수증 조회").fill("2")
    page.get_by_role("button", name="조회").click()
    page.wait_for_url(re.compile(r"/ledger/entries/2"))
    assert page.locator("#receipt-badge").inner_text().strip().endswith("검증됨")
    subject = demo_platform.ledger.entry(2)["entry"]["subject"]  # dataset:NAME@N, in words
    name, _, number = subject.removeprefix("dataset:").partition("@")
    assert f"데이터셋 {name} · 버전 {number}" in page.locator("dl.meta").inner_text()
    shot(page, "ledger-entry")


@pytest.mark.parametrize(
    ("path", "status", "ko", "en"),
    [
        ("/datasets/no-such-dataset", 404, "페이지를 찾을 수 없습니다", "Page not found"),
        ("/organizations/no-such-org", 404, "페이지를 찾을 수 없습니다", "Page not found"),
        ("/ledger/entries/999999", 404, "페이지를 찾을 수 없습니다", "Page not found"),
        ("/search?page=x", 422, "요청이 올바르지 않습니다", "This request is not valid"),
    ],
)
def test_error_pages(
    page: Any, ui_server: str, shot: Any, path: str, status: int, ko: str, en: str
) -> None:
    resp = page.goto(ui_server + path)
    assert resp.status == status
    assert page.get_by_role("heading", level=1).inner_text() == ko
    assert page.locator("html").get_attribute("lang") == "ko"
    sep = "&" if "?" in path else "?"
    resp = page.goto(ui_server + path + sep + "lang=en")
    assert resp.status == status
    assert page.get_by_role("heading", level=1).inner_text() == en
    if path.startswith("/datasets/"):
        shot(page, "error-404-en")


def test_forbidden_and_server_error_pages(
    page: Any, ui_server: str, shot: Any, demo_platform: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datanuri import errors

    def refuse(*_a: Any, **_k: Any) -> Any:
        raise errors.PermissionDenied("You may not see this organisation.")

    monkeypatch.setattr(demo_platform.catalog, "get_organization", refuse)
    resp = page.goto(ui_server + "/organizations/knpa")
    assert resp.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "볼 수 있는 권한이 없습니다"
    shot(page, "error-403")

    def crash(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("database exploded: secret internals")

    monkeypatch.setattr(demo_platform.catalog, "get_organization", crash)
    resp = page.goto(ui_server + "/organizations/knpa?lang=en")
    assert resp.status == 500
    assert page.get_by_role("heading", level=1).inner_text() == "Something went wrong"
    assert "secret internals" not in page.content()
    # The API keeps its JSON errors.
    api = page.request.get(ui_server + "/api/v1/datasets/no-such-dataset")
    assert api.status == 404 and api.json()["error"]["code"] == "not_found"


def test_keyboard_reaches_search_and_focus_is_visible(page: Any, ui_server: str) -> None:
    page.goto(ui_server + "/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "본문 바로가기"
    outline = skip.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("미세먼지")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    assert page.locator("ol.results > li").count() >= 1


def test_mobile_layout_has_no_sideways_scroll(chromium: Any, ui_server: str, shot: Any) -> None:
    ctx = chromium.new_context(locale="ko-KR", viewport={"width": 390, "height": 844})
    try:
        pg = ctx.new_page()
        for path, name in (
            (f"/datasets/{OPEN}", "dataset-mobile"),
            ("/search?q=%EC%9D%B8%EA%B5%AC", "search-mobile"),
        ):
            pg.goto(ui_server + path)
            assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
                path
            )
            shot(pg, name)
    finally:
        ctx.close()


def test_logged_in_publisher_sees_restricted_rows_but_never_personal_ones(
    page: Any, ui_server: str, demo_platform: Any
) -> None:
    from datanuri.demo.load import DEMO_PASSWORD

    page.goto(ui_server + "/login?lang=ko")
    page.get_by_label("이메일").fill("publisher@datanuri.local")
    page.get_by_label("비밀번호").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url(re.compile(r"/account"))
    # Restricted data: the holder's editor sees rows (anonymous visitors get a notice instead).
    page.goto(ui_server + "/datasets/seoul-112-calls")
    assert page.locator("table.preview tbody tr").count() == 20
    assert page.locator(".downloads a").count() == 5
    # Personal data: even the holder's editor gets no rows and no value distributions on a page.
    secret = _personal_values(demo_platform)
    page.goto(ui_server + f"/datasets/{PERSONAL}")
    assert page.locator("table.preview").count() == 0 and page.locator("ul.profile").count() == 0
    html = page.content()
    assert not [v for v in secret if v in html]


def test_anonymous_gets_no_restricted_rows(page: Any, ui_server: str) -> None:
    page.goto(ui_server + "/datasets/seoul-112-calls")
    assert page.locator("#no-preview").is_visible()
    assert page.locator("table.preview").count() == 0
    assert page.locator(".downloads a").count() == 0


def test_ledger_explorer_shows_witness_cosignatures(
    page: Any, ui_server: str, demo_platform: Any, tmp_path: Any
) -> None:
    from datanuri.ledger.checkpoint import add_signature_lines
    from datanuri.ledger.cosign import cosign
    from datanuri.ledger.witness import Witness

    ledger = demo_platform.ledger
    witness = Witness(tmp_path / "w", name="witness.test/ui")
    witness.ensure_key()
    ledger.add_witness(witness.vkey())
    cp = ledger.checkpoint()
    ledger.add_cosignature(
        add_signature_lines(cp.note, [cosign(cp.checkpoint.body(), witness.signer()).line()])
    )
    page.goto(ui_server + "/ledger")
    assert "witness.test/ui" in page.locator("#checkpoint + dl").inner_text()
    page.goto(ui_server + f"/datasets/{OPEN}")
    assert page.locator(".receipt").get_attribute("data-verified") == "true"
    assert "witness.test/ui" in page.locator(".receipt").inner_text()
