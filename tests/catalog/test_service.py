import io
import json
import os
import subprocess
import sys
import textwrap

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.store.blobs import sha256_file
from tests.helpers import air_csv


@pytest.fixture
def cat(platform):
    platform.accounts.create_organization("seoul", title="서울특별시", principal=SYSTEM)
    platform.catalog.create_dataset(
        "air",
        organization="seoul",
        title="대기질 측정",
        keywords="대기질, 미세먼지",
        principal=SYSTEM,
    )
    return platform.catalog


def test_names_and_duplicates(platform):
    c = platform.catalog
    platform.accounts.create_organization("seoul", principal=SYSTEM)
    with pytest.raises(errors.Conflict):
        platform.accounts.create_organization("seoul", principal=SYSTEM)
    with pytest.raises(errors.InvalidInput, match="URL-safe"):
        c.create_dataset("대기질", organization="seoul", principal=SYSTEM)
    with pytest.raises(errors.NotFound, match="orgs create"):
        c.create_dataset("air", organization="busan", principal=SYSTEM)
    with pytest.raises(errors.InvalidInput, match="Access level"):
        c.create_dataset("air", organization="seoul", access_level="secret", principal=SYSTEM)


def test_publish_cp949_then_same_content_makes_no_new_version(platform, cat, tmp_path):
    src = air_csv(tmp_path / "air.csv")
    first = cat.publish("air", src, change_note="first", principal=SYSTEM)
    assert first.created and first.version.number == 1
    assert first.version.row_count == 3 and first.version.source_encoding == "cp949"
    assert first.version.content_hash == sha256_file(
        platform.blobs.verify(first.version.content_hash)
    )
    fields = {
        f["name"]: f["type"]
        for f in cat.version_detail("air", principal=SYSTEM)["schema"]["fields"]
    }
    assert (
        fields["측정소명"] == "string"
        and fields["측정일"] == "date"
        and fields["PM10"] == "integer"
    )

    again = cat.publish("air", src, principal=SYSTEM)
    assert not again.created and again.version.number == 1
    assert again.message == errors.MSG_SAME_CONTENT.format(version=1, name="air")

    second = cat.publish(
        "air",
        air_csv(tmp_path / "air2.csv", extra_rows=10),
        change_note="more stations",
        principal=SYSTEM,
    )
    assert second.created and second.version.number == 2 and second.version.row_count == 13
    assert [v.number for v in cat.get_dataset("air", principal=SYSTEM).versions] == [1, 2]
    assert (
        cat.get_version("air", 1, principal=SYSTEM).content_hash == first.version.content_hash
    )  # immutable


def test_publish_records_an_event_with_the_parquet_hash(platform, cat, tmp_path):
    from datanuri.accounts import Principal

    kim = Principal(kind="user", user_id=1, email="kim@example.org", org_roles={"seoul": "editor"})
    result = cat.publish("air", air_csv(tmp_path / "air.csv"), principal=kim)
    entries = [e["entry"] for e in platform.ledger.entries(0, platform.ledger.size())]
    published = [e for e in entries if e["type"] == "dataset.version.published"]
    assert len(published) == 1
    ev = published[0]
    assert ev["subject"] == "dataset:air@1"
    assert ev["actor"] == "user:1"
    assert ev["hashes"]["parquet"] == f"sha256:{result.version.content_hash}"
    assert platform.ledger.entry(result.version.ledger_index)["entry"] == ev


