"""The dataset and ledger-entry pages check receipts server-side with `Ledger.check_receipt` (its
subject and content checks are tested in tests/ledger/test_receipt_check.py)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from datanuri.accounts.principal import SYSTEM
from tests.helpers import air_csv


@pytest.fixture
def published(platform, tmp_path):
    platform.accounts.create_organization("seoul", principal=SYSTEM)
    platform.catalog.create_dataset("air", organization="seoul", title="대기질", principal=SYSTEM)
    return platform.catalog.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM).version


def _verified(html: str) -> str:
    found = re.findall(r'class="receipt [a-z]+" data-verified="(true|false)"', html)
    assert len(found) == 1, html
    return found[0]


def test_dataset_page_verifies_the_version_receipt(api, published):
    page = api.get("/datasets/air?lang=en")
    assert page.status_code == 200
    assert _verified(page.text) == "true"
    assert f"ledger entry (#{published.ledger_index})" in page.text


def test_dataset_page_fails_when_the_entry_was_changed(api, platform, published):
    with platform.db.session() as s:
        s.execute(sa.text("UPDATE ledger_leaves SET data = replace(data, '\"rows\"', '\"rowz\"')"))
    page = api.get("/datasets/air?lang=en")
    assert page.status_code == 200 and _verified(page.text) == "false"


def test_ledger_entry_page_uses_the_same_check(api, platform, published):
    good = api.get(f"/ledger/entries/{published.ledger_index}?lang=en")
    assert good.status_code == 200 and _verified(good.text) == "true"
    with platform.db.session() as s:
        s.execute(sa.text("UPDATE ledger_leaves SET data = replace(data, '\"rows\"', '\"rowz\"')"))
    assert _verified(api.get(f"/ledger/entries/{published.ledger_index}").text) == "false"
