"""A dataset published into and downloaded from an S3 blob store (moto), end to end."""

from __future__ import annotations

import dataclasses
import io

import pyarrow.parquet as pq
import pytest

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.catalog.audit import audit_catalog
from datanuri.platform import Platform
from datanuri.store.remote_blobs import RemoteBlobStore
from tests.helpers import air_csv


@pytest.fixture
def s3_platform(config, s3_config):
    cfg = dataclasses.replace(
        config,
        blob_url=s3_config.blob_url,
        blob_s3_endpoint_url=s3_config.blob_s3_endpoint_url,
    )
    with Platform(cfg) as p:
        yield p


def test_publish_and_download_through_s3(s3_platform, tmp_path):
    p = s3_platform
    assert isinstance(p.blobs, RemoteBlobStore)
    p.accounts.create_organization("seoul", principal=SYSTEM)
    p.catalog.create_dataset("air", organization="seoul", title="대기질", principal=SYSTEM)
    published = p.catalog.publish("air", air_csv(tmp_path / "air.csv"), principal=SYSTEM)
    digest = published.version.content_hash
    assert list(p.blobs.digests()) == [digest]  # the blob is in the bucket ...
    assert not (p.config.data_dir / "blobs").exists()  # ... and not on the local disk
    assert list(p.blobs.tmp.iterdir()) == []

    parquet = b"".join(p.catalog.download("air", format="parquet", principal=SYSTEM))
    table = pq.read_table(io.BytesIO(parquet))
    assert table.num_rows == 3 and "측정소명" in table.column_names
    assert pq.read_table(p.blobs.fs_path(digest), filesystem=p.blobs.filesystem).equals(table)
    text = b"".join(p.catalog.download("air", format="csv", principal=SYSTEM)).decode("utf-8-sig")
    assert text.splitlines()[0].startswith('"측정소명"') and len(text.splitlines()) == 4
    assert p.catalog.preview("air", principal=SYSTEM, limit=2).num_rows == 2

    report = audit_catalog(p.db, p.blobs, hash_blobs=True)
    assert report.problems == [] and report.blobs == 1


def test_a_changed_object_is_refused_and_audited(s3_platform, tmp_path):
    p = s3_platform
    p.accounts.create_organization("seoul", principal=SYSTEM)
    p.catalog.create_dataset("air", organization="seoul", principal=SYSTEM)
    digest = p.catalog.publish(
        "air", air_csv(tmp_path / "air.csv"), principal=SYSTEM
    ).version.content_hash
    with p.blobs.filesystem.open_output_stream(p.blobs.fs_path(digest)) as out:
        out.write(b"not the published parquet")
    with pytest.raises(errors.IntegrityError, match="corrupted"):  # nothing cached yet
        p.catalog.download("air", format="parquet", principal=SYSTEM)
    report = audit_catalog(p.db, p.blobs, hash_blobs=True)
    assert [(prob.table, prob.row) for prob in report.problems] == [("blobs", digest)]


def test_cli_commands_work_on_the_s3_store(s3_platform, tmp_path):
    """`datanuri` in another process, configured by the environment, sees the same bucket:
    an orphan is collected there and the published blob stays; the audit reads the bucket."""
    import json
    import os
    import subprocess
    import sys

    p = s3_platform
    p.accounts.create_organization("seoul", principal=SYSTEM)
    p.catalog.create_dataset("air", organization="seoul", principal=SYSTEM)
    kept = p.catalog.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM)
    orphan = p.blobs.put_bytes(b"left by a crash before its version committed")
    env = {
        **os.environ,
        "PYTHONPATH": os.getcwd(),
        "DATANURI_DATA_DIR": str(p.config.data_dir),
        "DATANURI_DATABASE_URL": p.config.db_url,
        "DATANURI_BLOB_URL": p.config.blob_url,
        "DATANURI_BLOB_S3_ENDPOINT_URL": p.config.blob_s3_endpoint_url,
    }
    proc = subprocess.run(
        [sys.executable, "-m", "datanuri.cli", "blobs", "gc", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["orphans"] == [orphan]
    assert list(p.blobs.digests()) == [kept.version.content_hash]
