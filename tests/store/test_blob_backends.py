"""One blob-store suite over a local directory and over S3 (a real moto server): the same
names, the same guarantees, and Parquet read back by URI with pyarrow and DuckDB."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from datanuri.config import Config
from datanuri.errors import IntegrityError, NotFound
from datanuri.store.blobs import BlobStore, sha256_file
from datanuri.store.open_blobs import open_blob_store
from datanuri.store.remote_blobs import RemoteBlobStore

DATA = "대기질 측정,PM10\n".encode() * 1000


def _overwrite(store: BlobStore, digest: str, data: bytes) -> None:
    """Change a stored blob behind the store's back (what an attacker or a bad disk does)."""
    if isinstance(store, RemoteBlobStore):
        with store.filesystem.open_output_stream(store.fs_path(digest)) as out:
            out.write(data)
    else:
        path = store.path(digest)
        os.chmod(path, 0o644)
        path.write_bytes(data)


def test_put_get_dedupe_discard(any_store: BlobStore, tmp_path):
    store = any_store
    d1 = store.put_bytes(DATA)
    d2 = store.put_bytes(DATA)
    assert d1 == d2 == hashlib.sha256(DATA).hexdigest()
    assert store.exists(d1) and store.size(d1) == len(DATA)
    assert list(store.digests()) == [d1]
    assert store.verify(d1).read_bytes() == DATA
    assert store.local_path(d1).read_bytes() == DATA
    with store.open(d1) as f:
        assert f.read() == DATA
    assert store.stored_hash(d1) == d1
    src = tmp_path / "x.bin"
    src.write_bytes(b"abc")
    d3 = store.put_file(src, move=True)
    assert not src.exists() and store.verify(d3).read_bytes() == b"abc"
    assert sorted(store.digests()) == sorted([d1, d3])
    assert store.discard(d1) is True
    assert store.discard(d1) is False
    assert not store.exists(d1) and store.size(d1) is None and store.stored_hash(d1) is None
    assert list(store.digests()) == [d3]
    assert list(store.tmp.iterdir()) == []  # nothing left in the temp area


def test_put_staged(any_store: BlobStore, tmp_path):
    store = any_store
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


def test_missing_and_malformed(any_store: BlobStore):
    store = any_store
    with pytest.raises(IntegrityError, match="missing") as missing:
        store.verify("0" * 64)
    assert store.url not in missing.value.message and "tmp" not in missing.value.message
    with pytest.raises(IntegrityError, match="missing"):
        store.open_input("0" * 64)
    with pytest.raises(NotFound, match="not a blob address"):
        store.uri("../../etc/passwd")
    assert not store.exists("0" * 64)


def test_tampered_blob_is_detected(any_store: BlobStore):
    store = any_store
    digest = store.put_bytes(b"original bytes")
    _overwrite(store, digest, b"tampered bytes")
    with pytest.raises(IntegrityError, match="corrupted"):
        store.verify(digest)
    with pytest.raises(IntegrityError, match="corrupted"):
        store.open_input(digest)
    assert store.stored_hash(digest) == hashlib.sha256(b"tampered bytes").hexdigest()


def test_parquet_through_uri_with_pyarrow_and_duckdb(any_store: BlobStore):
    store = any_store
    table = pa.table({"측정소": ["종로구", "중구", "강남구"], "pm10": [41, 38, 55]})
    staged = store.temp_path(".parquet")
    pq.write_table(table, staged)
    digest = sha256_file(staged)
    store.put_staged(staged, digest)

    uri = store.uri(digest)
    assert uri.endswith(f"/{digest[:2]}/{digest[2:4]}/{digest}")
    if store.remote:  # s3:// names the object; the endpoint comes with the store's filesystem
        assert uri.startswith("s3://datanuri-test/t-")
    else:  # a file:// URI is all a local reader needs
        fs, path = pafs.FileSystem.from_uri(uri)
        assert pq.read_table(path, filesystem=fs).equals(table)
    assert pq.read_table(store.fs_path(digest), filesystem=store.filesystem).equals(table)
    with store.open_input(digest) as f:  # seekable: the footer is read first
        assert pq.ParquetFile(f).read().equals(table)

    con = duckdb.connect()
    try:
        con.register("air", store.arrow_dataset(digest))  # any store, no httpfs needed
        assert con.sql('SELECT sum(pm10), max("측정소") FROM air').fetchall() == [(134, "중구")]
        if not store.remote:  # DuckDB reads a local or shared-mount blob by its path itself
            got = con.execute("SELECT count(*) FROM read_parquet(?)", [store.fs_path(digest)])
            assert got.fetchall() == [(3,)]
    finally:
        con.close()


