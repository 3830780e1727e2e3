"""A real S3 endpoint for the blob-store tests: a moto server subprocess, one per test session
(and xdist worker), with a bucket; each test's store gets a prefix of its own."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

BUCKET = "datanuri-test"


@dataclass(frozen=True)
class S3Server:
    """Where the moto server answers, and the bucket made in it."""

    endpoint_url: str
    bucket: str

    def fresh_url(self) -> str:
        """An `s3://` blob_url no other test uses."""
        return f"s3://{self.bucket}/t-{uuid.uuid4().hex[:12]}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[S3Server]:
    """Start `moto_server` on a free port, with test credentials in the AWS environment."""
    exe = Path(sys.executable).parent / "moto_server"
    if not exe.exists():  # a missing test dependency fails the run, as references do
        raise RuntimeError(f"{exe} is missing: install moto[server] (pinned in constraints.txt)")
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [str(exe), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    mp = pytest.MonkeyPatch()
    try:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }.items():
            mp.setenv(name, value)
        for _ in range(300):  # until it answers (or died)
            if proc.poll() is not None:
                raise RuntimeError(f"moto_server exited with {proc.returncode}")
            try:
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=1).close()
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        else:
            raise RuntimeError("moto_server did not answer")
        import pyarrow.fs as pafs

        pafs.S3FileSystem(
            endpoint_override=f"127.0.0.1:{port}",
            scheme="http",
            region="us-east-1",
            allow_bucket_creation=True,
        ).create_dir(BUCKET)
        yield S3Server(endpoint, BUCKET)
    finally:
        mp.undo()
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def s3_config(tmp_path: Path, moto_s3: S3Server) -> object:
    """Settings of a store in a fresh prefix of the moto bucket."""
    from datanuri.config import Config

    return Config(
        data_dir=tmp_path / "data",
        blob_url=moto_s3.fresh_url(),
        blob_s3_endpoint_url=moto_s3.endpoint_url,
    )


@pytest.fixture(params=["local", "s3"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> object:
    """The same blob store tests over a local directory and over S3 (moto)."""
    from datanuri.config import Config
    from datanuri.store.open_blobs import open_blob_store

    if request.param == "local":
        return open_blob_store(Config(data_dir=tmp_path / "data"))
    return open_blob_store(request.getfixturevalue("s3_config"))
