"""The publisher console and the tokens page in a real browser: create a dataset, upload a file
with row problems and follow the progress bars to 100 %, see the problems and the published
version, change the access level, and create, use and revoke an API token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from datanuri.accounts.principal import SYSTEM

pytestmark = pytest.mark.browser

PERSONAL = "nuri-hospital-outpatient-visits"
NEW = "console-test-stations"
ROWS = 40_000  # big enough that ingest takes a moment, small enough to stay quick
BAD_LINES = {11: "나이", 51: "측정값"}  # line -> column with a value of the wrong type
SHORT_LINE = 71  # a row with too few values: skipped
KOREAN_UI_WORDS = (
    "게시",
    "데이터셋",
    "공개",
    "기관",
    "버전",
    "변경",
    "파일",
    "설명",
    "토큰",
    "권한",
    "만료",
    "저장",
    "제목",
    "올리",
    "검사",
    "방식",
    "이름",
    "갱신",
    "없음",
    "폐기",
    "로그아웃",
    "관대",
    "엄격",
    "편집",
    "소유자",
)


def _csv(path: Path) -> Path:
    lines = ["측정소,나이,측정값,비고"] + [
        f"측정소{i},{i % 90},{i * 0.5:.1f},정상" for i in range(ROWS)
    ]
    lines[10] = "측정소x,열살,3.0,정상"  # file line 11
    lines[50] = "측정소y,30,없음,정상"  # file line 51
    lines[70] = "측정소z,30"  # file line 71
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _login(
    page: Any, base: str, email: str = "publisher@datanuri.local", next_path: str = "/console"
) -> None:
    from datanuri.demo.load import DEMO_PASSWORD

    page.goto(f"{base}/login?next={next_path}")
    page.get_by_label("이메일").fill(email)
    page.get_by_label("비밀번호").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url(re.compile(re.escape(next_path) + r"\?"))


@pytest.fixture
def publisher(page: Any, ui_server: str) -> Iterator[Any]:
    _login(page, ui_server)
    yield page


def _watch_bars(page: Any) -> None:
    """Record every aria-valuenow each progress bar takes (to check they only go up)."""
    page.evaluate("""() => {
      window.__bars = {"bar-upload": [], "bar-ingest": []};
      for (const id of Object.keys(window.__bars)) {
        const bar = document.getElementById(id);
        new MutationObserver(() => window.__bars[id].push(Number(bar.getAttribute("aria-valuenow"))))
          .observe(bar, {attributes: true, attributeFilter: ["aria-valuenow"]});
      }
    }""")


def test_create_upload_and_publish_with_progress(
    publisher: Any, ui_server: str, shot: Any, demo_platform: Any, tmp_path: Path
) -> None:
    page = publisher
    assert page.get_by_role("heading", level=1).inner_text() == "게시 관리"
    listed = {
        r.get_attribute("data-name") for r in page.locator("table.console-list tbody tr").all()
    }
    assert {"air-quality-seoul-daily", PERSONAL, "seoul-112-calls"} <= listed
    shot(page, "console-home")

    # Create a dataset; a bad identifier is refused in the form, keeping what was typed.
    page.get_by_role("link", name="새 데이터셋 만들기").click()
    page.wait_for_url(re.compile(r"/console/new"))
    page.get_by_label("기관").select_option("keco")
    page.get_by_label("식별자").fill("측정소 목록")
    page.get_by_label("제목", exact=True).fill("콘솔 시험 측정소")
    page.get_by_label("설명").fill("브라우저 시험으로 만든 데이터셋입니다.")
    page.get_by_label("주제").select_option("환경")
    page.get_by_label("키워드").fill("측정소, 시험")
    page.get_by_role("button", name="데이터셋 만들기").click()
    assert (
        page.locator("#name-error").inner_text().startswith("⚠")
        or page.locator("#name-error").is_visible()
    )
    assert page.get_by_label("식별자").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("제목", exact=True).input_value() == "콘솔 시험 측정소"
    assert page.get_by_label("키워드").input_value() == "측정소, 시험"
    shot(page, "console-new-error")
    page.get_by_label("식별자").fill(NEW)
    page.get_by_role("button", name="데이터셋 만들기").click()
    page.wait_for_url(re.compile(rf"/console/datasets/{NEW}\?"))
    assert page.locator("#saved").is_visible()
    assert page.locator("#no-versions").is_visible()
    ds = demo_platform.catalog.get_dataset(NEW, principal=SYSTEM)
    assert (ds.organization, ds.theme, ds.keywords, ds.access_level) == (
        "keco",
        "환경",
        ("측정소", "시험"),
        "open",
    )

    # Upload a file with three bad rows; both progress bars reach 100 and the result appears.
    page.get_by_label("파일", exact=True).set_input_files(str(_csv(tmp_path / "stations.csv")))
    page.get_by_label("변경 설명").fill("첫 공개")
    _watch_bars(page)
    page.get_by_role("button", name="올리고 게시하기").click()
    page.locator("#result-h").wait_for(timeout=60_000)
    assert page.locator("#bar-upload").get_attribute("aria-valuenow") == "100"
    assert page.locator("#bar-ingest").get_attribute("aria-valuenow") == "100"
    seen = page.evaluate("window.__bars")
    for name, values in seen.items():
        assert values and values[-1] == 100 and values == sorted(values), (name, values)
    assert page.locator("#upload-status").inner_text() == "완료: 100%"
    assert page.locator("#result-h").inner_text() == "버전 1을(를) 게시했습니다."
    assert page.locator("#result-rows").inner_text() == f"{ROWS - 1:,}행 × 4열"
    problems = page.locator("#result-problems table.problems tbody tr")
    problems.first.wait_for()
    assert page.locator("#problems-h").inner_text() == "행 문제 3건"
    lines = {
        int(r.locator("td").first.inner_text()): r.locator("td").nth(1).inner_text()
        for r in problems.all()
    }
    assert lines == {**BAD_LINES, SHORT_LINE: ""}
    assert "열살" in page.locator("#result-problems").inner_text()
    # The versions list below is refreshed from the server, and the "now upload" notice is gone.
    page.locator("#versions-table tbody tr").first.wait_for()
    assert "첫 공개" in page.locator("#versions-table").inner_text()
    assert page.locator("#saved").is_hidden()
    shot(page, "console-upload-done")
    info = demo_platform.catalog.get_version(NEW, principal=SYSTEM)
    assert (info.number, info.row_count, info.problem_count, info.change_note) == (
        1,
        ROWS - 1,
        3,
        "첫 공개",
    )

    # The public page shows the published version.
    page.locator("#result-public").click()
    page.wait_for_url(re.compile(rf"/datasets/{NEW}\?"))
    assert page.get_by_role("heading", level=1).inner_text() == "콘솔 시험 측정소"
    assert page.locator("#receipt-badge").inner_text().strip().endswith("검증됨")
    assert "첫 공개" in page.locator("ol.versions").inner_text()
    page.locator("#manage-link").click()
    page.wait_for_url(re.compile(rf"/console/datasets/{NEW}\?"))
    assert page.locator("#versions-table tbody tr").count() == 1

    # Strict mode: the same rows stop the upload and are listed; nothing new is published.
    page.get_by_label("파일", exact=True).set_input_files(str(_csv(tmp_path / "stations2.csv")))
    page.get_by_label("엄격").check()
    page.get_by_role("button", name="올리고 게시하기").click()
    error = page.locator("#upload-error")
    error.wait_for(timeout=60_000)
    assert "게시하지 못했습니다" in error.inner_text() and "strict mode" in error.inner_text()
    assert error.locator("table.problems tbody tr").count() == 3
    assert page.locator("#upload-result").is_hidden()
    assert "failed" in page.locator("#bar-ingest").get_attribute("class")
    assert "failed" not in page.locator("#bar-upload").get_attribute("class")
    assert page.locator("#upload-status").inner_text() == "게시하지 못했습니다."
    assert demo_platform.catalog.get_dataset(NEW, principal=SYSTEM).latest_version == 1
    shot(page, "console-upload-strict")


def test_change_access_level_with_confirmation(
    publisher: Any, ui_server: str, shot: Any, demo_platform: Any
) -> None:
    page = publisher
    name = "seoul-public-wifi"
    page.goto(f"{ui_server}/console/datasets/{name}")
    page.get_by_label("제한 공개").check()
    page.get_by_role("button", name="공개 수준 바꾸기").click()
    page.wait_for_url(re.compile(r"saved=access"))
    assert page.locator("#saved").inner_text() == "공개 수준을 바꿨습니다."
    assert demo_platform.catalog.get_dataset(name, principal=SYSTEM).access_level == "restricted"
    # Making it open again asks first; cancelling changes nothing.
    page.get_by_label("공개", exact=True).check()
    page.get_by_role("button", name="공개 수준 바꾸기").click()
    confirm = page.locator("#confirm-open")
    assert confirm.get_attribute("role") == "alertdialog"
    assert "누구나" in confirm.inner_text()
    assert page.evaluate("document.activeElement.id") == "confirm-open-button"
    shot(page, "console-confirm-open")
    confirm.get_by_role("link", name="취소").click()
    assert demo_platform.catalog.get_dataset(name, principal=SYSTEM).access_level == "restricted"
    page.get_by_label("공개", exact=True).check()
    page.get_by_role("button", name="공개 수준 바꾸기").click()
    page.get_by_role("button", name="공개로 바꾸기").click()
    page.wait_for_url(re.compile(r"saved=access"))
    assert demo_platform.catalog.get_dataset(name, principal=SYSTEM).access_level == "open"
    events = [
        e["entry"]
        for e in demo_platform.ledger.entries(0, demo_platform.ledger.size())
        if e["entry"].get("subject") == f"dataset:{name}"
        and e["entry"].get("type") == "dataset.access.changed"
    ]
    assert [(e["data"]["from"], e["data"]["to"]) for e in events][-2:] == [
        ("open", "restricted"),
        ("restricted", "open"),
    ]


def test_personal_dataset_points_to_the_wizard(
    publisher: Any, ui_server: str, shot: Any, demo_platform: Any
) -> None:
    page = publisher
    page.goto(f"{ui_server}/console/datasets/{PERSONAL}")
    assert page.locator("#personal-note").is_visible()
    assert (
        page.locator("#wizard-link")
        .get_attribute("href")
        .startswith(f"/console/datasets/{PERSONAL}/deidentify")
    )
    assert page.locator("#access-form").count() == 0  # only a de-identified release makes it open
    assert page.locator("#personal-stays").is_visible()
    shot(page, "console-personal")
    assert demo_platform.catalog.get_dataset(PERSONAL, principal=SYSTEM).access_level == "personal"


def test_console_in_english_and_on_a_phone(chromium: Any, ui_server: str, shot: Any) -> None:
    ctx = chromium.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    try:
        pg = ctx.new_page()
        pg.set_default_timeout(15_000)
        from datanuri.demo.load import DEMO_PASSWORD

        pg.goto(f"{ui_server}/login?next=/console&lang=en")
        pg.get_by_label("E-mail").fill("publisher@datanuri.local")
        pg.get_by_label("Password").fill(DEMO_PASSWORD)
        pg.get_by_role("button", name="Log in").click()
        pg.wait_for_url(re.compile(r"/console\?lang=en"))
        assert pg.locator("html").get_attribute("lang") == "en"
        assert pg.get_by_role("heading", level=1).inner_text() == "Publish"
        for path, name in (
            ("/console?lang=en", "console-home-mobile-en"),
            ("/console/datasets/air-quality-seoul-daily?lang=en", "console-dataset-mobile-en"),
            ("/console/new?lang=en", "console-new-mobile-en"),
            ("/account?lang=en", "account-mobile-en"),
        ):
            pg.goto(ui_server + path)
            assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
                path
            )
            # Data (titles, change notes in table cells) stays Korean; the interface around it may not.
            text = pg.evaluate("""() => { const m = document.querySelector("main").cloneNode(true);
                m.querySelectorAll("td, h1").forEach(e => e.remove()); return m.innerText; }""")
            left = [w for w in KOREAN_UI_WORDS if w in text]
            assert not left, f"Korean interface words left on {path}: {left}"
            shot(pg, name)
    finally:
        ctx.close()


def test_user_without_an_editor_role_gets_an_explanation(
    page: Any, ui_server: str, shot: Any
) -> None:
    _login(page, ui_server, email="analyst@datanuri.local")
    assert page.locator("#not-editor").is_visible()
    assert page.get_by_role("link", name="새 데이터셋 만들기").count() == 0
    shot(page, "console-not-editor")
    resp = page.goto(f"{ui_server}/console/new")
    assert resp.status == 403
    resp = page.goto(f"{ui_server}/console/datasets/air-quality-seoul-daily")
    assert resp.status == 403


def test_tokens_create_show_once_use_and_revoke(chromium: Any, ui_server: str, shot: Any) -> None:
    ctx = chromium.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=ui_server)
    try:
        page = ctx.new_page()
        page.set_default_timeout(15_000)
        _login(page, ui_server, next_path="/account")
        page.get_by_label("이름", exact=True).fill("노트북 스크립트")
        page.get_by_label("게시", exact=True).check()
        page.get_by_label("만료").select_option("30")
        page.get_by_role("button", name="인증키 발급").click()
        box = page.locator("#new-token")
        assert "지금 한 번만 보입니다" in box.inner_text()
        secret = page.locator("#token-secret").input_value()
        assert secret.startswith("dn_") and len(secret) > 20
        page.get_by_role("button", name="복사").click()
        page.locator("#copy-status").filter(has_text="복사했습니다.").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == secret
        row = page.locator("#tokens-table tbody tr").first
        assert (
            "노트북 스크립트" in row.inner_text()
            and "읽기" in row.inner_text()
            and "게시" in row.inner_text()
        )
        shot(page, "account-token-created")
        # The token works, and the secret is not shown again.
        me = page.request.get(
            ui_server + "/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
        )
        assert me.ok and me.json()["user"]["email"] == "publisher@datanuri.local"
        assert sorted(me.json()["scopes"]) == ["publish", "read"]
        page.goto(f"{ui_server}/account")
        assert secret not in page.content()
        # Revoke, after a confirmation; the token stops working at once.
        token_id = page.locator("#tokens-table tbody tr").first.get_attribute("data-token-id")
        page.locator(f'tr[data-token-id="{token_id}"]').get_by_role(
            "button", name="토큰 폐기: 노트북 스크립트"
        ).click()
        assert page.locator("#confirm-revoke").is_visible()
        shot(page, "account-token-revoke-confirm")
        page.get_by_role("button", name="폐기하기").click()
        page.wait_for_url(re.compile(r"revoked="))
        assert page.locator("#token-notice").inner_text() == "토큰을 폐기했습니다."
        assert "폐기됨" in page.locator(f'tr[data-token-id="{token_id}"]').inner_text()
        gone = page.request.get(
            ui_server + "/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
        )
        assert gone.status == 401
        shot(page, "account-tokens")
    finally:
        ctx.close()


def test_upload_errors_are_shown_clearly(
    publisher: Any, ui_server: str, shot: Any, demo_platform: Any, tmp_path: Path
) -> None:
    page = publisher
    name = "population-by-sigungu"
    before = demo_platform.catalog.get_dataset(name, principal=SYSTEM).latest_version
    page.goto(f"{ui_server}/console/datasets/{name}")
    error = page.locator("#upload-error")
    # An empty file is refused before anything is sent.
    (tmp_path / "empty.csv").write_bytes(b"")
    page.get_by_label("파일", exact=True).set_input_files(str(tmp_path / "empty.csv"))
    page.get_by_role("button", name="올리고 게시하기").click()
    assert "빈 파일입니다" in error.inner_text()
    assert page.evaluate("document.activeElement.id") == "upload-error"  # the error takes the focus
    # A file over the server's limit (here lowered in the page) is refused with both sizes.
    page.locator("#upload-form").evaluate("f => f.dataset.maxBytes = '100'")
    page.get_by_label("파일", exact=True).set_input_files(str(_csv(tmp_path / "big.csv")))
    page.get_by_role("button", name="올리고 게시하기").click()
    assert "파일이 너무 큽니다" in error.inner_text() and "100 B" in error.inner_text()
    # A file that is not a table: the server's message, after the upload reached 100 %.
    page.reload()
    (tmp_path / "photo.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    page.get_by_label("파일", exact=True).set_input_files(str(tmp_path / "photo.csv"))
    page.get_by_role("button", name="올리고 게시하기").click()
    error.wait_for(timeout=60_000)
    assert (
        "게시하지 못했습니다" in error.inner_text()
        and "does not look like a table" in error.inner_text()
    )
    assert (
        "파일을 표로 읽지 못했습니다" in error.inner_text()
    )  # a Korean summary above the server's English message
    assert page.locator("#bar-upload").get_attribute("aria-valuenow") == "100"
    assert page.get_by_role("button", name="올리고 게시하기").is_enabled()  # one may try again
    shot(page, "console-upload-bad-file")
    assert demo_platform.catalog.get_dataset(name, principal=SYSTEM).latest_version == before


def test_upload_form_works_from_the_keyboard(publisher: Any, ui_server: str) -> None:
    page = publisher
    page.goto(f"{ui_server}/console/datasets/air-quality-seoul-daily")
    page.get_by_label("파일", exact=True).focus()
    order = []
    for _ in range(5):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id"))
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    assert order == [
        "change_note",
        "mode-lenient",
        "table-layout-summary",
        "upload-button",
        "access-open",
    ]
    for _ in range(3):
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowDown")  # radio groups move with the arrow keys
    assert page.locator("#mode-strict").is_checked()
