"""`datanuri serve --workers 2` as a real subprocess on a loopback port, on SQLite and PostgreSQL:
a session made by one process is honoured by every other, the rate limit is one shared bucket
(about the burst in total, not one burst per process), a publish through one process is found in
listing and search through the others, and SIGTERM stops every process cleanly."""

from __future__ import annotations

import math
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from datanuri.accounts.principal import SYSTEM
from datanuri.config import Config
from datanuri.platform import Platform
from tests.helpers import PASSWORD, air_csv

ROOT = Path(__file__).resolve().parents[2]
BURST = 300
PER_MINUTE = 1  # refills one request a minute: the test's requests come out of the burst
EDITOR = "editor@example.org"


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[str]
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seed(data_dir: Path, db_url: str) -> None:
    with Platform(Config(data_dir=data_dir, database_url=db_url)) as p:
        p.accounts.create_organization("org-a", title="기관 A", principal=SYSTEM)
        p.accounts.create_user(EDITOR, display_name="편집자", password=PASSWORD, principal=SYSTEM)
        p.accounts.add_member("org-a", EDITOR, role="editor", principal=SYSTEM)


@pytest.fixture
def server(tmp_path: Path, db_url: str) -> Iterator[Server]:
    data_dir = tmp_path / "data"
    _seed(data_dir, db_url)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATANURI_")}
    env.update(
        PYTHONPATH=str(ROOT),
        DATANURI_DATA_DIR=str(data_dir),
        DATANURI_DATABASE_URL=db_url,
        DATANURI_WORKER_HEADER="true",
        DATANURI_RATE_LIMIT_PER_MINUTE=str(PER_MINUTE),
        DATANURI_RATE_LIMIT_BURST=str(BURST),
        DATANURI_SECOND_FACTOR_POLICY="off",
    )
    log = tmp_path / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "datanuri.cli", "serve", "--workers", "2", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # until the workers answer (/healthz is not rate-limited)
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            pytest.fail("the server did not start:\n" + log.read_text())
        yield Server(url, proc, log)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _fresh(server: Server) -> httpx.Client:
    """A client that opens a new connection for every request (so any process may answer)."""
    return httpx.Client(
        base_url=server.url, headers={"connection": "close"}, timeout=120, follow_redirects=False
    )


@pytest.mark.slow
def test_workers_share_sessions_limits_and_publications(server: Server, tmp_path: Path) -> None:
    started = time.monotonic()
    answered: list[tuple[int, str]] = []  # (status, pid) of every rate-limited request

    def note(r: httpx.Response) -> httpx.Response:
        answered.append((r.status_code, r.headers["x-datanuri-worker"]))
        return r

    with _fresh(server) as c:
        login = note(c.post("/api/v1/auth/login", json={"email": EDITOR, "password": PASSWORD}))
        assert login.status_code == 200, login.text
        csrf = login.json()["csrf_token"]

        # 1. The session made by one process is accepted by every process.
        me_pids: set[str] = set()
        for n in range(150):
            r = note(c.get("/api/v1/me"))
            assert r.status_code == 200, r.text
            assert r.json()["authenticated"] and r.json()["user"]["email"] == EDITOR
            me_pids.add(r.headers["x-datanuri-worker"])
            if n >= 30 and len(me_pids) == 2:
                break
        assert len(me_pids) == 2, "only one process answered"

        # 2. A publish through one process is listed and found through the others at once.
        r = note(
            c.post(
                "/api/v1/datasets",
                json={"name": "air-seoul", "organization": "org-a", "title": "서울 대기질 측정"},
                headers={"x-csrf-token": csrf},
            )
        )
        assert r.status_code == 201, r.text
        csv = air_csv(tmp_path / "air.csv")
        with csv.open("rb") as f:
            r = note(
                c.post(
                    "/api/v1/datasets/air-seoul/versions?wait=true",
                    files={"file": ("air.csv", f, "text/csv")},
                    headers={"x-csrf-token": csrf},
                )
            )
        assert r.status_code == 201, r.text
        seen_by: set[str] = set()
        for n in range(60):
            listing = note(c.get("/api/v1/datasets"))
            assert listing.status_code == 200
            assert "air-seoul" in [d["name"] for d in listing.json()]
            found = note(c.get("/api/v1/search", params={"q": "대기질"}))
            assert found.status_code == 200
            assert "air-seoul" in [h["name"] for h in found.json()["results"]]
            seen_by |= {listing.headers["x-datanuri-worker"], found.headers["x-datanuri-worker"]}
            if n >= 5 and len(seen_by) == 2:
                break
        assert seen_by == me_pids

        # 3. The rate limit is one bucket for the client across both processes.
        assert all(status != 429 for status, _ in answered)
        for _ in range(2 * BURST):
            if note(c.get("/api/v1/datasets")).status_code == 429:
                break
        limited = c.get("/api/v1/datasets")  # and the other process refuses too
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    allowed = sum(1 for status, _ in answered if status != 429)
    refilled = math.ceil((time.monotonic() - started) / 60 * PER_MINUTE) + 1
    assert BURST <= allowed <= BURST + refilled, (allowed, refilled)
    assert {pid for status, pid in answered if status == 200} == me_pids

    # 4. SIGTERM stops the parent and both workers, without an error in the log.
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=120) == 0
    for pid in me_pids:
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)
    text = server.log.read_text()
    assert "Traceback" not in text and "ERROR" not in text, text
    assert text.count("Application shutdown complete") == 2
