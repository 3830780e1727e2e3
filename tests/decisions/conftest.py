"""A world for the decision tests: the owner organisation with a registered logistic system, a
reviewing organisation, people, and a fitted model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from datanuri.accounts.principal import SYSTEM, Principal
from datanuri.decisions.records import DecisionDraft
from datanuri.decisions.systems import ModelCard
from tests.helpers import PASSWORD, air_csv

CATALOGUE = {
    "R01": {
        "ko": "소득이 기준보다 낮습니다.",
        "en": "Income is below the baseline.",
        "feature": "income",
    },
    "R02": {"ko": "연체 횟수가 많습니다.", "en": "Many late payments.", "feature": "late"},
    "R03": {"ko": "부채 비율이 높습니다.", "en": "High debt ratio.", "feature": "debt"},
}
COEF = {"income": 0.8, "late": -1.2, "debt": -0.5}
BASELINE = {"income": 3.0, "late": 1.0, "debt": 0.4}


@dataclass
class World:
    p: Any
    owner: Principal  # editor of the owner organisation "bank"
    reviewer: Principal  # reviewer role in "ombuds"
    owner_reviewer: Principal  # reviewer role, but also a member of "bank"
    person: Principal  # has an account, named as the subject of some decisions
    other: Principal  # a signed-in stranger
    admin: Principal
    n: int = 0

    def draft(self, **kw: Any) -> DecisionDraft:
        self.n += 1
        base: dict[str, Any] = {
            "system": "loan-screening",
            "model_version": "v1",
            "idempotency_key": f"k-{self.n}",
            "inputs": {"income": 2.0, "late": 3.0, "debt": 0.6},
            "output": "deny",
        }
        base.update(kw)
        return DecisionDraft(**base)


@pytest.fixture
def world(platform: Any, tmp_path: Any) -> World:
    acc = platform.accounts
    acc.create_organization("bank", title="은행", principal=SYSTEM)
    acc.create_organization("ombuds", title="옴부즈", principal=SYSTEM)
    users = {
        "owner": None,
        "reviewer": None,
        "owner_reviewer": None,
        "person": None,
        "other": None,
        "admin": "admin",
    }
    for name, role in users.items():
        acc.create_user(
            f"{name}@example.org",
            display_name=name,
            password=PASSWORD,
            platform_role=role,
            principal=SYSTEM,
        )
    acc.add_member("bank", "owner@example.org", role="editor", principal=SYSTEM)
    acc.add_member("ombuds", "reviewer@example.org", role="reviewer", principal=SYSTEM)
    acc.add_member("ombuds", "owner_reviewer@example.org", role="reviewer", principal=SYSTEM)
    acc.add_member("bank", "owner_reviewer@example.org", role="member", principal=SYSTEM)
    platform.catalog.create_dataset("loans", organization="bank", principal=SYSTEM)
    platform.catalog.publish("loans", air_csv(tmp_path / "loans.csv"), principal=SYSTEM)
    pr = {k: acc.principal_for(f"{k}@example.org") for k in users}
    platform.decisions.register_system(
        "loan-screening",
        organization="bank",
        title="대출 심사",
        purpose="Screening of small loan applications.",
        risk_level="high",
        card=ModelCard(
            intended_use="Pre-screening of loans up to 10M KRW.",
            limitations="Not validated for self-employed applicants.",
            metrics={"auc": 0.81},
            training_data=("loans@1",),
        ),
        reason_codes=CATALOGUE,
        principal=pr["owner"],
    )
    platform.decisions.add_model_version(
        "loan-screening",
        version="v1",
        kind="logistic",
        parameters={"coefficients": COEF, "intercept": 0.3, "baseline": BASELINE},
        principal=pr["owner"],
    )
    return World(platform, **pr)
