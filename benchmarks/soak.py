"""Soak: N minutes of mixed traffic on a datanuri API over PostgreSQL while a publisher uploads a
new version through the API every ~30 s; the server's RSS and open files are sampled every 10 s.

    PYTHONPATH=. .venv/bin/python benchmarks/soak.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test
        [--minutes 30] [--rate 5] [--publish-every 30] [--sample-every 10] [--api-workers 1|2]
    ... --quick      # 20 seconds, for the smoke test

Setup (not timed): a fresh database on the `--pg` server, the demo data (`datanuri demo
--no-serve`), `datanuri serve` as a subprocess (`--workers N` when this build has it), an API
token of the demo publisher. Traffic: dataset page (HTML), API search, dataset list and a CSV
download, round-robin, from the fixed-rate open-loop generator of `_harness.py` (latency from
the scheduled send time) in windows of `--sample-every` seconds. The publisher re-publishes the
smallest demo dataset's CSV with one row left out (a different row each time, so every upload
is a new version) with `?wait=true`.

Reported: requests, errors (any non-2xx/3xx answer or failure, load and publishing), p50/p99
per window at start and end, each server process's RSS and open files at start (after the first
minute's warm-up), end and max, and their least-squares slope per hour over the run after the
warm-up. Exits 1 ("FAILED") if any request or publish failed. The database and data directory
are dropped afterwards.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402


@dataclass
class Series:
    """Samples of one server process over the run: (seconds since start, rss kB, open files)."""

    pid: int
    points: list[tuple[float, int, int]] = field(default_factory=list)


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope dy/dx; 0 for fewer than two points."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0


class Publisher(threading.Thread):
    """Publishes a new version of one dataset through the API every `every` seconds."""

    def __init__(self, inst: h.Instance, dataset: str, token: str, every: float) -> None:
        super().__init__(daemon=True)
        self.inst, self.dataset, self.token, self.every = inst, dataset, token, every
        self.stop_event = threading.Event()
        self.published = 0
        self.errors: list[str] = []
        self.seconds: list[float] = []

    def run(self) -> None:
        """Publish until stopped."""
        import httpx

        url = f"{self.inst.base}/api/v1/datasets/{self.dataset}/versions/latest/download"
        original = httpx.get(url, params={"format": "csv"}, timeout=60).content
        header, *rows = original.decode("utf-8-sig").splitlines(keepends=True)
        i = 0
        while not self.stop_event.wait(self.every if i else 1.0):
            left_out = i % len(rows)
            body = header + "".join(r for j, r in enumerate(rows) if j != left_out)
            t0 = time.perf_counter()
            try:
                r = httpx.post(
                    f"{self.inst.base}/api/v1/datasets/{self.dataset}/versions",
                    params={"wait": "true"},
                    headers={"Authorization": f"Bearer {self.token}"},
                    files={"file": (f"soak-{i}.csv", body.encode("utf-8"), "text/csv")},
                    data={"change_note": f"soak {i}"},
                    timeout=120,
                )
                if r.status_code >= 400:
                    self.errors.append(f"HTTP {r.status_code}: {r.text[:200]}")
                else:
                    self.published += 1
            except httpx.HTTPError as e:
                self.errors.append(f"{type(e).__name__}: {e}")
            self.seconds.append(time.perf_counter() - t0)
            i += 1


def main() -> int:
    """Run the soak; 1 if anything failed."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--pg", required=True, help="PostgreSQL server URL (a database is made on it)")
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--rate", type=float, default=5.0, help="requests per second (fixed)")
    ap.add_argument("--publish-every", type=float, default=30.0, help="seconds between publishes")
    ap.add_argument(
        "--sample-every", type=float, default=10.0, help="seconds between /proc samples"
    )
    ap.add_argument("--warmup", type=float, default=60.0, help="seconds left out of start/slope")
    ap.add_argument("--api-workers", type=int, default=1, choices=(1, 2))
    ap.add_argument("--quick", action="store_true", help="20 s at 5 req/s (smoke test)")
    args = ap.parse_args()
    if args.quick:
        args.minutes, args.rate, args.publish_every = 20 / 60, 5.0, 8.0
        args.sample_every, args.warmup = 4.0, 0.0
    if args.api_workers > 1 and not h.serve_supports_workers():
        print("--api-workers 2: n/a (`datanuri serve --workers` is not in this build)")
        return 2

    with h.instance(args.pg) as inst:
        inst.start(args.api_workers)
        targets = h.find_targets(inst)
        token = h.json.loads(
            inst.cli(
                "tokens",
                "create",
                "--user",
                "publisher@datanuri.local",
                "--scopes",
                "read,publish",
                "--name",
                "soak",
                "--json",
            )
        )["token"]
        mix = [
            ("page", targets.page),
            ("search", targets.search),
            ("list", "/api/v1/datasets"),
            ("download", targets.download),
        ]
        print(
            f"soak {args.minutes:g} min at {args.rate:g} req/s ({', '.join(p for _, p in mix)}), "
            f"publishing {targets.publish_to} every {args.publish_every:g} s, "
            f"{args.api_workers} API process(es), {h.loadavg()}",
            flush=True,
        )
        series: dict[int, Series] = {}
        windows: list[h.Outcome] = []
        publisher = Publisher(inst, targets.publish_to, token, args.publish_every)
        publisher.start()
        t_start = time.monotonic()
        end = t_start + args.minutes * 60
        stopped = threading.Event()  # Ctrl-C / SIGTERM: end after this window, clean up, report
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopped.set())
        while time.monotonic() < end and not stopped.is_set():
            now = time.monotonic() - t_start
            for pid in inst.server_pids():
                s = h.sample(pid)
                if s is not None:
                    series.setdefault(pid, Series(pid)).points.append((now, s.rss_kb, s.open_files))
            span = min(args.sample_every, end - time.monotonic())
            if span <= 0.5:
                break
            w = h.run_open_loop(inst.base, mix, args.rate, span, f"t+{now:5.0f}s")
            windows.append(w)
            if len(windows) % 6 == 1:
                print(f"   {w.summary()}  {h.loadavg()}", flush=True)
        publisher.stop_event.set()
        publisher.join(180)
        alive = inst.proc is not None and inst.proc.poll() is None
        kept: Path | None = None
        if inst.log is not None:  # the data directory goes; the server's log is kept
            kept = Path(tempfile.gettempdir()) / f"soak-serve-{inst.port}.log"
            shutil.copy(inst.log, kept)
        now = time.monotonic() - t_start
        for pid in inst.server_pids():
            s = h.sample(pid)
            if s is not None:
                series.setdefault(pid, Series(pid)).points.append((now, s.rss_kb, s.open_files))

    total = sum(w.sent for w in windows)
    errors: dict[str, int] = {}
    for w in windows:
        for k, v in w.errors.items():
            errors[k] = errors.get(k, 0) + v
    lat = [x * 1000 for w in windows for x in w.latencies]
    print(f"\n== soak result ({h.loadavg()})")
    print(
        f"   requests {total:,}  errors {sum(errors.values())} {errors or ''}  "
        f"p50 {h.percentile(lat, 50):.1f} ms  p99 {h.percentile(lat, 99):.1f} ms  "
        f"max {max(lat) if lat else float('nan'):.1f} ms  "
        f"retried after a closed keep-alive connection {sum(w.retried for w in windows)}"
    )
    if windows:
        print(f"   first window: {windows[0].summary()}")
        print(f"   last window:  {windows[-1].summary()}")
    pub_med = h.median(publisher.seconds)
    print(
        f"   publishes {publisher.published} ok, {len(publisher.errors)} failed"
        f" (median {pub_med:.1f} s each)"
        + (f"; first failure: {publisher.errors[0]}" if publisher.errors else "")
    )
    for s in series.values():
        pts = [p for p in s.points if p[0] >= args.warmup] or s.points
        first, last = pts[0], pts[-1]
        rss_slope = slope([(t / 3600, r / 1024) for t, r, _ in pts])
        fd_slope = slope([(t / 3600, float(f)) for t, _, f in pts])
        print(
            f"   pid {s.pid}: RSS {first[1] / 1024:.0f} → {last[1] / 1024:.0f} MiB "
            f"(max {max(r for _, r, _ in s.points) / 1024:.0f}, slope {rss_slope:+.1f} MiB/h), "
            f"open files {first[2]} → {last[2]} (max {max(f for _, _, f in s.points)}, "
            f"slope {fd_slope:+.1f}/h), {len(s.points)} samples from t={first[0]:.0f} s"
        )
    failed = bool(errors) or bool(publisher.errors) or not alive or total == 0
    if not alive:
        print("   the server process died during the soak")
    if stopped.is_set():
        print(f"   stopped early by a signal after {now / 60:.1f} of {args.minutes:g} minutes")
    print(f"   server log: {kept}")
    print("FAILED: see the errors above" if failed else "OK: no errors")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
