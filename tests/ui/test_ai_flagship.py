"""The demo's flagship AI case in a real browser: the owner finds the welfare-risk model in the
registry, its card with the proxy the audit caught and the drift check, the oversight dashboard
with the overturned contest, and the person who contested sees the corrected decision."""

from __future__ import annotations

import re
from typing import Any

import pytest

from datanuri.demo.ai import BIASED, CONTESTANT, SYSTEM_NAME
from tests.ui.test_console import _login

pytestmark = pytest.mark.browser


def test_flagship_ai_case(page: Any, ui_server: str, demo_platform: Any) -> None:
    _login(page, ui_server, next_path="/console/ai/models")
    page.get_by_role("link", name=SYSTEM_NAME, exact=True).click()
    page.wait_for_url(re.compile(rf"/console/ai/models/{SYSTEM_NAME}/2026\.1"))
    assert BIASED in page.locator("strong.proxies").inner_text()
    assert page.locator("table.drift").count() >= 1
    page.goto(f"{ui_server}/console/ai/systems/{SYSTEM_NAME}")
    assert "1 / 1" in page.locator("#totals").inner_text()  # one contest, overturned
    page.context.clear_cookies()
    person = demo_platform.accounts.principal_for(CONTESTANT)
    active = next(d for d in demo_platform.decisions.mine(principal=person) if d.corrects)
    _login(page, ui_server, email=CONTESTANT, next_path=f"/decisions/{active.reference}")
    assert active.reference in page.content()
    assert "visit" in page.content()
