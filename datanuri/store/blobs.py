"""Content-addressed blob store (SHA-256) on the local file system, and the interface every
blob store keeps (`remote_blobs.RemoteBlobStore` puts the same blobs in an object store).

Writes go to a temporary file in the store, are fsynced and renamed into place, so a crash
never leaves a half-written blob under a real name. Identical content is stored once. Reads
verify the hash.

How to read a blob, by what the reader needs:

- `verify(digest)` / `local_path(digest)`: a verified file on this machine (the blob itself
  here; a verified cached copy for a remote store), for readers that need a path: openpyxl,
  DuckDB's `read_parquet`, `FileResponse`.
- `open_input(digest)`: a seekable pyarrow file (`pq.ParquetFile(store.open_input(d))`).
- `uri(digest)`, `filesystem` and `fs_path(digest)`: where the bytes are, for engines that read
  them themselves (Spark, DuckDB, `pyarrow.dataset`) on any machine that sees the store:
  `pyarrow.dataset.dataset(store.fs_path(d), filesystem=store.filesystem)`, or
  `arrow_dataset(*digests)` for DuckDB (`con.register("t", store.arrow_dataset(d))`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from datanuri.errors import (
    MSG_BLOB_ADDRESS,
    MSG_BLOB_CORRUPTED,
    MSG_BLOB_MISSING,
    IntegrityError,
    NotFound,
)
from datanuri.store.process import pid_alive
from datanuri.store.tempnames import MAX_AGE_SECONDS, host_tag, is_leftover, temp_prefix

if TYPE_CHECKING:  # pyarrow is imported when a blob is read through it, not with the store
    import pyarrow as pa
    import pyarrow.dataset as pads
    import pyarrow.fs as pafs

CHUNK = 1024 * 1024
HEX = frozenset("0123456789abcdef")


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def fsync_dir(path: Path) -> None:
    """Make a rename or link inside `path` durable (the directory entry itself is synced)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_digest(digest: str) -> str:
    """The bare hex digest of a blob address (`sha256:` prefix allowed), or NotFound."""
    digest = digest.removeprefix("sha256:")
    if len(digest) != 64 or not HEX.issuperset(digest):
        raise NotFound(MSG_BLOB_ADDRESS.format(digest=digest))
    return digest


def blob_key(digest: str) -> str:
    """A blob's name inside the store: `ab/cd/<digest>`."""
    digest = check_digest(digest)
    return f"{digest[:2]}/{digest[2:4]}/{digest}"


def missing(digest: str) -> IntegrityError:
    """The error for a blob that should exist (a server fault: no store path in the message)."""
    return IntegrityError(MSG_BLOB_MISSING.format(digest=digest.removeprefix("sha256:")))


def corrupted(digest: str, actual: str) -> IntegrityError:
    return IntegrityError(
        MSG_BLOB_CORRUPTED.format(digest=digest.removeprefix("sha256:"), actual=actual)
    )


