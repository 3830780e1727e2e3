"""The `blob_url` setting, and which temp files a start may remove (pure parts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from datanuri.errors import ConfigError
from datanuri.store.blob_url import parse_blob_url
from datanuri.store.tempnames import is_leftover, owner


def test_blob_urls(tmp_path):
    assert parse_blob_url("", tmp_path).root == tmp_path / "blobs"
    assert parse_blob_url("/mnt/shared/blobs", tmp_path).root == Path("/mnt/shared/blobs")
    assert parse_blob_url("file:///mnt/shared/blobs", tmp_path).root == Path("/mnt/shared/blobs")
    assert parse_blob_url("file:///mnt/%EA%B3%B5%EC%9C%A0", tmp_path).root == Path("/mnt/공유")
    s3 = parse_blob_url("s3://bucket/some/prefix/", tmp_path, "http://127.0.0.1:9000")
    assert (s3.local, s3.scheme, s3.base, s3.endpoint_url) == (
        False,
        "s3",
        "bucket/some/prefix",
        "http://127.0.0.1:9000",
    )
    assert s3.url == "s3://bucket/some/prefix"
    assert parse_blob_url("s3://bucket", tmp_path).base == "bucket"


@pytest.mark.parametrize(
    "url",
    ["s3://", "s3://key:secret@bucket/p", "s3://bucket/p?region=x", "file://host/blobs", "file://"],
)
def test_bad_blob_urls_say_what_to_write(url, tmp_path):
    with pytest.raises(ConfigError, match="s3://bucket/prefix"):
        parse_blob_url(url, tmp_path)


def test_temp_owners():
    assert owner("123@abcdef0123-put-x") == owner(".123@abcdef0123-x.parquet.123.tmp")
    assert owner("123@abcdef0123-put-x").host == "abcdef0123"  # type: ignore[union-attr]
    assert owner("77-put-old") is not None and owner("77-put-old").host is None  # type: ignore[union-attr]
    assert owner("notes.txt") is None


def test_which_temp_files_are_leftovers():
    def alive(pid: int) -> bool:
        return pid == 10

    def left(name: str, age: float) -> bool:
        return is_leftover(name, age, alive=alive, host="here", max_age=100)

    assert not left("10@here-put-a", 5)  # a live process of this host
    assert left("11@here-put-a", 5)  # its process is gone
    assert left("11-put-a", 5)  # written before host tags: this host's
    assert not left("11@there-put-a", 5)  # another host's pid means nothing here: wait
    assert left("11@there-put-a", 100)  # ... until it is a day old
    assert not left("unnamed", 5) and left("unnamed", 500)
    assert left("10@here-put-a", 100)  # even a live process does not write for a day
