"""A hospital with a personal dataset and a MyData offer, a person linked to their rows, and a
registered recipient app, served by a real uvicorn server on loopback."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

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


@pytest.fixture
def world(platform, live_server: str, tmp_path: Path) -> World:
    acc = platform.accounts
    for email, name in [("kim@example.org", "김민지"), ("owner@example.org", "앱 운영자")]:
        acc.create_user(email, display_name=name, password=PASSWORD, principal=SYSTEM)
    acc.create_organization("hospital", title="서울병원", principal=SYSTEM)
    acc.create_organization("apps", title="건강앱 주식회사", principal=SYSTEM)
    acc.add_member("apps", "owner@example.org", role="owner", principal=SYSTEM)
    csv = tmp_path / "visits.csv"
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
    return World(live_server, RecipientApp(live_server, made.client_id, key, REDIRECT), platform)
