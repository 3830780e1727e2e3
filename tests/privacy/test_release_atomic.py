"""A release is one transaction: the new version, its `dataset.version.published` entry, the
release record and its `privacy.release` entry all commit, or none of them does."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.catalog.models import Distribution
from datanuri.events import Event
from datanuri.privacy.db import PrivacyRelease
from datanuri.privacy.service import PrivacyService
from tests.helpers import air_csv
from tests.privacy.test_keys import FailingSink, _personal, _policy

SOURCE = "visits-2024"
TARGET = "visits-2024-open"
# a second policy whose release differs from the first (shorter pseudonyms), so it makes a new version
SHORTER = {
    **_policy("holder-2026"),
    "direct_identifiers": {"환자번호": {"pseudonymize": {"key": "holder-2026", "length": 16}}},
}


def blobs(platform) -> set[str]:
    return {p.name for p in platform.blobs.root.rglob("*") if p.is_file() and len(p.name) == 64}


def count(platform, model) -> int:
    with platform.db.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def versions(platform, name: str) -> list[int]:
    try:
        return [v.number for v in platform.catalog.get_dataset(name, principal=SYSTEM).versions]
    except errors.NotFound:
        return []


# ----- the catalog hook ----------------------------------------------------------------------
def test_publish_hook_commits_with_the_version(platform, tmp_path):
    platform.accounts.create_organization("org-a", principal=SYSTEM)
    platform.catalog.create_dataset("air", organization="org-a", principal=SYSTEM)
    seen = []

    def hook(s, v):
        assert v.id is not None and v.ledger_index is not None
        seen.append((v.number, v.ledger_index))
        platform.ledger.record(
            s,
            Event(
                type="test.after-publish",
                actor="system",
                subject=f"dataset:air@{v.number}",
                time=v.created_at,
            ),
        )

    result = platform.catalog.publish(
        "air", air_csv(tmp_path / "a.csv"), on_publish=hook, principal=SYSTEM
    )
    assert result.created and seen == [(1, result.version.ledger_index)]
    after = platform.ledger.entry(result.version.ledger_index + 1)["entry"]
    assert after["type"] == "test.after-publish" and after["subject"] == "dataset:air@1"
    again = platform.catalog.publish(
        "air", air_csv(tmp_path / "a.csv"), on_publish=hook, principal=SYSTEM
    )  # identical: no version, no call
    assert not again.created and len(seen) == 1


def test_publish_hook_that_raises_leaves_nothing(platform, tmp_path):
    platform.accounts.create_organization("org-a", principal=SYSTEM)
    platform.catalog.create_dataset("air", organization="org-a", principal=SYSTEM)
    platform.catalog.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM)
    size, before_blobs = platform.ledger.size(), blobs(platform)
    distributions = count(platform, Distribution)

    def hook(s, v):
        platform.ledger.record(
            s,
            Event(
                type="test.after-publish",
                actor="system",
                subject="dataset:air@2",
                time=v.created_at,
            ),
        )
        raise RuntimeError("crash inside the transaction")

    new_file = air_csv(tmp_path / "b.csv", extra_rows=5)
    with pytest.raises(RuntimeError):
        platform.catalog.publish("air", new_file, on_publish=hook, principal=SYSTEM)
    assert versions(platform, "air") == [1]
    assert platform.ledger.size() == size and platform.ledger.audit().ok
    assert count(platform, Distribution) == distributions
    assert blobs(platform) == before_blobs  # the failed publish removed the blob it stored
    # nothing half-made blocks the next attempt
    assert platform.catalog.publish("air", new_file, principal=SYSTEM).version.number == 2


# ----- privacy releases ----------------------------------------------------------------------
@pytest.fixture
def world(platform, tmp_path: Path):
    _personal(platform, tmp_path, "hospital-a", SOURCE)
    platform.privacy.create_key("hospital-a", "holder-2026", principal=SYSTEM)
    failing = PrivacyService(
        platform.db,
        platform.blobs,
        FailingSink(platform.ledger, "privacy.release"),
        platform.access,
        platform.catalog,
        keys=platform.privacy.keys,
    )
    return platform, failing


def test_release_is_one_transaction(world):
    platform, _ = world
    info = platform.privacy.release(
        SOURCE, _policy("holder-2026"), target_name=TARGET, principal=SYSTEM
    )
    v = platform.catalog.get_version(TARGET, info.target_version, principal=SYSTEM)
    assert (
        info.ledger_index == v.ledger_index + 1
    )  # written in the version's transaction, right after it
    entry = platform.ledger.entry(info.ledger_index)["entry"]
    assert entry["type"] == "privacy.release" and entry["subject"] == f"dataset:{TARGET}@1"
    assert entry["hashes"]["output"] == f"sha256:{v.content_hash}" == f"sha256:{info.target_hash}"


def test_failed_record_into_an_existing_target_leaves_nothing(world):
    platform, failing = world
    first = platform.privacy.release(
        SOURCE, _policy("holder-2026"), target_name=TARGET, principal=SYSTEM
    )
    size, before_blobs, rows = (
        platform.ledger.size(),
        blobs(platform),
        count(platform, PrivacyRelease),
    )
    with pytest.raises(errors.LedgerError):
        failing.release(SOURCE, SHORTER, target_name=TARGET, principal=SYSTEM)
    assert versions(platform, TARGET) == [first.target_version]
    assert count(platform, PrivacyRelease) == rows == 1
    assert platform.ledger.size() == size and platform.ledger.audit().ok
    assert blobs(platform) == before_blobs  # the failed release removed the blob it stored
    assert [r.id for r in platform.privacy.list_releases(SOURCE, principal=SYSTEM)] == [first.id]
    # the same release then succeeds as version 2, with its record
    second = platform.privacy.release(SOURCE, SHORTER, target_name=TARGET, principal=SYSTEM)
    assert second.target_version == 2 and versions(platform, TARGET) == [1, 2]


def test_failed_record_into_a_new_target_publishes_no_version(world):
    platform, failing = world
    size = platform.ledger.size()
    with pytest.raises(errors.LedgerError):
        failing.release(SOURCE, _policy("holder-2026"), target_name="brand-new", principal=SYSTEM)
    with pytest.raises(errors.NotFound):  # the target it created is gone again, not left empty
        platform.catalog.get_dataset("brand-new", principal=SYSTEM)
    assert "brand-new" not in [
        h.name for h in platform.search.search("brand-new", principal=SYSTEM).results
    ]
    assert count(platform, PrivacyRelease) == 0 and platform.ledger.size() == size
    info = platform.privacy.release(
        SOURCE, _policy("holder-2026"), target_name="brand-new", principal=SYSTEM
    )  # a retry works
    assert info.target_version == 1


def test_identical_content_is_released_again_with_its_own_record(world):
    platform, _ = world
    # linkable pseudonyms: the same content twice (per-release pseudonyms would differ)
    linked = _policy("holder-2026", linkable=True)
    first = platform.privacy.release(SOURCE, linked, target_name=TARGET, principal=SYSTEM)
    size = platform.ledger.size()
    second = platform.privacy.release(SOURCE, linked, target_name=TARGET, principal=SYSTEM)
    assert second.id != first.id and second.target_version == first.target_version == 1
    assert versions(platform, TARGET) == [1] and platform.ledger.size() == size + 1
    assert platform.ledger.entry(second.ledger_index)["entry"]["type"] == "privacy.release"
