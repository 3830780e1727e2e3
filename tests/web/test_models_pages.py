"""The model registry's console pages on the demo's flagship case: the registry lists the
welfare-risk model and its monitor; the model page shows the card, the failed audit and, to its
owner only, the drift figures; the card's HTML answers in Korean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datanuri.accounts.principal import SYSTEM
from datanuri.demo.ai import BIASED, OWNER, SUBJECTS, SYSTEM_NAME, seed_demo_ai
from tests.helpers import PASSWORD
from tests.web.test_console_pages import login


def test_model_pages(platform: Any, api: Any, tmp_path: Path) -> None:
    for email in (OWNER, *SUBJECTS):
        platform.accounts.create_user(
            email, display_name=email[:5], password=PASSWORD, principal=SYSTEM
        )
    seed_demo_ai(platform, tmp_path)
    assert api.get("/console/ai/models", follow_redirects=False).status_code in (302, 303)
    owner, _ = login(api, OWNER)
    page = owner.get("/console/ai/models?lang=en")
    assert page.status_code == 200 and SYSTEM_NAME in page.text and "2026.1" in page.text
    detail = owner.get(f"/console/ai/models/{SYSTEM_NAME}/2026.1?lang=en")
    assert detail.status_code == 200
    assert f"Proxies of a protected attribute: {BIASED}" in detail.text
    assert 'class="drift"' in detail.text  # the owner sees the drift figures
    other, _ = login(api, SUBJECTS[1])
    seen = other.get(f"/console/ai/models/{SYSTEM_NAME}/2026.1?lang=en")
    assert seen.status_code == 200 and 'class="drift"' not in seen.text
    card = api.get(f"/api/v1/ai/models/{SYSTEM_NAME}/2026.1/card.html?lang=ko")
    assert (
        card.status_code == 200
        and "모델 카드" in card.text
        and f"보호 속성의 대리 변수: {BIASED}" in card.text
    )
    card_json = api.get(f"/api/v1/ai/models/{SYSTEM_NAME}/2026.1/card").json()
    assert card_json["model"]["version"] == "2026.1" and card_json["datasheets"]
    assert card_json["decisions"] > 0 and card_json["drift"] is not None
