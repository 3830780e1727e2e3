"""/docs and /redoc work on a closed network: Swagger UI and ReDoc come from this server, and the
page renders the API's operations with every request to another host blocked."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser


def _offline(page: Any, server: str) -> list[str]:
    """Block every request that leaves `server`; return the list of what was blocked."""
    host = urlparse(server).netloc
    blocked: list[str] = []

    def route(r: Any) -> None:
        if urlparse(r.request.url).netloc == host:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return blocked


def test_swagger_ui_renders_without_internet(page: Any, ui_server: str) -> None:
    blocked = _offline(page, ui_server)
    page.goto(ui_server + "/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/datasets" in p for p in paths) and len(paths) > 40
    assert blocked == []


def test_redoc_renders_without_internet(page: Any, ui_server: str) -> None:
    blocked = _offline(page, ui_server)
    page.goto(ui_server + "/redoc")
    page.wait_for_selector("h1", timeout=30_000)
    page.get_by_text("/api/v1/datasets", exact=False).first.wait_for(timeout=30_000)
    assert all("fonts.googleapis.com" in u for u in blocked)  # ReDoc's optional web font only
