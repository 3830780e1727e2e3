import hashlib
import os
import subprocess
import sys

import pytest

from datanuri.errors import IntegrityError, NotFound
from datanuri.store.blobs import BlobStore, sha256_file


def test_put_is_content_addressed_and_deduplicated(tmp_path):
    store = BlobStore(tmp_path / "blobs")
    data = "대기질 측정,PM10\n".encode() * 1000
    d1 = store.put_bytes(data)
    d2 = store.put_bytes(data)
    assert d1 == d2 == hashlib.sha256(data).hexdigest()
    files = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file() and p.parent != store.tmp]
    assert len(files) == 1
    assert store.verify(d1).read_bytes() == data
    assert list(store.tmp.iterdir()) == []


def test_put_file_move_consumes_source(tmp_path):
    store = BlobStore(tmp_path / "blobs")
    src = tmp_path / "x.bin"
    src.write_bytes(b"abc")
    digest = store.put_file(src, move=True)
    assert not src.exists()
    with store.open(digest) as f:
        assert f.read() == b"abc"


def test_read_detects_corruption(tmp_path):
    store = BlobStore(tmp_path / "blobs")
    digest = store.put_bytes(b"original")
    path = store.path(digest)
    os.chmod(path, 0o644)
    path.write_bytes(b"tampered")
    with pytest.raises(IntegrityError, match="corrupted"):
        store.verify(digest)


def test_missing_and_malformed_addresses(tmp_path):
    store = BlobStore(tmp_path / "blobs")
    with pytest.raises(IntegrityError, match="missing") as missing:  # a server fault
        store.verify("0" * 64)
    assert str(store.root) not in missing.value.message
    with pytest.raises(NotFound, match="not a blob address"):
        store.path("../../etc/passwd")


def test_clean_tmp_removes_only_files_of_dead_processes(tmp_path):
    store = BlobStore(tmp_path / "blobs")
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(dead.stdout)
    (store.tmp / f"{dead_pid}-put-abc").write_bytes(b"half")
    mine = store.temp_path(".parquet")
    beside_mine = (
        store.tmp / f".{mine.name}.{os.getpid()}.tmp"
    )  # what an ingest writes next to its output
    beside_mine.write_bytes(b"in progress")
    assert store.clean_tmp() == 1
    assert mine.exists() and beside_mine.exists()
    assert not (store.tmp / f"{dead_pid}-put-abc").exists()


def test_put_staged_moves_a_synced_temp_file_into_place(tmp_path):
    store = BlobStore(tmp_path / "blobs")
    staged = store.temp_path(".parquet")
    staged.write_bytes(b"staged content")
    digest = sha256_file(staged)
    store.sync(staged)
    store.put_staged(staged, digest)
    assert not staged.exists() and store.verify(digest).read_bytes() == b"staged content"
    again = store.temp_path()
    again.write_bytes(b"staged content")
    store.put_staged(again, digest)  # already stored: the staged copy is dropped
    assert not again.exists() and list(store.digests()) == [digest]
    outside = tmp_path / "elsewhere"
    outside.write_bytes(b"x")
    with pytest.raises(ValueError):
        store.put_staged(outside, sha256_file(outside))
