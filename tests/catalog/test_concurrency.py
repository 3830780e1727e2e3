"""Publishing under contention: concurrent publishes to one dataset all succeed with numbers
1..n and no SQL in any answer, a failed publish leaves no blob behind, and blobs nobody refers
to are collected."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from datanuri.accounts.principal import SYSTEM
from datanuri.catalog.blobs import collect_orphans
from tests.helpers import air_csv, editor_token

N = 40


@pytest.fixture
def air(platform):
    platform.accounts.create_organization("seoul", principal=SYSTEM)
    platform.catalog.create_dataset("air", organization="seoul", principal=SYSTEM)
    return platform


def test_40_concurrent_publishes_to_one_dataset_all_succeed(air, live_server, tmp_path):
    platform = air
    token = editor_token(platform, "seoul")
    files = [air_csv(tmp_path / f"air-{i}.csv", extra_rows=i + 1) for i in range(N)]
    start = threading.Barrier(N)

    def publish(i: int) -> httpx.Response:
        with httpx.Client(base_url=live_server, timeout=300) as c:
            start.wait()
            with files[i].open("rb") as f:
                return c.post(
                    "/api/v1/datasets/air/versions?wait=true",
                    files={"file": (files[i].name, f, "text/csv")},
                    headers={"Authorization": f"Bearer {token}"},
                )

    with ThreadPoolExecutor(N) as pool:
        answers = list(pool.map(publish, range(N)))
    failed = [(r.status_code, r.text) for r in answers if r.status_code != 201]
    assert failed == []
    numbers = sorted(r.json()["version"]["number"] for r in answers)
    assert numbers == list(range(1, N + 1))
    versions = platform.catalog.get_dataset("air", principal=SYSTEM).versions
    assert sorted(v.number for v in versions) == numbers
    assert collect_orphans(platform.db, platform.blobs, dry_run=True).orphans == ()
    assert platform.ledger.audit().ok


def test_a_failed_publish_removes_its_new_blob_but_never_a_shared_one(air, tmp_path):
    platform = air
    cat = platform.catalog
    cat.create_dataset("air-copy", organization="seoul", principal=SYSTEM)
    kept = cat.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM).version

    def refuse(s, v):  # the hook in the version's transaction fails: nothing may remain
        raise RuntimeError("refused by the hook")

    new = air_csv(tmp_path / "b.csv", extra_rows=5)
    with pytest.raises(RuntimeError):
        cat.publish("air", new, principal=SYSTEM, on_publish=refuse)
    assert [v.number for v in cat.get_dataset("air", principal=SYSTEM).versions] == [1]
    assert list(platform.blobs.digests()) == [kept.content_hash]
    # the same content as a published version, failing in another dataset: the blob stays
    with pytest.raises(RuntimeError):
        cat.publish("air-copy", air_csv(tmp_path / "c.csv"), principal=SYSTEM, on_publish=refuse)
    assert platform.blobs.verify(kept.content_hash)
    assert collect_orphans(platform.db, platform.blobs, dry_run=True).orphans == ()


def test_gc_collects_only_unreferenced_blobs(air, tmp_path):
    platform = air
    kept = platform.catalog.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM).version
    orphan = platform.blobs.put_bytes(b"left by a crash before the version committed")
    found = collect_orphans(platform.db, platform.blobs, dry_run=True)
    assert found.orphans == (orphan,) and found.blobs == 2 and not found.removed
    assert platform.blobs.exists(orphan)
    done = collect_orphans(platform.db, platform.blobs)
    assert done.orphans == (orphan,) and done.removed
    assert list(platform.blobs.digests()) == [kept.content_hash]
    platform.catalog.preview("air", principal=SYSTEM)  # the version's blob still verifies
