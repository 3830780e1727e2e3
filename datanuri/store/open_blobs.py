"""Open the blob store a `Config` names (`blob_url`): local directory or object store.

S3 goes through pyarrow's own `S3FileSystem` (the AWS SDK for C++ inside Arrow): the
filesystem `pyarrow.parquet` and `pyarrow.dataset` read with no Python in the read path, kept
with Arrow itself, and it takes credentials from the usual AWS environment variables
(`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`, profiles).
Other schemes pyarrow knows (`gs://`, `hdfs://`, `abfs://`) are opened by pyarrow, and any
other fsspec protocol through `PyFileSystem(FSSpecHandler(...))`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from datanuri.config import Config
from datanuri.errors import MSG_BLOB_SCHEME, ConfigError
from datanuri.store.blob_url import BlobLocation, parse_blob_url
from datanuri.store.blobs import BlobStore

if TYPE_CHECKING:  # pyarrow is imported for remote stores only, not with a local one
    import pyarrow.fs as pafs


def open_blob_store(config: Config) -> BlobStore:
    """The configured blob store (`<data_dir>/blobs` unless `blob_url` says otherwise)."""
    where = parse_blob_url(config.blob_url, config.data_dir, config.blob_s3_endpoint_url)
    if where.root is not None:
        return BlobStore(where.root)
    from datanuri.store.remote_blobs import RemoteBlobStore

    return RemoteBlobStore(
        remote_filesystem(where),
        where.base,
        scheme=where.scheme,
        local_dir=config.data_dir / "blob-local",
        cache_bytes=config.blob_cache_bytes,
    )


def remote_filesystem(where: BlobLocation) -> pafs.FileSystem:
    """The pyarrow filesystem of a remote `BlobLocation`."""
    import pyarrow.fs as pafs

    if where.scheme in ("s3", "s3a"):
        return s3_filesystem(where.endpoint_url)
    try:
        fs, _ = pafs.FileSystem.from_uri(where.url)
        return fs
    except (ValueError, OSError):  # ArrowInvalid is a ValueError: not a scheme pyarrow has
        pass
    try:
        import fsspec  # type: ignore[import-not-found, import-untyped, unused-ignore]  # optional

        return pafs.PyFileSystem(pafs.FSSpecHandler(fsspec.filesystem(where.scheme)))
    except (ImportError, ValueError) as exc:
        raise ConfigError(MSG_BLOB_SCHEME.format(scheme=where.scheme)) from exc


def s3_filesystem(endpoint_url: str = "") -> pafs.S3FileSystem:
    """pyarrow's S3 filesystem; `endpoint_url` (e.g. `http://minio:9000`) for S3-compatible
    stores; credentials, and the region unless `AWS_REGION`/`AWS_DEFAULT_REGION` names it, from
    the AWS SDK's usual chain (environment, profile files)."""
    import pyarrow.fs as pafs

    kwargs: dict[str, object] = {}
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        kwargs["region"] = region
    if endpoint_url:
        parts = urlsplit(endpoint_url if "://" in endpoint_url else f"https://{endpoint_url}")
        kwargs["endpoint_override"] = parts.netloc + parts.path.rstrip("/")
        kwargs["scheme"] = parts.scheme or "https"
        kwargs.setdefault("region", "us-east-1")  # S3-compatible stores mostly ignore it
    return pafs.S3FileSystem(**kwargs)  # type: ignore[arg-type]
