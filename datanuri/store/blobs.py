"""Content-addressed blob store (SHA-256) on the local file system.

Writes go to a temporary file in the store, are fsynced and renamed into place, so a crash
never leaves a half-written blob under a real name. Identical content is stored once. Reads
verify the hash.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from datanuri.errors import IntegrityError, NotFound
from datanuri.store.process import pid_alive

CHUNK = 1024 * 1024


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


class BlobStore:
    """Blobs named by the hex SHA-256 of their bytes, under `root/ab/cd/<hash>`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.tmp = self.root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)

    def path(self, digest: str) -> Path:
        digest = digest.removeprefix("sha256:")
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise NotFound(f"{digest!r} is not a blob address (a 64-digit hex SHA-256).")
        return self.root / digest[:2] / digest[2:4] / digest

    def exists(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def put_file(self, source: Path, *, move: bool = False) -> str:
        """Store a file's content; returns its hex digest. `move` consumes the source file."""
        digest = sha256_file(source)
        final = self.path(digest)
        if final.is_file():
            if move:
                source.unlink()
            return digest
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix=f"{os.getpid()}-put-")
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

    def put_staged(self, staged: Path, digest: str) -> None:
        """Move a synced file from the store's temp area into place under `digest`, which the
        caller computed from it: one rename, cheap enough to do while holding a lock."""
        if staged.parent.resolve() != self.tmp.resolve():
            raise ValueError("put_staged takes files from the store's temp area only")
        final = self.path(digest)
        if final.is_file():
            staged.unlink()
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(staged, 0o444)
        os.replace(staged, final)
        fsync_dir(final.parent)

    def digests(self) -> Iterator[str]:
        """The hex digests of every stored blob (files named by a hash under `ab/cd/`)."""
        for first in sorted(self.root.glob("[0-9a-f][0-9a-f]")):
            for p in sorted(first.glob("[0-9a-f][0-9a-f]/*")):
                name = p.name
                if len(name) == 64 and name[:2] == first.name and p.is_file():
                    yield name

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

    def put_bytes(self, data: bytes) -> str:
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix=f"{os.getpid()}-bytes-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return self.put_file(Path(tmp_name), move=True)

    def verify(self, digest: str) -> Path:
        """Return the blob's path after checking its content still hashes to `digest`."""
        p = self.path(digest)
        if not p.is_file():  # a server fault, not the caller's: no store path in the message
            raise IntegrityError(
                f"The stored file {digest} is missing. An operator must restore it from a backup "
                "(`datanuri ledger audit` lists every missing file)."
            )
        actual = sha256_file(p)
        if actual != digest.removeprefix("sha256:"):
            raise IntegrityError(
                f"Blob {digest} is corrupted: its content now hashes to {actual}. Restore it from a backup."
            )
        return p

    @contextmanager
    def open(self, digest: str) -> Iterator[BinaryIO]:
        """Open a verified blob for reading."""
        with open(self.verify(digest), "rb") as f:
            yield f

    def temp_path(self, suffix: str = "") -> Path:
        """A fresh path in the store's temp area (same file system, so renames are atomic)."""
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix=f"{os.getpid()}-", suffix=suffix)
        os.close(fd)
        return Path(name)

    def clean_tmp(self) -> int:
        """Remove temporary files left by crashed processes; returns how many were removed.

        Temp names start with the writing process's id, so files of processes still running
        (a server beside a CLI command) are left alone.
        """
        n = 0
        for p in self.tmp.iterdir():
            pid_text = p.name.lstrip(".").split("-", 1)[
                0
            ]  # "<pid>-…" or a hidden ".<pid>-…" beside it
            if pid_text.isdigit() and pid_alive(int(pid_text)):
                continue
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
            n += 1
        return n