def test_bad_file_changes_nothing(platform, cat, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(errors.IngestError):
        cat.publish("air", empty, principal=SYSTEM)
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(os.urandom(4096))
    with pytest.raises(errors.IngestError):
        cat.publish("air", garbage, principal=SYSTEM)
    assert cat.get_dataset("air", principal=SYSTEM).versions == ()
    assert list(platform.blobs.tmp.iterdir()) == []


def test_downloads_round_trip(platform, cat, tmp_path):
    cat.publish("air", air_csv(tmp_path / "air.csv", extra_rows=200), principal=SYSTEM)
    parquet = pq.read_table(
        io.BytesIO(b"".join(cat.download("air", format="parquet", principal=SYSTEM)))
    )
    csv = pacsv.read_csv(io.BytesIO(b"".join(cat.download("air", format="csv", principal=SYSTEM))))
    rows = json.loads(b"".join(cat.download("air", format="json", principal=SYSTEM)))
    assert parquet.num_rows == csv.num_rows == len(rows) == 203
    assert (
        parquet.column("측정소명").to_pylist()
        == csv.column("측정소명").to_pylist()
        == [r["측정소명"] for r in rows]
    )
    assert rows[0]["PM10"] == 1234 and rows[0]["측정일"] == "2024-01-05" and rows[2]["PM10"] is None
    page = cat.preview("air", offset=100, limit=10, principal=SYSTEM)
    assert (
        page.num_rows == 10
        and page.column("측정소명")[0].as_py() == parquet.column("측정소명")[100].as_py()
    )
    with pytest.raises(errors.InvalidInput):
        list(cat.download("air", format="xls", principal=SYSTEM))


def test_personal_rows_never_leave(platform, cat, tmp_path):
    cat.create_dataset("patients", organization="seoul", access_level="personal", principal=SYSTEM)
    cat.publish("patients", air_csv(tmp_path / "p.csv"), principal=SYSTEM)
    assert cat.get_version("patients", principal=SYSTEM).row_count == 3  # metadata is visible
    for attempt in (
        lambda: cat.preview("patients", principal=SYSTEM),
        lambda: cat.download("patients", format="csv", principal=SYSTEM),
        lambda: cat.parquet_path("patients", principal=SYSTEM),
    ):
        with pytest.raises(errors.PermissionDenied, match="personal data"):
            attempt()


def test_personal_dataset_cannot_be_opened(platform, cat, tmp_path):
    cat.create_dataset("patients", organization="seoul", access_level="personal", principal=SYSTEM)
    with pytest.raises(
        errors.PermissionDenied
    ):  # one rule, with or without versions (as the console)
        cat.update_dataset("patients", access_level="open", principal=SYSTEM)
    cat.publish("patients", air_csv(tmp_path / "p.csv"), principal=SYSTEM)
    size = platform.ledger.size()
    for level in ("open", "restricted"):
        with pytest.raises(errors.PermissionDenied, match="de-identified release"):
            cat.update_dataset(
                "patients", access_level=level, title="바뀌면 안 됨", principal=SYSTEM
            )
    info = cat.get_dataset("patients", principal=SYSTEM)
    assert info.access_level == "personal" and info.title != "바뀌면 안 됨"
    assert platform.ledger.size() == size
    cat.update_dataset("patients", title="제목만", principal=SYSTEM)  # other edits still work
    assert cat.get_dataset("patients", principal=SYSTEM).title == "제목만"


def test_only_an_empty_dataset_is_discarded(platform, cat, tmp_path):
    cat.create_dataset("draft", organization="seoul", principal=SYSTEM)
    cat.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM)
    assert (
        cat.discard_empty_dataset("air", principal=SYSTEM) is False
        and cat.get_version("air", principal=SYSTEM).number == 1
    )
    assert cat.discard_empty_dataset("draft", principal=SYSTEM) is True
    with pytest.raises(errors.NotFound):
        cat.get_dataset("draft", principal=SYSTEM)
    assert cat.discard_empty_dataset("draft", principal=SYSTEM) is False


def test_access_change_is_recorded(platform, cat):
    cat.update_dataset("air", access_level="restricted", principal=SYSTEM)
    size = platform.ledger.size()
    ev = platform.ledger.entry(size - 1)["entry"]
    assert ev["type"] == "dataset.access.changed" and ev["data"] == {
        "from": "open",
        "to": "restricted",
    }
    cat.update_dataset("air", title="새 제목", principal=SYSTEM)
    assert platform.ledger.size() == size  # a title change is not a trust event
    assert cat.get_dataset("air", principal=SYSTEM).title == "새 제목"


def test_missing_versions_are_explained(cat):
    with pytest.raises(errors.NotFound, match="no published version"):
        cat.get_version("air", principal=SYSTEM)


def test_killed_ingest_leaves_no_version_and_temp_files_are_cleaned(
    platform, cat, config, tmp_path
):
    src = air_csv(tmp_path / "big.csv", extra_rows=300_000)
    script = textwrap.dedent(
        f"""
        import os, signal
        from datanuri.config import Config
        from datanuri.platform import Platform
        from datanuri.accounts.principal import SYSTEM
        p = Platform(Config(data_dir={str(config.data_dir)!r}, database_url={config.database_url!r}, batch_rows=10_000))
        def die(done, total):
            if done > 0:
                os.kill(os.getpid(), signal.SIGKILL)
        p.catalog.publish("air", {str(src)!r}, progress=die, principal=SYSTEM)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == -9, proc.stderr
    leftovers = list(platform.blobs.tmp.iterdir())
    assert leftovers, "the killed ingest should have left a temp file for the next start to clean"
    from datanuri.platform import Platform

    with Platform(config) as restarted:
        assert list(restarted.blobs.tmp.iterdir()) == []
        assert restarted.catalog.get_dataset("air", principal=SYSTEM).versions == ()
