"""Where the blob store lives, from the `blob_url` setting (pure: no file system is touched).

- empty: `<data_dir>/blobs` on the local file system (which may be a shared mount);
- a directory or `file:///mnt/shared/blobs`: that directory;
- `s3://bucket/prefix`: an S3-compatible object store (endpoint from `blob_s3_endpoint_url`,
  credentials from the usual AWS environment variables);
- any other `scheme://…`: a filesystem pyarrow or fsspec knows by that scheme (untested here).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from datanuri.errors import MSG_BLOB_URL, ConfigError


@dataclass(frozen=True)
class BlobLocation:
    """A parsed `blob_url`: a local directory (`root`), or `scheme` + `base` ("bucket/prefix")."""

    root: Path | None = None
    scheme: str = "file"
    base: str = ""
    endpoint_url: str = ""

    @property
    def local(self) -> bool:
        return self.root is not None

    @property
    def url(self) -> str:
        """The store's address as a URL (what `datanuri` prints; never holds credentials)."""
        if self.root is not None:
            return self.root.resolve().as_uri()
        return f"{self.scheme}://{self.base}"


def parse_blob_url(url: str, data_dir: Path, endpoint_url: str = "") -> BlobLocation:
    """Read the `blob_url` setting (empty = `<data_dir>/blobs`)."""
    url = url.strip()
    if not url:
        return BlobLocation(root=Path(data_dir) / "blobs")
    if "://" not in url:
        return BlobLocation(root=Path(url).expanduser())
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path:
            raise ConfigError(MSG_BLOB_URL.format(url=url))
        return BlobLocation(root=Path(unquote(parts.path)))
    base = (parts.netloc + parts.path).strip("/")
    if not parts.netloc or parts.query or parts.fragment or "@" in parts.netloc:
        raise ConfigError(MSG_BLOB_URL.format(url=url))  # no credentials in the URL either
    return BlobLocation(scheme=scheme, base=base, endpoint_url=endpoint_url.strip())