class BlobStore:
    """Blobs named by the hex SHA-256 of their bytes, under `root/ab/cd/<hash>`."""

    remote = False

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.tmp = self.root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        self._abs_root = self.root.resolve()
        self._filesystem: pafs.FileSystem | None = None

    @property
    def filesystem(self) -> pafs.FileSystem:
        """The store's pyarrow filesystem (local here), made on first use."""
        if self._filesystem is None:
            import pyarrow.fs as pafs

            self._filesystem = pafs.LocalFileSystem()
        return self._filesystem

    @property
    def url(self) -> str:
        """The store's address (`file:///…` here, `s3://bucket/prefix` for S3)."""
        return self._abs_root.as_uri()

    # ----- where a blob is --------------------------------------------------------------------
    def path(self, digest: str) -> Path:
        """The blob's file on this machine (local stores only; others have `local_path`)."""
        return self.root / blob_key(digest)

    def fs_path(self, digest: str) -> str:
        """The blob's path inside `self.filesystem` (the pyarrow filesystem of the store)."""
        return str(self._abs_root / blob_key(digest))

    def uri(self, digest: str) -> str:
        """The blob's URI, for readers on any machine that sees the store: `file:///…/ab/cd/<d>`
        (a local or shared directory) or `s3://bucket/prefix/ab/cd/<d>`."""
        return (self._abs_root / blob_key(digest)).as_uri()

    # ----- what is stored ---------------------------------------------------------------------
    def exists(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def size(self, digest: str) -> int | None:
        """The stored blob's size in bytes, or None when it is missing."""
        try:
            return self.path(digest).stat().st_size
        except FileNotFoundError:
            return None

    def stored_hash(self, digest: str) -> str | None:
        """The SHA-256 the stored bytes have now (read in full from the store), None if missing."""
        try:
            return sha256_file(self.path(digest))
        except FileNotFoundError:
            return None

    def digests(self) -> Iterator[str]:
        """The hex digests of every stored blob (files named by a hash under `ab/cd/`)."""
        for first in sorted(self.root.glob("[0-9a-f][0-9a-f]")):
            for p in sorted(first.glob("[0-9a-f][0-9a-f]/*")):
                name = p.name
                if len(name) == 64 and name[:2] == first.name and p.is_file():
                    yield name

    # ----- writing ----------------------------------------------------------------------------
    def put_file(self, source: Path, *, move: bool = False) -> str:
        """Store a file's content; returns its hex digest. `move` consumes the source file."""
        digest = sha256_file(source)
        final = self.path(digest)
        if final.is_file():
            if move:
                source.unlink()
            return digest
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix=temp_prefix() + "put-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                if move:
                    out.close()
                    shutil.move(str(source), tmp)
                    with open(tmp, "rb+") as f:
                        os.fsync(f.fileno())
                else:
                    with open(source, "rb") as src:
                        shutil.copyfileobj(src, out, CHUNK)
                    out.flush()
                    os.fsync(out.fileno())
            os.chmod(tmp, 0o444)
            os.replace(tmp, final)
            fsync_dir(final.parent)
        finally:
            tmp.unlink(missing_ok=True)
        return digest

    def sync(self, path: Path) -> None:
        """Flush a staged file's data to disk (before `put_staged`, outside any lock)."""
        with open(path, "rb") as f:
            os.fsync(f.fileno())

    def _check_staged(self, staged: Path) -> None:
        if staged.parent.resolve() != self.tmp.resolve():
            raise ValueError("put_staged takes files from the store's temp area only")

    def put_staged(self, staged: Path, digest: str) -> None:
        """Move a synced file from the store's temp area into place under `digest`, which the
        caller computed from it: one rename, cheap enough to do while holding a lock."""
        self._check_staged(staged)
        final = self.path(digest)
        if final.is_file():
            staged.unlink()
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(staged, 0o444)
        os.replace(staged, final)
        fsync_dir(final.parent)

    def put_bytes(self, data: bytes) -> str:
        """Store `data`; returns its hex digest."""
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix=temp_prefix() + "bytes-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return self.put_file(Path(tmp_name), move=True)

    def discard(self, digest: str) -> bool:
        """Remove a blob (only when no record refers to it: the caller checks, under a lock);
        returns whether a file was removed."""
        p = self.path(digest)
        try:
            p.unlink()
        except FileNotFoundError:
            return False
        fsync_dir(p.parent)
        return True

    # ----- reading ----------------------------------------------------------------------------
    def verify(self, digest: str) -> Path:
        """A local file with the blob's bytes, after checking they still hash to `digest`.

        Here it is the blob itself (no copy); a remote store returns a verified cached copy."""
        p = self.path(digest)
        if not p.is_file():
            raise missing(digest)
        actual = sha256_file(p)
        if actual != digest.removeprefix("sha256:"):
            raise corrupted(digest, actual)
        return p

    def local_path(self, digest: str) -> Path:
        """A verified file on this machine, for readers that need a path (openpyxl, DuckDB's
        `read_parquet`, a file response); the same as `verify`."""
        return self.verify(digest)

    @contextmanager
    def open(self, digest: str) -> Iterator[BinaryIO]:
        """Open a verified blob for reading."""
        with open(self.verify(digest), "rb") as f:
            yield f

    def open_input(self, digest: str, *, verified: bool = True) -> pa.NativeFile:
        """A seekable pyarrow file of the blob (`pq.ParquetFile(store.open_input(d))`), read
        from the store itself; `verified` first checks the stored bytes hash to `digest`."""
        if verified:
            self.verify(digest)
        try:
            return self.filesystem.open_input_file(self.fs_path(digest))
        except FileNotFoundError as exc:
            raise missing(digest) from exc

    def arrow_dataset(self, *digests: str) -> pads.Dataset:
        """Parquet blobs as one pyarrow dataset read through the store's filesystem, unverified:
        what DuckDB scans on any store (`con.register("t", store.arrow_dataset(d))`; DuckDB's
        own httpfs is not used, so S3 needs no DuckDB extension)."""
        import pyarrow.dataset as pads  # imports pandas: only where a dataset is asked for

        return pads.dataset(
            [self.fs_path(d) for d in digests], filesystem=self.filesystem, format="parquet"
        )

    # ----- the temp area ----------------------------------------------------------------------
    def temp_path(self, suffix: str = "") -> Path:
        """A fresh path in the store's temp area (same file system, so renames are atomic)."""
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix=temp_prefix(), suffix=suffix)
        os.close(fd)
        return Path(name)

    def clean_tmp(self, *, max_age: float = MAX_AGE_SECONDS) -> int:
        """Remove temporary files left by crashed processes; returns how many were removed.

        Temp names start with the writing process's id and host (`tempnames.py`): a file is
        removed when its process, on this host, is gone, or when it is older than `max_age`
        seconds. Files of live processes, and of other hosts sharing the directory, stay.
        """
        n = 0
        now = time.time()
        here = host_tag()
        for p in self.tmp.iterdir():
            try:
                age = now - p.lstat().st_mtime
            except FileNotFoundError:  # removed meanwhile by its writer
                continue
            if not is_leftover(p.name, age, alive=pid_alive, host=here, max_age=max_age):
                continue
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
            n += 1
        return n
