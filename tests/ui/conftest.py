"""A live server over the demo data, and a headless Chromium driven by Playwright.

The browser tests run on SQLite only (the pages call the same services the API tests cover on
both backends). They skip, saying why, when Debian's Chromium or Playwright is missing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def ui_app(platform: Any) -> Any:
    """The whole web app, as `datanuri serve` runs it."""
    from datanuri.web.app import create_app

    return create_app(platform)


@pytest.fixture(scope="session")
def demo_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from datanuri.config import Config
    from datanuri.demo.load import load_demo
    from datanuri.platform import Platform

    root = tmp_path_factory.mktemp("ui")
    p = Platform(  # the second factor is tested in tests/accounts/test_mfa*.py
        Config(
            data_dir=root / "data",
            rate_limit_per_minute=1_000_000,
            rate_limit_burst=1_000_000,
            second_factor_policy="off",
        )
    )
    load_demo(p, root / "src")
    try:
        yield p
    finally:
        p.close()


@pytest.fixture(scope="session")
def ui_server(demo_platform: Any) -> Iterator[str]:
    """A real uvicorn server on a free loopback port over the demo data; yields its base URL."""
    from tests.helpers import serve_app

    with serve_app(ui_app(demo_platform)) as url:
        yield url


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"{CHROMIUM} is missing: install Debian's Chromium with `apt-get install -y chromium`"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(
            "Playwright for Python is missing: `pip install playwright` (no `playwright install` needed)"
        )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh page in a Korean-speaking browser (so Korean is what a Korean visitor gets)."""
    context = chromium.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture
def shot() -> Any:
    """`shot(page, name)`: save a full-page screenshot under artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(pg: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    return take


def has_browser() -> bool:
    return Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is not None


@pytest.fixture(autouse=True)
def _fresh_login_history(request: pytest.FixtureRequest) -> None:
    """Each browser test starts with no sign-in history on the demo server: the tests sign in as
    the same demo users more than 10 times in 10 minutes, which the login anomaly check rightly
    blocks as an attack (it is tested in tests/accounts)."""
    if "ui_server" not in request.fixturenames:
        return
    from sqlalchemy import delete

    from datanuri.accounts.models import AuthEventRow

    platform = request.getfixturevalue("demo_platform")
    with platform.db.session() as s:
        s.execute(delete(AuthEventRow))
