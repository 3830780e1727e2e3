"""The person's MyData dashboard in a real browser: a consent granted through the real OAuth flow
(PAR, login, consent screen, DPoP-bound token) and its transfer show on `/me/mydata` in Korean,
the signed receipt downloads and verifies, and the revoke button stops the recipient's very
next transfer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from datanuri.mydata.receipts import verify_receipt
from tests.helpers import PASSWORD
from tests.oauth.conftest import World, served, world  # noqa: F401 - the OAuth fixtures

pytestmark = pytest.mark.browser


def test_person_sees_consent_and_transfer_downloads_receipt_and_revokes(
    page: Any,
    world: World,  # noqa: F811 - the OAuth tests' fixture, imported above
    tmp_path: Path,
) -> None:
    token = world.tokens()
    consent_id = str(token["consent_id"])
    first = world.app.transfer("hospital", "visits")
    assert first.status_code == 200, first.text

    page.goto(f"{world.base}/login")
    page.get_by_label("이메일").fill("kim@example.org")
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인", exact=True).click()
    page.wait_for_load_state()
    page.goto(f"{world.base}/me/mydata")
    assert page.locator("h1").inner_text() == "나의 마이데이터"

    active = page.locator(f'#active-consents tr[data-consent-id="{consent_id}"]')
    assert "건강 도우미" in active.inner_text() and "유효" in active.inner_text()
    sent = page.locator(f'#transfers tr[data-consent-id="{consent_id}"]')
    assert sent.count() == 1 and "건강 도우미" in sent.inner_text()
    assert sent.locator("td.num").inner_text() == "2"  # kim's two visits

    with page.expect_download() as got:
        active.get_by_role("link", name="서명된 영수증").click()
    saved = tmp_path / "receipt.json"
    got.value.save_as(saved)
    receipt = json.loads(saved.read_text(encoding="utf-8"))
    vkey = world.platform.ledger.public_key()  # type: ignore[attr-defined]
    assert verify_receipt(receipt, vkey=vkey).consent_id == consent_id

    page.locator(f"#revoke-{consent_id}").click()
    page.locator("#revoked-notice").wait_for()
    assert page.locator(f'#active-consents tr[data-consent-id="{consent_id}"]').count() == 0
    assert (
        "철회됨" in page.locator(f'#past-consents tr[data-consent-id="{consent_id}"]').inner_text()
    )

    after = world.app.transfer("hospital", "visits")
    assert after.status_code == 403, after.text
