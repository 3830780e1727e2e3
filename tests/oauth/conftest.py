"""A hospital with a personal dataset and a MyData offer, a person linked to their rows, and a
registered recipient app, served by a real uvicorn server on loopback."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from datanuri.accounts import SYSTEM
from datanuri.cli.mydata_client import RecipientApp, approve_as, code_of, new_key, public_jwks
from datanuri.mydata.rules import Item
from tests.helpers import PASSWORD

REDIRECT = "https://app.example/callback"
PURPOSE = "건강 관리 조언"
DETAILS = {
    "type": "mydata_transfer",
    "holder": "hospital",
    "dataset": "visits",
    "items": ["visits.basic"],
    "purpose": PURPOSE,
    "period_days": 30,
    "frequency": "periodic",
}
# (주민등록번호, visit date, department, diagnosis): two people, one of them twice.
ROWS = [
    ("900101-1234567", "2026-01-05", "내과", "J06.9"),
    ("851231-2345678", "2026-01-06", "외과", "S52.5"),
    ("900101-1234567", "2026-02-10", "안과", "H52.1"),
]


@dataclass
class World:
    base: str
    app: RecipientApp
    platform: object

    def consent(self, verifier: str | None = None, **details: object) -> tuple[str, str]:
        """Push, approve as the person and return (code, code_verifier)."""
        verifier = verifier or secrets.token_urlsafe(48)
        pushed = self.app.push({**DETAILS, **details}, code_verifier=verifier)
        assert pushed.status_code == 201, pushed.text
        where = approve_as(
            self.base,
            self.app.authorize_url(pushed.json()["request_uri"]),
            "kim@example.org",
            PASSWORD,
        )
        assert where.startswith(REDIRECT)
        return code_of(where), verifier

    def tokens(self) -> dict[str, object]:
        code, verifier = self.consent()
        got = self.app.exchange(code, code_verifier=verifier)
        assert got.status_code == 200, got.text
        return got.json()


@dataclass
class Served:
    base: str
    platform: Any
    client_id: str
    key: Any


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One platform and server per test module (SQLite): the tests each make their own consent,
    so they share the hospital, the person and the app instead of building them each time."""
    from datanuri.config import Config
    from datanuri.platform import Platform
    from datanuri.web.app import create_app
    from tests.helpers import serve_app

    tmp = tmp_path_factory.mktemp("oauth")
    platform = Platform(
        Config(
            data_dir=tmp / "data",
            database_url=f"sqlite:///{tmp / 'test.db'}",
            rate_limit_per_minute=1_000_000,
            rate_limit_burst=1_000_000,
            second_factor_policy="off",
        )
    )
    try:
        client_id, key = _seed(platform, tmp)
        with serve_app(create_app(platform)) as base:
            yield Served(base, platform, client_id, key)
    finally:
        platform.close()


def _seed(platform: Any, tmp: Path) -> tuple[str, Any]:
    acc = platform.accounts
    for email, name in [("kim@example.org", "김민지"), ("owner@example.org", "앱 운영자")]:
        acc.create_user(email, display_name=name, password=PASSWORD, principal=SYSTEM)
    acc.create_organization("hospital", title="서울병원", principal=SYSTEM)
    acc.create_organization("apps", title="건강앱 주식회사", principal=SYSTEM)
    acc.add_member("apps", "owner@example.org", role="owner", principal=SYSTEM)
    csv = tmp / "visits.csv"
    csv.write_text(
        "주민등록번호,visit_date,department,diagnosis\n"
        + "\n".join(",".join(r) for r in ROWS)
        + "\n",
        encoding="utf-8",
    )
    platform.catalog.create_dataset(
        "visits",
        organization="hospital",
        title="진료 기록",
        access_level="personal",
        principal=SYSTEM,
    )
    platform.catalog.publish("visits", csv, principal=SYSTEM)
    platform.mydata.link_person("kim@example.org", ROWS[0][0], principal=SYSTEM)
    platform.mydata.declare_offer(
        "visits",
        subject_column="주민등록번호",
        items=(
            Item("visits.basic", ("visit_date", "department"), "진료 기본 정보", "Visit basics"),
            Item("visits.diagnosis", ("diagnosis",), "진단명", "Diagnosis"),
        ),
        principal=SYSTEM,
    )
    key = new_key()
    made = platform.oauth.register_client(
        acc.principal_for("owner@example.org"),
        name="건강 도우미",
        organization="apps",
        purposes=[PURPOSE],
        redirect_uris=[REDIRECT],
        jwks=public_jwks(key),
    )
    return made.client_id, key


@pytest.fixture
def world(served: Served) -> World:
    """The shared server with a fresh app session (its own DPoP key and tokens)."""
    app = RecipientApp(served.base, served.client_id, served.key, REDIRECT)
    return World(served.base, app, served.platform)
