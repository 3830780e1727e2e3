"""The demo's firms and projects: three firms, one project in each state, delivered results that
are published datasets, and a second load that adds nothing."""

from __future__ import annotations

import pytest

from datanuri.accounts import SYSTEM
from datanuri.demo.load import load_demo

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_demo_has_a_project_in_each_state(platform, tmp_path):
    load_demo(platform, tmp_path / "src")
    desk = platform.firm_desk
    assert {f.name for f in desk.firms()} == {"gaon-analytics", "narae-privacy", "haneul-ai"}
    projects = desk.projects(principal=SYSTEM)
    assert sorted(p.status for p in projects) == sorted(
        ["open", "awarded", "delivered", "completed", "cancelled"]
    )
    by = {p.status: p for p in projects}
    assert len(by["open"].offers) == 2  # the system (an admin) sees every offer
    assert by["completed"].certifications == ("pseudonym_linkage",)
    for state in ("delivered", "completed"):
        p = by[state]
        assert platform.catalog.get_version(p.dataset, p.version, principal=SYSTEM)
    assert desk.profile("narae-privacy").rating == 5.0
    assert load_demo(platform, tmp_path / "src") == 0
    assert len(desk.projects(principal=SYSTEM)) == 5
