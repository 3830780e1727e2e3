"""The demo's AI accountability case: the model registered with its card, the biased feature
caught by both audits, decisions about demo people, one contest won on review, a drift run;
loading again adds nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from datanuri.accounts.principal import SYSTEM
from datanuri.audit.tables import Audit
from datanuri.demo.ai import BIASED, CONTESTANT, OWNER, SUBJECTS, SYSTEM_NAME, seed_demo_ai
from tests.helpers import PASSWORD


def test_flagship_case(platform: Any, tmp_path: Path) -> None:
    for email in (OWNER, *SUBJECTS):
        platform.accounts.create_user(
            email, display_name=email[:5], password=PASSWORD, principal=SYSTEM
        )
    assert seed_demo_ai(platform, tmp_path) == 1  # the training data's version
    (model,) = platform.models.models(SYSTEM_NAME)
    assert BIASED in model.features and model.ledger_index is not None
    with platform.db.session() as s:
        audits = {a.kind: a.result for a in s.scalars(select(Audit))}
    assert BIASED in [p["column"] for p in audits["dataset"]["proxies"] if p["flagged"]]
    assert audits["model"]["passed"] is False  # selection rates by sex fail the 0.8 rule
    person = platform.accounts.principal_for(CONTESTANT)
    mine = {d.status: d for d in platform.decisions.mine(principal=person)}
    assert mine["corrected"].output == "no-visit"  # the review overturned it:
    assert mine["active"].output == "visit" and mine["active"].corrects
    assert len(platform.decisions.decisions(SYSTEM_NAME, principal=SYSTEM)) == 4
    card = platform.models.card(SYSTEM_NAME, "2026.1")
    assert card.datasheets[0].audits and card.drift is not None
    assert seed_demo_ai(platform, tmp_path) == 0  # again: nothing