def test_remote_reads_keep_a_verified_local_copy(s3_config, moto_s3):
    store = open_blob_store(s3_config)
    assert isinstance(store, RemoteBlobStore)
    digest = store.put_bytes(DATA)
    copy = store.local_path(digest)
    assert copy.parent == store.cache and copy.read_bytes() == DATA
    # a damaged cached copy is never handed out: it is fetched again
    os.chmod(copy, 0o644)
    copy.write_bytes(b"x" * len(DATA))
    assert store.local_path(digest).read_bytes() == DATA
    # the cached copy answers reads after the object changes; the store itself shows it
    _overwrite(store, digest, b"changed in the bucket")
    assert store.verify(digest).read_bytes() == DATA
    assert store.stored_hash(digest) != digest
    with pytest.raises(TypeError, match="local_path"):
        store.path(digest)
    # another process (a second store on the same settings) sees the same blobs
    other = open_blob_store(s3_config)
    assert list(other.digests()) == [digest]


def test_remote_cache_is_trimmed_to_its_size(s3_config):
    store = open_blob_store(s3_config)
    assert isinstance(store, RemoteBlobStore)
    store.cache_bytes = len(DATA) + 10
    first = store.put_bytes(DATA)
    second = store.put_bytes(DATA + b"!")
    old = store.local_path(first)
    past = time.time() - 3600
    os.utime(old, (past, past))  # not used for an hour
    store.local_path(second)
    assert not old.exists() and (store.cache / second).exists()
    assert store.exists(first)  # only the local copy went


def test_an_upload_that_ends_short_is_not_left_under_the_blob_name(s3_config):
    store = open_blob_store(s3_config)
    assert isinstance(store, RemoteBlobStore)
    digest = store.put_bytes(DATA)
    _overwrite(store, digest, DATA[:100])  # as a cut-off upload would leave it
    src = store.temp_path()
    src.write_bytes(DATA)
    assert store.put_file(src) == digest  # the short object is replaced by a whole one
    assert store.stored_hash(digest) == digest


def test_blob_url_settings(tmp_path, moto_s3):
    shared = tmp_path / "shared" / "blobs"
    for url in (str(shared), shared.as_uri()):
        store = open_blob_store(Config(data_dir=tmp_path / "d", blob_url=url))
        assert not store.remote and store.root == shared
    default = open_blob_store(Config(data_dir=tmp_path / "d"))
    assert default.root == tmp_path / "d" / "blobs"
    env = {
        "DATANURI_BLOB_URL": f"s3://{moto_s3.bucket}/from-env",
        "DATANURI_BLOB_S3_ENDPOINT_URL": moto_s3.endpoint_url,
    }
    remote = open_blob_store(Config.load(env, data_dir=tmp_path / "d"))
    assert remote.remote and remote.url == f"s3://{moto_s3.bucket}/from-env"


def _dead_pid() -> int:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True
    )
    return int(out.stdout)


HOLDER = """
import sys
from datanuri.config import Config
from datanuri.platform import Platform
p = Platform(Config(data_dir=sys.argv[1], database_url=sys.argv[2] or None))
print(p.blobs.temp_path(".parquet"), flush=True)  # a file this live process is writing
sys.stdin.readline()
p.close()
"""


def test_two_platforms_on_one_data_dir_leave_each_others_temp_files(config):
    """A Platform starting beside a live one removes only leftovers: files of dead processes of
    this host, and files older than a day; a live process's files and fresh files of other hosts
    sharing the directory stay."""
    import subprocess
    import sys

    from datanuri.platform import Platform
    from datanuri.store.tempnames import host_tag

    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(config.data_dir), config.database_url or ""],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = holder.stdout.readline().strip()  # type: ignore[union-attr]
        assert line, "the first platform did not start"
        held = Path(line)
        tmp = held.parent
        gone = _dead_pid()
        dead = tmp / f"{gone}@{host_tag()}-put-x"
        elsewhere = tmp / f"{gone}@0000000000-put-x"  # that pid on another machine on the mount
        stale = tmp / f"{os.getpid()}@0000000000-put-y"
        for p in (dead, elsewhere, stale):
            p.write_bytes(b"half")
        day_ago = time.time() - 25 * 3600
        os.utime(stale, (day_ago, day_ago))
        with Platform(config) as second:  # its start cleans the shared temp area
            assert second.blobs.tmp == tmp
            assert held.exists() and elsewhere.exists()
            assert not dead.exists() and not stale.exists()
    finally:
        holder.communicate("\n", timeout=60)
    assert holder.returncode == 0
    assert held.exists()  # its process ended without removing it: a leftover now
    with Platform(config):
        assert not held.exists() and elsewhere.exists()


def test_an_unreachable_store_says_what_to_check(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = Config(
        data_dir=tmp_path / "d",
        blob_url="s3://nowhere/p",
        blob_s3_endpoint_url=f"http://127.0.0.1:{port}",
    )
    store = open_blob_store(cfg)  # opening contacts nothing: a Platform starts offline
    with pytest.raises(IntegrityError, match="DATANURI_BLOB_URL") as err:
        store.exists("0" * 64)
    assert "127.0.0.1" not in err.value.message  # the detail goes to the log
    src = tmp_path / "x"
    src.write_bytes(b"x")
    with pytest.raises(IntegrityError, match="could not be reached"):
        store.put_file(src)
