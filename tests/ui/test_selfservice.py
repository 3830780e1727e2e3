"""Self-service in the browser over the demo: sign up → open the .eml in the outbox → follow its
link → log in; forgot password → reset → the old password fails; an API key from the account
page used with an HTTP client and revoked; and the dataset page's API examples, run for real."""

from __future__ import annotations

import email
import email.policy
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from datanuri.accounts import SYSTEM
from datanuri.accounts.mail import outbox_files

pytestmark = pytest.mark.browser

PW = "my own passphrase 1"
NEW_PW = "another passphrase 2"
OPEN = "air-quality-seoul-daily"


def mailed_link(platform: Any, to: str, path: str) -> str:
    """Path and query of the newest link to `path` in the outbox's newest mail to `to` (the
    server's public address in the mail is the configured one, not the test server's port)."""
    for file in reversed(outbox_files(platform.config.outbox_path)):
        msg = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
        if msg["To"] == to:
            body = msg.get_content()  # type: ignore[attr-defined]
            found = re.search(r"https?://[^/\s]+" + re.escape(path) + r"\?\S+", body)
            assert found, body
            url = urlsplit(found.group(0))
            return f"{url.path}?{url.query}"
    raise AssertionError(f"no mail to {to} in the outbox")


def sign_up(page: Any, base: str, email_addr: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_role("link", name="회원가입").click()
    page.wait_for_url(re.compile(r"/signup\?"))
    page.get_by_label("이메일").fill(email_addr)
    page.get_by_label("이름").fill(name)
    page.get_by_label("비밀번호", exact=True).fill(PW)
    page.get_by_label("비밀번호 확인").fill(PW)
    page.get_by_role("button", name="가입하고 확인 메일 받기").click()
    page.locator("#sent-notice").wait_for()


def log_in(page: Any, base: str, email_addr: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("이메일").fill(email_addr)
    page.get_by_label("비밀번호").fill(password)
    page.get_by_role("button", name="로그인", exact=True).click()


def test_sign_up_verify_by_the_mailed_link_and_log_in(
    page: Any, ui_server: str, demo_platform: Any, shot: Any
) -> None:
    addr = "signup-ui@example.org"
    sign_up(page, ui_server, addr, "가입 시험")
    assert "확인 메일을 보냈습니다" in page.locator("#sent-notice").inner_text()
    shot(page, "signup-sent")
    # Not confirmed yet: the login says so and offers the mail again.
    log_in(page, ui_server, addr, PW)
    assert "이메일 주소 확인이 아직 끝나지 않았습니다" in page.locator("p.error").inner_text()
    page.get_by_role("button", name="확인 메일 다시 보내기").click()
    page.locator("#sent-notice").wait_for()
    # The .eml in the outbox holds the link; following it and pressing the button confirms.
    page.goto(ui_server + mailed_link(demo_platform, addr, "/signup/verify"))
    shot(page, "signup-verify")
    page.get_by_role("button", name="이메일 주소 확인하기").click()
    page.wait_for_url(re.compile(r"/login\?.*notice=verified"))
    assert "이메일 주소를 확인했습니다" in page.locator("#login-notice").inner_text()
    log_in(page, ui_server, addr, PW)
    page.wait_for_url(re.compile(r"/account\?"))
    assert page.get_by_role("heading", name="가입 시험").is_visible()


def test_forgot_password_reset_and_the_old_one_fails(
    chromium: Any, page: Any, ui_server: str, demo_platform: Any, shot: Any
) -> None:
    addr = "reset-ui@example.org"
    demo_platform.selfservice.sign_up(addr, display_name="재설정 시험", password=PW)
    demo_platform.selfservice.verify_email(
        mailed_link(demo_platform, addr, "/signup/verify").split("token=")[1]
    )
    # A session elsewhere, which the reset must end.
    other = chromium.new_context(locale="ko-KR")
    try:
        elsewhere = other.new_page()
        log_in(elsewhere, ui_server, addr, PW)
        elsewhere.wait_for_url(re.compile(r"/account\?"))

        page.goto(f"{ui_server}/login")
        page.get_by_role("link", name="비밀번호를 잊으셨나요?").click()
        page.get_by_label("이메일").fill(addr)
        page.get_by_role("button", name="재설정 링크 받기").click()
        assert "재설정 링크를 보냈습니다" in page.locator("#sent-notice").inner_text()
        link = mailed_link(demo_platform, addr, "/password/reset")
        page.goto(ui_server + link)
        page.get_by_label("새 비밀번호", exact=True).fill(NEW_PW)
        page.get_by_label("새 비밀번호 확인").fill(NEW_PW)
        shot(page, "password-reset")
        page.get_by_role("button", name="비밀번호 바꾸기").click()
        page.wait_for_url(re.compile(r"/login\?.*notice=reset"))

        log_in(page, ui_server, addr, PW)  # the old password
        assert "이메일 또는 비밀번호가 맞지 않습니다" in page.locator("p.error").inner_text()
        log_in(page, ui_server, addr, NEW_PW)
        page.wait_for_url(re.compile(r"/account\?"))
        elsewhere.goto(f"{ui_server}/account")  # that session has ended
        assert re.search(r"/login\?", elsewhere.url)
        page.goto(ui_server + link)  # the link worked once
        assert "이미 쓰였거나" in page.locator("#reset-error").inner_text()
    finally:
        other.close()


def test_api_key_from_the_account_page_works_until_revoked(
    page: Any, ui_server: str, demo_platform: Any, shot: Any
) -> None:
    addr = "key-ui@example.org"
    demo_platform.selfservice.sign_up(addr, display_name="인증키 시험", password=PW)
    demo_platform.selfservice.verify_email(
        mailed_link(demo_platform, addr, "/signup/verify").split("token=")[1]
    )
    log_in(page, ui_server, addr, PW)
    page.wait_for_url(re.compile(r"/account\?"))
    assert page.get_by_role("heading", name="인증키(API 키) 발급·관리").is_visible()
    page.get_by_label("이름", exact=True).fill("R 분석")
    page.get_by_role("button", name="인증키 발급").click()
    secret = page.locator("#token-secret").input_value()
    shot(page, "account-api-key")
    with httpx.Client(base_url=ui_server) as http:  # what curl -H "Authorization: ..." does
        auth = {"Authorization": f"Bearer {secret}"}
        me = http.get("/api/v1/me", headers=auth)
        assert me.status_code == 200 and me.json()["user"]["email"] == addr
        assert me.json()["scopes"] == ["read"]
        rows = http.get(f"/api/v1/datasets/{OPEN}/versions/latest/preview", headers=auth)
        assert rows.status_code == 200 and rows.json()["rows"]
        page.locator("#tokens-table tbody tr").first.get_by_role("button", name="폐기").click()
        page.get_by_role("button", name="폐기하기").click()
        page.wait_for_url(re.compile(r"revoked="))
        assert http.get("/api/v1/me", headers=auth).status_code == 401


def test_dataset_page_api_examples_run_as_shown(
    page: Any, ui_server: str, demo_platform: Any, shot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    page.goto(f"{ui_server}/datasets/{OPEN}")
    section = page.locator("#api-examples")
    section.scroll_into_view_if_needed()
    curl = page.locator("#api-code-curl").inner_text()
    assert f"{ui_server}/api/v1/datasets/{OPEN}/versions/" in curl
    assert "--data-urlencode" in curl
    title = demo_platform.catalog.get_dataset(OPEN, principal=SYSTEM).title
    assert f'q={title}"' in curl  # the page's real Korean title, sent URL-encoded
    page.locator("#api-python summary").click()
    page.locator("#api-r summary").click()
    shot(page, "dataset-api-examples")
    python = page.locator("#api-code-python").inner_text()
    r_code = page.locator("#api-code-r").inner_text()
    assert f'client.read_arrow("{OPEN}"' in python and "read.csv(" in r_code
    assert "library(httr2)" in r_code

    # The copy button copies the block as shown.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=ui_server)
    page.locator("#api-curl").get_by_role("button", name="복사").click()
    page.locator("#api-copy-status").filter(has_text="복사했습니다.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == curl

    # The Python example runs against this server as it is written.
    monkeypatch.chdir(tmp_path)
    scope: dict[str, Any] = {}
    exec(compile(python, "api-example.py", "exec"), scope)  # noqa: S102 - the page's own example
    assert scope["table"].num_rows == scope["df"].shape[0] > 0
    assert list(tmp_path.glob(f"{OPEN}-v*.csv"))
    if shutil.which("curl"):  # and the curl lines do what they say
        out = subprocess.run(
            ["bash", "-c", curl], cwd=tmp_path, capture_output=True, text=True, check=True
        ).stdout
        assert OPEN in out and '"rows"' in out
        downloaded = next(tmp_path.glob(f"{OPEN}-v*.csv")).read_bytes()
        assert downloaded.count(b"\n") == scope["table"].num_rows + 1
