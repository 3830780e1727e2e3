"""Fixtures of the MyData tests: a hospital with a personal dataset of visits, an offer on it
and linked people, on both databases."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from datanuri.accounts import SYSTEM
from datanuri.accounts.principal import Principal
from datanuri.mydata.rules import Item
from tests.helpers import PASSWORD

RRN = {
    "kim": "900101-1234567",
    "lee": "851231-2345678",
    "park": "000229-3456789",
}
ITEMS = (
    Item("visits.basic", ("visit_date", "department"), "진료 기본 정보", "Visit basics"),
    Item("visits.diagnosis", ("diagnosis",), "진단명", "Diagnosis"),
)
T0 = dt.datetime(2027, 3, 1, 1, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


def visits_csv(path: Path, rows: list[tuple[str, str, str, str, str]]) -> Path:
    """A visits CSV: 주민등록번호, name, visit_date, department, diagnosis."""
    lines = ["주민등록번호,name,visit_date,department,diagnosis"]
    lines += [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


VISITS = [
    (RRN["kim"], "김민지", "2026-01-05", "내과", "J06.9"),
    (RRN["lee"], "이서준", "2026-01-06", "외과", "S52.5"),
    (RRN["kim"].replace("-", ""), "김민지", "2026-02-10", "내과", "E11.9"),
    (RRN["park"], "박지훈", "2026-02-11", "안과", "H52.1"),
    ("", "무명", "2026-02-12", "응급", "R50.9"),
]


@dataclass
class World:
    kim: Principal
    lee: Principal
    park: Principal
    editor: Principal
    admin: Principal
    stranger: Principal


@pytest.fixture
def clock(platform):
    c = Clock()
    platform.mydata.clock = c
    return c


@pytest.fixture
def world(platform, tmp_path, clock) -> World:
    acc = platform.accounts
    for key, role in [
        ("kim", None),
        ("lee", None),
        ("park", None),
        ("ed", None),
        ("adm", "admin"),
        ("who", None),
    ]:
        acc.create_user(
            f"{key}@example.org",
            display_name=key,
            password=PASSWORD,
            platform_role=role,
            principal=SYSTEM,
        )
    acc.create_organization("hospital", title="서울병원", principal=SYSTEM)
    acc.add_member("hospital", "ed@example.org", role="editor", principal=SYSTEM)
    cat = platform.catalog
    cat.create_dataset(
        "visits",
        organization="hospital",
        title="진료 기록",
        access_level="personal",
        principal=SYSTEM,
    )
    cat.publish("visits", visits_csv(tmp_path / "v.csv", VISITS), principal=SYSTEM)
    p = {
        k: acc.principal_for(f"{k}@example.org") for k in ("kim", "lee", "park", "ed", "adm", "who")
    }
    for k in ("kim", "lee", "park"):
        platform.mydata.link_person(f"{k}@example.org", RRN[k], principal=p["adm"])
    platform.mydata.declare_offer(
        "visits", subject_column="주민등록번호", items=ITEMS, principal=p["ed"]
    )
    return World(p["kim"], p["lee"], p["park"], p["ed"], p["adm"], p["who"])
