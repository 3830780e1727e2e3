"""The linkage zone's world: a project with its members by role, on both databases."""

from __future__ import annotations

from typing import Any

import pytest

from datanuri.accounts.principal import SYSTEM
from tests.helpers import PASSWORD
from tests.linkage.test_zone import World, draft


@pytest.fixture
def world(platform: Any) -> World:
    acc = platform.accounts
    for org in ("zone", "power", "nhis", "school"):
        acc.create_organization(org, title=org, principal=SYSTEM)
    names = ["operator", "authority", "power", "nhis", "school", "analyst", "reviewer", "both"]
    for name in names:
        acc.create_user(
            f"{name}@example.org", display_name=name, password=PASSWORD, principal=SYSTEM
        )
    acc.add_member("zone", "operator@example.org", role="editor", principal=SYSTEM)
    for org in ("power", "nhis", "school"):
        acc.add_member(org, f"{org}@example.org", role="editor", principal=SYSTEM)
    pr = {n: acc.principal_for(f"{n}@example.org") for n in names}
    w = World(
        platform,
        pr["operator"],
        pr["authority"],
        {o: pr[o] for o in ("power", "nhis", "school")},
        pr["analyst"],
        pr["reviewer"],
        pr["both"],
    )
    platform.linkage.create_project(draft(), principal=w.operator)
    return w
