"""Shared parts of the scale, load and soak benchmarks: a datanuri API in subprocesses on a
fresh PostgreSQL database with the demo data, /proc sampling of its processes, and a fixed-rate
open-loop HTTP load generator.

The load generator is written here (asyncio + httpx) rather than driven through `wrk`: wrk is
closed-loop (each connection waits for its answer before sending the next request), so a slow
answer delays the requests behind it and their latency is never measured ("coordinated
omission"), and it has no fixed-rate mode. Here request i is *scheduled* at t0 + i / rate,
sent then whatever happened to the ones before it, and its latency is measured from the
scheduled time, so a stall shows in p99 as it would for users arriving at that rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def loadavg() -> str:
    """The 1/5/15-minute load averages, printed beside every figure (the machine is shared)."""
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# ---------------------------------------------------------------------------------------------
# /proc sampling


@dataclass(frozen=True)
class ProcSample:
    """One process's resident memory and open files at one moment."""

    pid: int
    rss_kb: int
    open_files: int


def descendants(pid: int) -> list[int]:
    """`pid` and every living process below it (read from /proc/*/stat)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def sample(pid: int) -> ProcSample | None:
    """RSS (VmRSS) and open file descriptors of `pid`, or None if it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None
    rss = next(
        (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
    )
    return ProcSample(pid, rss, fds)


# ---------------------------------------------------------------------------------------------
# the API under test


def make_database(server_url: str) -> tuple[str, str]:
    """Create a fresh database on the PostgreSQL server of `server_url`; its URL and name."""
    import psycopg

    name = f"loadbench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    base = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    head, _, _ = server_url.rpartition("/")
    return f"{head}/{name}", name


def drop_database(server_url: str, name: str) -> None:
    """Drop a database made by `make_database` (connections to it are ended first)."""
    import psycopg

    base = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def serve_supports_workers() -> bool:
    """Whether this build's `datanuri serve` takes `--workers`."""
    out = subprocess.run(
        [PY, "-m", "datanuri.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200", "PYTHONPATH": str(ROOT)},
    )
    return "--workers" in out.stdout


@dataclass
class Instance:
    """A data directory and database with the demo data, and the API serving it."""

    pg: str
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="datanuri-load-")))
    db_url: str = ""
    db_name: str = ""
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def env(self) -> dict[str, str]:
        """The environment of every datanuri command run against this instance."""
        return {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATANURI_DATA_DIR": str(self.data_dir),
            "DATANURI_DATABASE_URL": self.db_url,
            # the limiter (600/min per client) would answer 429 to a load test from one address
            "DATANURI_RATE_LIMIT_PER_MINUTE": "100000000",
            "DATANURI_RATE_LIMIT_BURST": "100000000",
            "DATANURI_SECOND_FACTOR_POLICY": "off",
        }

    @property
    def base(self) -> str:
        """The API's address."""
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str) -> str:
        """Run `datanuri ARGS` against this instance; its stdout."""
        done = subprocess.run(
            [PY, "-m", "datanuri.cli", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=self.env,
            timeout=1800,
        )
        if done.returncode != 0:
            raise RuntimeError(f"datanuri {' '.join(args)} failed:\n{done.stderr[-2000:]}")
        return done.stdout

    def prepare(self) -> None:
        """A fresh database, the demo data loaded into it."""
        self.db_url, self.db_name = make_database(self.pg)
        self.cli("demo", "--no-serve")

    def start(self, workers: int = 1) -> None:
        """Start `datanuri serve` (with `--workers` when more than one) and wait until it answers."""
        import httpx

        self.port = free_port()
        cmd = [PY, "-m", "datanuri.cli", "serve", "--port", str(self.port)]
        if workers > 1:
            cmd += ["--workers", str(workers)]
        self.log = self.data_dir / f"serve-{self.port}.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"datanuri serve exited:\n{self.log.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base + "/api/v1/datasets", timeout=2).status_code == 200:
                    return
            time.sleep(0.5)
        raise RuntimeError("datanuri serve did not answer within 120 s")

    def server_pids(self) -> list[int]:
        """The serving process and its workers."""
        return descendants(self.proc.pid) if self.proc else []

    def stop(self) -> None:
        """Stop the server (SIGINT, then SIGKILL to its process group after 20 s)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def close(self) -> None:
        """Stop the server, drop the database, delete the data directory."""
        self.stop()
        if self.db_name:
            drop_database(self.pg, self.db_name)
        shutil.rmtree(self.data_dir, ignore_errors=True)


@contextlib.contextmanager
def instance(pg: str) -> Iterator[Instance]:
    """A prepared instance, closed afterwards whatever happens."""
    inst = Instance(pg)
    try:
        inst.prepare()
        yield inst
    finally:
        inst.close()


@dataclass(frozen=True)
class Targets:
    """The URLs the load is made of, found on the instance's demo data."""

    page: str  # a dataset's HTML page
    search: str  # an API search
    download: str  # a small open dataset's latest version as CSV
    publish_to: str  # a dataset the publisher token may publish to


def find_targets(inst: Instance) -> Targets:
    """Pick the demo datasets the load reads (the smallest open one is downloaded)."""
    import httpx

    sets = httpx.get(inst.base + "/api/v1/datasets", params={"limit": 100}, timeout=30).json()
    sized = []
    for d in sets:
        v = httpx.get(f"{inst.base}/api/v1/datasets/{d['name']}/versions/latest", timeout=30)
        if v.status_code == 200:
            sized.append((v.json().get("rows") or 0, d["name"], d.get("organization", "")))
    sized.sort()
    _, small, _ = sized[0]
    name = sized[len(sized) // 2][1]
    return Targets(
        page=f"/datasets/{name}",
        search="/api/v1/search?q=%EC%9D%B8%EA%B5%AC",  # 인구
        download=f"/api/v1/datasets/{small}/versions/latest/download?format=csv",
        publish_to=small,
    )


# ---------------------------------------------------------------------------------------------
# the open-loop generator


@dataclass
class Outcome:
    """What one stream of requests got."""

    label: str
    rate: float
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    retried: int = 0  # GETs sent again after a kept-alive connection was closed under them

    @property
    def sent(self) -> int:
        """Requests sent."""
        return len(self.latencies) + sum(self.errors.values())

    def summary(self) -> str:
        """p50/p99/max in ms, counts and errors on one line."""
        ms = [x * 1000 for x in self.latencies]
        errs = ", ".join(f"{k}×{v}" for k, v in sorted(self.errors.items())) or "none"
        return (
            f"{self.label:9s} {self.rate:6.0f} req/s  sent {self.sent:6d}  "
            f"p50 {percentile(ms, 50):8.1f} ms  p99 {percentile(ms, 99):8.1f} ms  "
            f"max {max(ms) if ms else float('nan'):8.1f} ms  errors {errs}"
            + (f"  retried {self.retried}" if self.retried else "")
        )


async def _one(client, url: str, at: float, out: Outcome) -> None:
    """Send one GET at the scheduled time `at` (loop clock); record latency from `at`."""
    loop = asyncio.get_running_loop()
    delay = at - loop.time()
    if delay > 0:
        await asyncio.sleep(delay)
    import httpx

    try:
        try:
            r = await client.get(url)
            await r.aread()
        except (httpx.ReadError, httpx.RemoteProtocolError):
            # A kept-alive connection the server closed as the GET went out (a starved client
            # can hold one past uvicorn's keep-alive): sent again once on a fresh connection,
            # as browsers and HTTP clients do for idempotent requests; a second failure counts.
            out.retried += 1
            r = await client.get(url)
            await r.aread()
        if r.status_code >= 400:
            key = f"HTTP {r.status_code}"
            out.errors[key] = out.errors.get(key, 0) + 1
            return
    except Exception as e:  # noqa: BLE001 - every failure is counted by its kind
        key = type(e).__name__
        out.errors[key] = out.errors.get(key, 0) + 1
        return
    out.latencies.append(loop.time() - at)


async def open_loop(
    base: str, mix: Sequence[tuple[str, str]], rate: float, seconds: float, label: str
) -> Outcome:
    """GET the URLs of `mix` (label, path; round-robin) at `rate` requests per second for
    `seconds`, each scheduled at a fixed time and timed from it."""
    import httpx

    out = Outcome(label, rate, seconds)
    # Idle connections are dropped after 2 s, before uvicorn's 5 s keep-alive timeout closes
    # them: with both at 5 s (httpx's default) a request sent on a connection the server is
    # closing that instant fails with ReadError (the likely cause of the 14 ReadErrors in 8,288
    # requests of the first 30-minute soak; unconfirmed: that run's server log was not kept).
    limits = httpx.Limits(max_connections=512, max_keepalive_connections=64, keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        loop = asyncio.get_running_loop()
        t0 = loop.time() + 0.2
        n = int(rate * seconds)
        tasks = [
            asyncio.ensure_future(_one(client, mix[i % len(mix)][1], t0 + i / rate, out))
            for i in range(n)
        ]
        await asyncio.gather(*tasks)
    return out


def run_open_loop(
    base: str, mix: Sequence[tuple[str, str]], rate: float, seconds: float, label: str
) -> Outcome:
    """`open_loop` from synchronous code."""
    return asyncio.run(open_loop(base, mix, rate, seconds, label))


def median(values: Sequence[float]) -> float:
    """The median, NaN for none."""
    return statistics.median(values) if values else float("nan")


def dump(obj: object) -> str:
    """JSON of a result for the machine-readable last line."""
    return json.dumps(obj, ensure_ascii=False, default=str)
