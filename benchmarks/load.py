"""API load: p50/p99 latency and errors at fixed request rates for dataset pages, search and a
CSV download, with 1 and 2 API processes on PostgreSQL.

    PYTHONPATH=. .venv/bin/python benchmarks/load.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test
        [--rates 50,100,200] [--seconds 20] [--api-workers 1,2]
    ... --quick      # one rate of 5 req/s for 3 s per target, one API process (smoke test)

Setup (not timed): a fresh database on the `--pg` server, the demo data, `datanuri serve` as a
subprocess (`--workers 2` for two API processes, only when this build's `serve` has the option;
otherwise the row says n/a). The load comes from this process (the server is another), over
loopback, from the fixed-rate open-loop generator in `_harness.py`: requests are scheduled at
fixed times and their latency is counted from the scheduled time, so a server that falls behind
shows it in p99 instead of silently lowering the rate (wrk is closed-loop and has no fixed-rate
mode; see `_harness.py`). Each (target, rate) runs `--seconds`; a rate the server cannot keep
up with shows as growing latencies, not as fewer requests. Errors are non-2xx/3xx answers,
timeouts (30 s) and connection failures. The generator shares the machine's cores with the
server: its CPU use is part of the figures, and the load average is printed beside each one.

Quoted figures (2026-12-03, 1 API process, 2 shared cores at load 5-23, 10 s per cell; p50 / p99):
dataset page 10 req/s 2.2 s / 4.1 s, 50 req/s 19.7 s / 33.2 s, 100 req/s 787 of 1,000 failed;
search 10 req/s 12 / 42 ms, 50 req/s 13 / 248 ms, 100 req/s 15 / 72 ms; CSV download (small
dataset) 10 req/s 40 / 945 ms, 50 req/s 4.7 s / 7.1 s, 100 req/s 492 of 1,000 failed.
Quoted (2026-12-03, quiet machine, load 0.5-2.1, `--rates 5,10,20 --api-workers 1,2`): dataset
page p50/p99 1 process 86/159 ms at 10 req/s, 5.8 s/10.8 s at 20; 2 processes 67/129 ms at 10,
2.1 s/5.3 s at 20; search 20/236 ms (1) and 22/69 ms (2) at 20 req/s; downloads ~37 ms p50.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402


def main() -> int:
    """Run the load matrix; 1 if a request failed."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--pg", required=True, help="PostgreSQL server URL (a database is made on it)")
    ap.add_argument("--rates", default="50,100,200", help="comma-separated requests per second")
    ap.add_argument("--seconds", type=float, default=20.0, help="duration of each (target, rate)")
    ap.add_argument("--api-workers", default="1,2", help="comma-separated API process counts")
    ap.add_argument("--quick", action="store_true", help="5 req/s, 3 s, 1 process (smoke test)")
    args = ap.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    workers = [int(w) for w in args.api_workers.split(",")]
    if args.quick:
        rates, args.seconds, workers = [5.0], 3.0, [1]
    has_workers = h.serve_supports_workers()
    results: list[dict[str, object]] = []
    failed = False
    with h.instance(args.pg) as inst:
        for n in workers:
            if n > 1 and not has_workers:
                print(
                    f"\n== {n} API processes: n/a (`datanuri serve --workers` is not in this build)"
                )
                continue
            inst.start(n)
            targets = h.find_targets(inst)
            mixes = {
                "page": [("page", targets.page)],
                "search": [("search", targets.search)],
                "download": [("download", targets.download)],
            }
            print(
                f"\n== {n} API process(es), pids {inst.server_pids()}; page {targets.page}, "
                f"search {targets.search}, download {targets.download}"
            )
            # warm-up: the first requests import templates and fill caches
            h.run_open_loop(inst.base, [m[0] for m in mixes.values()], 10, 2, "warm-up")
            for label, mix in mixes.items():
                for rate in rates:
                    out = h.run_open_loop(inst.base, mix, rate, args.seconds, label)
                    failed |= bool(out.errors)
                    ms = [x * 1000 for x in out.latencies]
                    print(f"   {out.summary()}   {h.loadavg()}", flush=True)
                    results.append(
                        {
                            "workers": n,
                            "target": label,
                            "rate": rate,
                            "sent": out.sent,
                            "p50_ms": h.percentile(ms, 50),
                            "p99_ms": h.percentile(ms, 99),
                            "errors": out.errors,
                        }
                    )
            inst.stop()
    by = {(r["workers"], r["target"], r["rate"]): r for r in results}
    if any(k[0] == 2 for k in by) and any(k[0] == 1 for k in by):
        print("\n== 2 processes vs 1 (p99 ratio; < 1: two processes answer faster)")
        for (w, t, rate), r in by.items():
            one = by.get((1, t, rate))
            if w == 2 and one:
                print(
                    f"   {t:9s} {rate:6.0f} req/s  p99 {float(r['p99_ms']) / float(one['p99_ms']):5.2f}x"
                )
    print(h.dump(results))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
