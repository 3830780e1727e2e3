"""The blob store in an object store (S3-compatible, or any pyarrow filesystem).

Same names and guarantees as the local `BlobStore`: a blob is named by its SHA-256 under
`<base>/ab/cd/<digest>`, appears only whole, and reads verify the hash. There is no rename in an
object store, so a blob is uploaded to its final key only once its digest is known (content
addressing makes that safe: the key can only ever hold those bytes); an object becomes visible
only when its upload completes, and an upload whose stored size differs is deleted again.

Files that need to be local (uploads being received, the Parquet an ingest writes) live in a
local temp area; readers that need a path get a verified copy in a local cache, named by its
digest (immutable content, so any process may fill or trim it), bounded by `cache_bytes`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs

from datanuri.errors import MSG_BLOB_UNREACHABLE, IntegrityError
from datanuri.store.blobs import (
    CHUNK,
    BlobStore,
    blob_key,
    check_digest,
    corrupted,
    missing,
    sha256_file,
)
from datanuri.store.tempnames import temp_prefix

log = logging.getLogger(__name__)

CACHE_GRACE_SECONDS = 600  # a cached copy used this recently may be about to be opened: kept


class RemoteBlobStore(BlobStore):
    """Blobs in `filesystem` under `base` ("bucket/prefix"); `local_dir` holds the temp area
    and the read cache."""

    remote = True

    def __init__(
        self,
        filesystem: pafs.FileSystem,
        base: str,
        *,
        scheme: str,
        local_dir: Path,
        cache_bytes: int = 10 * 1024**3,
    ) -> None:
        local_dir = Path(local_dir)
        self.root = local_dir
        self.tmp = local_dir / "tmp"
        self.cache = local_dir / "cache"
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.cache.mkdir(parents=True, exist_ok=True)
        self._filesystem = filesystem
        self.base = base.strip("/")
        self.scheme = scheme
        self.cache_bytes = cache_bytes

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.base}"

    # ----- where a blob is --------------------------------------------------------------------
    def path(self, digest: str) -> Path:
        raise TypeError(
            "A remote blob store has no local path per blob: use local_path() (a verified "
            "local copy), open_input() or uri()."
        )

    def fs_path(self, digest: str) -> str:
        return f"{self.base}/{blob_key(digest)}"

    def uri(self, digest: str) -> str:
        return f"{self.scheme}://{self.fs_path(digest)}"

    # ----- what is stored ---------------------------------------------------------------------
    def _info(self, digest: str) -> pafs.FileInfo:
        try:
            return self.filesystem.get_file_info(self.fs_path(digest))
        except OSError as exc:
            raise _unreachable(exc) from exc

    def exists(self, digest: str) -> bool:
        return self._info(digest).type == pafs.FileType.File

    def size(self, digest: str) -> int | None:
        info = self._info(digest)
        return info.size if info.type == pafs.FileType.File else None

    def stored_hash(self, digest: str) -> str | None:
        if not self.exists(digest):
            return None
        h = hashlib.sha256()
        try:
            with self.filesystem.open_input_stream(self.fs_path(digest)) as src:
                while chunk := src.read(CHUNK):
                    h.update(chunk)
        except FileNotFoundError:  # discarded meanwhile
            return None
        except OSError as exc:
            raise _unreachable(exc) from exc
        return h.hexdigest()

    def digests(self) -> Iterator[str]:
        selector = pafs.FileSelector(self.base, recursive=True, allow_not_found=True)
        try:
            infos = self.filesystem.get_file_info(selector)
        except OSError as exc:
            raise _unreachable(exc) from exc
        found = []
        for info in infos:
            if info.type != pafs.FileType.File:
                continue
            parts = info.path[len(self.base) :].strip("/").split("/")
            if len(parts) != 3 or len(parts[2]) != 64:
                continue
            first, second, name = parts
            if first == name[:2] and second == name[2:4]:
                try:
                    found.append(check_digest(name))
                except Exception:  # a stray object that only looks like a blob
                    continue
        yield from sorted(found)

    # ----- writing ----------------------------------------------------------------------------
    def _upload(self, source: Path, digest: str) -> None:
        """Put `source` at the blob's key unless a whole copy is there already."""
        want = source.stat().st_size
        if self.size(digest) == want:
            return
        key = self.fs_path(digest)
        try:
            if self.scheme not in ("s3", "gs"):  # object stores have no directories to make
                self.filesystem.create_dir(key.rsplit("/", 1)[0], recursive=True)
            pafs.copy_files(
                str(source.resolve()),
                key,
                source_filesystem=pafs.LocalFileSystem(),
                destination_filesystem=self.filesystem,
            )
        except OSError as exc:
            self._delete_if_partial(digest, want)
            raise _unreachable(exc) from exc
        if self.size(digest) != want:  # a partial upload must not sit under a real name
            self._delete_if_partial(digest, want)
            raise _unreachable(OSError(f"upload of {digest} ended short"))

    def _delete_if_partial(self, digest: str, want: int) -> None:
        try:
            size = self.size(digest)
            if size is not None and size != want:
                self.filesystem.delete_file(self.fs_path(digest))
        except Exception:  # best effort: verify() refuses a wrong object anyway
            pass

    def put_file(self, source: Path, *, move: bool = False) -> str:
        digest = sha256_file(source)
        self._upload(source, digest)
        if move:
            source.unlink()
        return digest

    def put_staged(self, staged: Path, digest: str) -> None:
        """Upload a staged file under `digest` (computed by the caller), then drop it. Unlike
        the local rename this costs an upload; objects appear only once complete."""
        self._check_staged(staged)
        self._upload(staged, check_digest(digest))
        staged.unlink()

    def discard(self, digest: str) -> bool:
        if not self.exists(digest):
            return False
        try:
            self.filesystem.delete_file(self.fs_path(digest))
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise _unreachable(exc) from exc
        (self.cache / check_digest(digest)).unlink(missing_ok=True)
        return True

    # ----- reading ----------------------------------------------------------------------------
    def verify(self, digest: str) -> Path:
        """A verified local copy of the blob in the read cache (downloaded and hashed in one
        pass when absent; a cached copy is hashed again before it is handed out)."""
        digest = check_digest(digest)
        cached = self.cache / digest
        if cached.is_file():
            if sha256_file(cached) == digest:
                os.utime(cached)  # recently used: trimmed last
                return cached
            cached.unlink(missing_ok=True)  # a damaged copy: fetch it again
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix=temp_prefix() + "get-")
        tmp = Path(name)
        try:
            h = hashlib.sha256()
            with os.fdopen(fd, "wb") as out:
                try:
                    with self.filesystem.open_input_stream(self.fs_path(digest)) as src:
                        while chunk := src.read(CHUNK):
                            h.update(chunk)
                            out.write(chunk)
                except FileNotFoundError as exc:
                    raise missing(digest) from exc
                except OSError as exc:  # the store, not the local disk, in all likelihood
                    raise _unreachable(exc) from exc
            if h.hexdigest() != digest:
                raise corrupted(digest, h.hexdigest())
            os.chmod(tmp, 0o444)
            os.replace(tmp, cached)
        finally:
            tmp.unlink(missing_ok=True)
        self.trim_cache()
        return cached

    def open_input(self, digest: str, *, verified: bool = True) -> pa.NativeFile:
        """A seekable file read from the object store itself; `verified` first streams the
        stored object once to check its hash (so a verified read costs two transfers: use
        `local_path` to read a whole blob more than once)."""
        if verified:
            actual = self.stored_hash(digest)
            if actual is None:
                raise missing(digest)
            if actual != check_digest(digest):
                raise corrupted(digest, actual)
        try:
            return self.filesystem.open_input_file(self.fs_path(digest))
        except FileNotFoundError as exc:
            raise missing(digest) from exc
        except OSError as exc:
            raise _unreachable(exc) from exc

    def trim_cache(self) -> int:
        """Remove least recently used cached copies beyond `cache_bytes` (copies used in the
        last ten minutes stay); returns how many were removed."""
        now = time.time()
        entries = []
        for p in self.cache.iterdir():
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            entries.append((st.st_mtime, st.st_size, p))
        total = sum(size for _, size, _ in entries)
        removed = 0
        for mtime, size, p in sorted(entries):
            if total <= self.cache_bytes:
                break
            if now - mtime < CACHE_GRACE_SECONDS:
                continue
            p.unlink(missing_ok=True)
            total -= size
            removed += 1
        return removed


def _unreachable(exc: OSError) -> IntegrityError:
    """A store that does not answer is a server fault; the detail goes to the log, not the user."""
    log.warning("blob store: %s", exc)
    return IntegrityError(MSG_BLOB_UNREACHABLE.format(what=type(exc).__name__))
