"""Time the blob store's operations on a local directory and on S3 (a local moto server).

    PYTHONPATH=. .venv/bin/python benchmarks/blob_store.py --mb 64
    PYTHONPATH=. .venv/bin/python benchmarks/blob_store.py --mb 64 --url s3://bucket/p \\
        --endpoint http://minio:9000          # a real S3-compatible store instead of moto

Writes a random Parquet-sized file of `--mb` MiB into the store's temp area, then times:
`put_staged` (local: a rename; S3: the upload), `verify` cold (S3: download + hash into the read
cache), `verify` warm (a local hash), `open_input` + full read (S3: hash stream + read), and
`digests`. Prints one JSON line per store. Without `--url`, S3 means a moto server this script
starts on a free port (its figures measure moto on this machine, not a real object store).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from datanuri.config import Config
from datanuri.store.blobs import BlobStore, sha256_file
from datanuri.store.open_blobs import open_blob_store


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return round(time.perf_counter() - t0, 3)


def run(store: BlobStore, mb: int) -> dict[str, object]:
    staged = store.temp_path(".bin")
    staged.write_bytes(os.urandom(mb * 1024 * 1024))
    t0 = time.perf_counter()
    digest = sha256_file(staged)
    hash_s = round(time.perf_counter() - t0, 3)
    out: dict[str, object] = {"store": store.url.split("://")[0], "mb": mb, "sha256_s": hash_s}
    out["put_staged_s"] = timed(lambda: store.put_staged(staged, digest))
    out["verify_cold_s"] = timed(lambda: store.verify(digest))
    out["verify_warm_s"] = timed(lambda: store.verify(digest))

    def read_all() -> None:
        with store.open_input(digest) as f:
            f.read()

    out["open_input_read_s"] = timed(read_all)
    out["digests_s"] = timed(lambda: list(store.digests()))
    store.discard(digest)
    return out


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).parent / "moto_server"
    proc = subprocess.Popen(
        [str(exe), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    for k, v in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}.items():
        os.environ.setdefault(k, v)
    import pyarrow.fs as pafs

    pafs.S3FileSystem(
        endpoint_override=f"127.0.0.1:{port}",
        scheme="http",
        region="us-east-1",
        allow_bucket_creation=True,
    ).create_dir("bench")
    return proc, endpoint


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=64)
    ap.add_argument("--url", default="", help="an s3:// blob_url (default: a moto server)")
    ap.add_argument("--endpoint", default="")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        print(json.dumps(run(open_blob_store(Config(data_dir=Path(d) / "local")), args.mb)))
        proc = None
        url, endpoint = args.url, args.endpoint
        if not url:
            proc, endpoint = start_moto()
            url = "s3://bench/blobs"
        try:
            cfg = Config(data_dir=Path(d) / "s3", blob_url=url, blob_s3_endpoint_url=endpoint)
            print(json.dumps(run(open_blob_store(cfg), args.mb)))
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait()


if __name__ == "__main__":
    main()
