"""Scale: de-identification of a generated table of 10^6, 10^7, 10^8 rows per engine, and CSV
ingest at growing sizes, each in a child process whose wall time and peak RSS are measured.

    PYTHONPATH=. .venv/bin/python benchmarks/scale.py [--sizes 1e6,1e7] [--engines inmemory,duckdb,spark]
        [--repeat 1] [--ingest-gb 1,3] [--skip-deid] [--skip-ingest] [--mem-cap-gb 20] [--data DIR]
    ... --sizes 1e8 --skip-ingest          # the 10^8-row run (see the report for how long)
    ... --skip-deid --ingest-gb 10         # the 10 GB ingest
    ... --quick                            # 20,000 rows and a 5 MB CSV (smoke test)
    ... --sizes 1e6 --start-check          # which generalised starts keep the exact optimum

(a) The table (generated once per size under `--data`, reused; streamed to Parquet in row groups
of 1M rows, seeded, never whole in memory): 8 quasi-identifiers with realistic cardinalities and
the correlations that matter for equivalence classes — 나이 (0-99), 성별 (2), 시도 (17 codes,
population-weighted), 우편번호 (5 digits inside the 시도's real range, ~34,000 values), 출생연도
(from the age), 직업 (24, KSCO-like, 3 levels), 학력 (7), 혼인상태 (4) — and 진단명 (30 KCD-like
codes) as the sensitive attribute. Policy: 5-anonymity, at most 5% suppressed, precision loss.

(b) De-identification, per engine, in a child process (`--child deid`): `inmemory` is today's
path (`pq.ParquetFile(...).read()` as `PrivacyService` loads a version, then
`privacy.policy.apply_policy`, release written to Parquet); `duckdb` and `spark` run
`datanuri.privacy.large.apply_large` (PrivacyService's large-table path) on that engine. The parent polls
the child's process tree's RSS every 0.2 s and kills the tree past `--mem-cap-gb` (default: 20,
or 80% of MemAvailable if less), reported as "stopped at N rows: out of memory"; the child's own
peak RSS comes from wait4 (ru_maxrss), the tree's (JVM included) from the polling. Results are
compared across engines by an order-independent digest of the release (count and sum of a hash of
every row's values as text, computed by DuckDB in another process) plus the levels chosen.

(c) Ingest: a CSV of the same columns (plus a row id) of `--ingest-gb` GB, written in chunks,
published with `datanuri publish` into a fresh data directory (SQLite) in a child process; time
and peak RSS per size, to show the RSS stays flat as the file grows. The CSV is deleted after.

(d) How each figure grows from one size to the next (ratios), the load average beside every figure.
Medians over `--repeat` runs where repeats are feasible.

Quoted figures (2026-12-03, 2 shared cores with load averages 10-17, so wall times are several
times what an idle machine gives; one run each; `--sizes 1e6,1e7 --ingest-gb 1,3`):
in-memory de-identification 10^6 rows 92.6 s, peak RSS 774 MiB; 10^7 rows 826.4 s, 3,093 MiB
(time ×8.9, RSS ×4.0 for ×10 rows); ingest 1 GB (13.8M rows) 111.7 s, 961 MiB; 3 GB (41.1M
rows) 406.2 s, 1,068 MiB (time ×3.6, RSS ×1.11 for ×3 the file). With 5-digit postcodes
(`--full-postcode`) the search's triple suppression bound allocates a dense array over the
product of three columns' cardinalities: 20,000 rows took 2.8 GB and 68 s, nearly all there.

2026-12-05 (`--sizes 1e6` / `1e7 --engines duckdb --skip-ingest`, the previous main and the
coded frequency table with start levels, sorted on the engine, run one after the other on the
same files at load averages ~1): DuckDB 10^6 rows 8.3 s (cpu 8.5 s), 813 MiB before, 8.5 s
(cpu 8.7 s), 798 MiB after; 10^7 rows 76.8 s (cpu 82.8 s), 3,174 MiB before, 72.3 s (cpu
77.9 s), 2,697 MiB after (×10 rows: time ×8.5, RSS ×3.4; before ×9.3, ×3.9); the same release
digest before and after (at load 5-9 the same order: cpu 84.6 s vs 86.1 s, 3,152 vs 2,607
MiB), and at 10^6 across in-memory (37.6 s), DuckDB (28.7 s) and Spark local[2] (130.1 s) at
load 15-16. At 10^8 rows (47,318,862 combinations) the frequency table alone peaks at 3.5 GB
(5.6 GB when it was sorted here, when the whole run was stopped at a 4 GiB cap after 29 s).
Every leaf of this table is common (the start levels are the leaves), so the search runs on nearly a row per
record (985,423 at 10^6, 8,770,623 at 10^7) and takes ~75% of the time (cProfile at 10^7):
at 10^8 rows that projects to ~15 CPU-minutes and well over 4 GB, so the search at 10^8 was
not run on the shared machine.

2026-12-05, later, on a quieter but slower machine (`sum(range(3*10**7))` takes 0.61 s; load
0.9-2.1; `--sizes 1e6,1e7,1e8 --engines duckdb --skip-ingest`, one run each): 10^6 rows 17.2 s,
722 MiB; 10^7 rows 172.8 s, 2,626 MiB; 10^8 rows (47,318,862 combinations) 579.2 s, 8,303 MiB,
98,132,652 rows released, digest 2eccbaae42ab. Then, with the engine's frequency table sorted
into the search's order instead of regrouped, the engine's table not kept through the search,
and class tables the cache would not keep no longer built (`--sizes 1e7,1e8`): 10^7 rows
148.2 s, 2,450 MiB; 10^8 rows 554.6 s (cpu 704 s), 7,182 MiB, the same digests (10^7:
489befad8fe1). Within 10 minutes at 10^8, not within 4 GB: in a step-by-step run at 10^8 the
frequency table peaks at 3.5 GiB (DuckDB's 2 GB limit and the 47M-row Arrow result) and the
search at 8.1 GiB before these changes, the sparse class ids of nodes evaluated from the
frequency table (up to 4 × F slots of float64 sizes) being its largest transient.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402

ROOT = h.ROOT
CHUNK = 1_000_000
ENGINES = ("inmemory", "duckdb", "spark")

# 시도 code, 권역, share of the population (2024, rounded), first postcode (3 digits), last
SIDO = [
    ("11", "수도권", 0.182, 10, 89),
    ("26", "동남권", 0.064, 460, 499),
    ("27", "대경권", 0.046, 410, 439),
    ("28", "수도권", 0.058, 210, 239),
    ("29", "호남권", 0.028, 610, 629),
    ("30", "충청권", 0.028, 340, 359),
    ("31", "동남권", 0.021, 440, 459),
    ("36", "충청권", 0.007, 300, 309),
    ("41", "수도권", 0.264, 100, 209),
    ("51", "강원권", 0.030, 240, 269),
    ("43", "충청권", 0.031, 270, 299),
    ("44", "충청권", 0.041, 310, 339),
    ("52", "호남권", 0.034, 540, 569),
    ("46", "호남권", 0.035, 570, 609),
    ("47", "대경권", 0.050, 360, 409),
    ("48", "동남권", 0.063, 500, 539),
    ("50", "제주권", 0.013, 630, 636),
]
OCCUPATIONS = {  # occupation -> major group (KSCO-like)
    "관리자": "관리직",
    "경영지원 사무원": "사무직",
    "회계 사무원": "사무직",
    "고객상담원": "사무직",
    "소프트웨어 개발자": "전문직",
    "간호사": "전문직",
    "교사": "전문직",
    "연구원": "전문직",
    "의사": "전문직",
    "판매원": "판매서비스직",
    "조리사": "판매서비스직",
    "미용사": "판매서비스직",
    "요양보호사": "판매서비스직",
    "경비원": "판매서비스직",
    "농업인": "농림어업직",
    "어업인": "농림어업직",
    "기계 조작원": "생산직",
    "용접원": "생산직",
    "건설 노무자": "생산직",
    "운전원": "생산직",
    "배달원": "단순노무직",
    "청소원": "단순노무직",
    "학생": "비경제활동",
    "무직": "비경제활동",
}
EDUCATION = {
    "무학": "중졸 이하",
    "초졸": "중졸 이하",
    "중졸": "중졸 이하",
    "고졸": "고졸",
    "전문대졸": "대졸 이상",
    "대졸": "대졸 이상",
    "대학원졸": "대졸 이상",
}
MARITAL = {"미혼": "미혼", "기혼": "혼인 경험", "이혼": "혼인 경험", "사별": "혼인 경험"}
DIAGNOSES = [f"{c}{n:02d}" for c in "EIJKM" for n in (10, 11, 20, 30, 45, 54)]
QI = ["나이", "성별", "시도", "우편번호", "출생연도", "직업", "학력", "혼인상태"]


def policy(full_postcode: bool = False) -> dict[str, object]:
    """The de-identification policy of the benchmark (the same for every engine)."""

    def rows(mapping: dict[str, str]) -> dict[str, list[list[str]]]:
        return {"rows": [[leaf, up, "*"] for leaf, up in mapping.items()]}

    return {
        "quasi_identifiers": {
            "나이": "age",
            "성별": {"rows": [["남", "*"], ["여", "*"]]},
            "시도": rows({code: region for code, region, *_ in SIDO}),
            "우편번호": "postcode" if full_postcode else {"prefix": [3, 2, 0]},
            "출생연도": {"intervals": [5, 10, 20]},
            "직업": rows(OCCUPATIONS),
            "학력": rows(EDUCATION),
            "혼인상태": rows(MARITAL),
        },
        "sensitive": "진단명",
        "model": "k-anonymity",
        "k": 5,
        "max_suppression": 0.05,
        "loss": "precision",
    }


# ---------------------------------------------------------------------------------------------
# (a) the generated table


def batches(
    rows: int,
    seed: int = 15,
    with_id: bool = False,
    chunk: int = CHUNK,
    full_postcode: bool = False,
):
    """Record batches of at most `chunk` rows of the generated table (seeded; one batch in
    memory). 우편번호 is the 3-digit prefix of a 5-digit postcode unless `full_postcode`."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    share = np.array([s for _, _, s, _, _ in SIDO])
    share = share / share.sum()
    occ, edu, mar = list(OCCUPATIONS), list(EDUCATION), list(MARITAL)
    occ_p = rng.dirichlet(np.ones(len(occ)) * 2)
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        age = np.minimum(rng.gamma(4.0, 11.0, n).astype(np.int64), 99)
        sido = rng.choice(len(SIDO), n, p=share)
        lo = np.array([x[3] for x in SIDO])[sido]
        hi = np.array([x[4] for x in SIDO])[sido]
        post = (lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)) * 100 + rng.integers(
            0, 100, n
        )
        cols = {
            "나이": pa.array(age),
            "성별": pa.array(np.array(["남", "여"])[rng.integers(0, 2, n)]),
            "시도": pa.array(np.array([x[0] for x in SIDO])[sido]),
            "우편번호": pa.array(
                np.char.zfill(
                    (post if full_postcode else post // 100).astype(str), 5 if full_postcode else 3
                )
            ),
            "출생연도": pa.array(2026 - age - rng.integers(0, 2, n)),
            "직업": pa.array(np.array(occ)[rng.choice(len(occ), n, p=occ_p)]),
            "학력": pa.array(
                np.array(edu)[rng.choice(len(edu), n, p=[0.03, 0.07, 0.1, 0.35, 0.15, 0.25, 0.05])]
            ),
            "혼인상태": pa.array(np.array(mar)[rng.choice(4, n, p=[0.35, 0.5, 0.09, 0.06])]),
            "진단명": pa.array(np.array(DIAGNOSES)[rng.integers(0, len(DIAGNOSES), n)]),
        }
        if with_id:
            cols = {"접수번호": pa.array(np.arange(start, start + n) + 1), **cols}
        yield pa.record_batch(cols)


def generate_parquet(rows: int, data: Path, full_postcode: bool = False) -> tuple[Path, float]:
    """The table of `rows` rows as Parquet under `data` (made once, reused); its path and the
    seconds spent making it (0 if reused)."""
    import pyarrow.parquet as pq

    data.mkdir(parents=True, exist_ok=True)
    path = data / f"scale_{rows}{'_postcode5' if full_postcode else ''}.parquet"
    if path.exists():
        return path, 0.0
    t0 = time.perf_counter()
    tmp = path.with_suffix(".part")
    writer = None
    for b in batches(rows, full_postcode=full_postcode):
        if writer is None:
            writer = pq.ParquetWriter(tmp, b.schema, compression="zstd")
        writer.write_batch(b, row_group_size=CHUNK)
    assert writer is not None
    writer.close()
    tmp.rename(path)
    return path, time.perf_counter() - t0


def generate_csv(target_bytes: int, path: Path) -> int:
    """A CSV of about `target_bytes` bytes of the table's columns plus a row id; its rows."""
    import pyarrow.csv as pacsv

    rows = 0
    tmp = path.with_suffix(".part")
    writer = None
    for b in batches(10**12, seed=16, with_id=True, chunk=100_000):
        if writer is None:
            writer = pacsv.CSVWriter(str(tmp), b.schema)
        writer.write_batch(b)
        rows += b.num_rows
        if tmp.stat().st_size >= target_bytes:
            break
    assert writer is not None
    writer.close()
    tmp.rename(path)
    return rows


# ---------------------------------------------------------------------------------------------
# children


def engine_available(engine: str) -> str | None:
    """None if `engine` can run here, else why not."""
    if engine in ("inmemory", "duckdb"):
        return None
    if importlib.util.find_spec("pyspark") is None:
        return "not available here (pyspark is not installed)"
    return None


def child_deid(engine: str, source: str, out: str, postcode: str = "prefix") -> None:
    """Run the policy on `source` with `engine`, write the release to `out`, print a JSON line."""
    t0 = time.perf_counter()
    pol = policy(full_postcode=postcode == "full")
    if engine == "inmemory":
        import pyarrow.parquet as pq

        from datanuri.privacy.policy import apply_policy

        table = pq.ParquetFile(source).read()  # as PrivacyService._load reads a version
        t_read = time.perf_counter() - t0
        result = apply_policy(table, pol)
        del table
        release = result.table
        pq.write_table(release, out, compression="zstd")
        report = json.loads(json.dumps(result.report.to_json(), default=str))
        passed, released = result.passed, release.num_rows
    else:
        # The large-table path of PrivacyService: frequency table and release on the engine,
        # nothing but the distinct combinations and the first rows in this process.
        from datanuri.config import Config
        from datanuri.engine import EngineSettings, make_engine
        from datanuri.privacy.large import apply_large

        t_read = 0.0
        tmp = Path(out).parent / "engine-tmp"
        tmp.mkdir(exist_ok=True)
        # Memory and Spark settings from DATANURI_* as a deployment would set them
        # (e.g. DATANURI_SPARK_DRIVER_MEMORY=8g: in local mode the executors live in the driver).
        settings = EngineSettings.from_config(Config.load())
        eng = make_engine(dataclasses.replace(settings, engine=engine, tmp_dir=tmp))
        try:
            result = apply_large(eng, Path(source), Path(out), pol, name="scale")
        finally:
            eng.close()
        report = json.loads(json.dumps(result.report.to_json(), default=str))
        passed, released = result.passed, result.rows
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - t0,
                "read_seconds": t_read,
                "passed": passed,
                "released_rows": released,
                "levels": _levels(report),
                "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            },
            ensure_ascii=False,
        )
    )


def _levels(report: object) -> object:
    """The generalisation levels and suppression a report records (for cross-engine comparison)."""
    found: dict[str, object] = {}

    def walk(x: object) -> None:
        if isinstance(x, dict):
            for k, v in x.items():
                if k in ("levels", "suppressed", "suppressed_records", "generalization"):
                    found.setdefault(k, v)
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(report)
    return found


def child_digest(path: str) -> None:
    """Order-independent digest of a Parquet file: row count and the sum of a hash of each row's
    values as text (DuckDB, streaming)."""
    import duckdb

    con = duckdb.connect()
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()]
    text = ", ".join(f'CAST("{c}" AS VARCHAR)' for c in sorted(cols))
    n, s = con.execute(
        f"SELECT count(*), sum(hash({text})::HUGEINT) FROM read_parquet('{path}')"
    ).fetchone()
    print(json.dumps({"rows": n, "digest": f"{int(s or 0):x}", "columns": sorted(cols)}))


# ---------------------------------------------------------------------------------------------
# the parent


@dataclass
class Run:
    """One measured child."""

    what: str
    size: int
    seconds: float = float("nan")
    cpu: float = float("nan")  # user + system seconds of the child and what it waited for
    rss: int = 0  # the datanuri process's peak RSS (wait4)
    tree_rss: int = 0  # the process tree's polled peak (a JVM counted too)
    status: str = "ok"
    load: str = ""
    extra: dict[str, object] = field(default_factory=dict)


def mem_cap_bytes(gb: float | None) -> int:
    """The RSS past which a child is killed: `gb`, or 20 GB or 80% of MemAvailable if less."""
    if gb is not None:
        return int(gb * 2**30)
    avail = next(
        int(line.split()[1]) * 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemAvailable:")
    )
    return min(20 * 2**30, int(avail * 0.8))


def measured(cmd: list[str], cap: int, env: dict[str, str] | None = None) -> tuple[Run, str]:
    """Run `cmd` as a child, polling its tree's RSS; kill the tree past `cap`."""
    run = Run("", 0)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env or {**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []
    import threading

    def drain(stream, into: list[bytes]) -> None:
        for chunk in iter(lambda: stream.read(65536), b""):
            into.append(chunk)

    readers = [
        threading.Thread(target=drain, args=(proc.stdout, out_chunks), daemon=True),
        threading.Thread(target=drain, args=(proc.stderr, err_chunks), daemon=True),
    ]
    for r in readers:
        r.start()
    killed = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        tree = sum(s.rss_kb for p in h.descendants(proc.pid) if (s := h.sample(p))) * 1024
        run.tree_rss = max(run.tree_rss, tree)
        if tree > cap and not killed:
            killed = True
            os.killpg(proc.pid, signal.SIGKILL)
        time.sleep(0.2)
    proc.returncode = os.waitstatus_to_exitcode(status)
    for r in readers:
        r.join(5)
    run.seconds = time.perf_counter() - t0
    run.rss = usage.ru_maxrss * 1024
    run.cpu = usage.ru_utime + usage.ru_stime
    run.load = h.loadavg()
    out, err = b"".join(out_chunks).decode(), b"".join(err_chunks).decode()
    if killed:
        run.status = f"out of memory (tree RSS over the {cap / 2**30:.0f} GiB cap, killed)"
    elif proc.returncode != 0:
        tail = " / ".join(err.strip().splitlines()[-3:])
        run.status = "out of memory" if "MemoryError" in err else f"failed: {tail}"
    return run, out


def last_json(out: str) -> dict[str, object]:
    """The last line of a child's stdout as JSON."""
    return json.loads(out.strip().splitlines()[-1])


def deid(sizes: list[int], engines: list[str], args: argparse.Namespace) -> list[Run]:
    """De-identify each size with each engine; an engine that runs out of memory stops there."""
    cap = mem_cap_bytes(args.mem_cap_gb)
    runs: list[Run] = []
    print(
        f"\n== de-identification (k=5, ≤5% suppressed, 8 quasi-identifiers; cap {cap / 2**30:.1f} GiB)"
    )
    stopped: dict[str, int] = {}
    for size in sizes:
        src, t_gen = generate_parquet(size, args.data, args.full_postcode)
        gen = f"generated in {t_gen:.0f} s" if t_gen else "reused"
        print(
            f"   {size:,} rows: {src.name} {src.stat().st_size / 2**20:,.0f} MiB ({gen}; {h.loadavg()})"
        )
        digests: dict[str, tuple[object, object]] = {}
        for engine in engines:
            why = engine_available(engine)
            if why or engine in stopped:
                why = why or f"stopped at {stopped[engine]:,} rows: out of memory"
                print(f"   {engine:9s} {size:>13,}  {why}")
                runs.append(Run(f"deid:{engine}", size, status=why))
                continue
            reps = []
            for _ in range(max(1, args.repeat)):
                out_path = args.data / f"release_{engine}_{size}.parquet"
                postcode = "full" if args.full_postcode else "prefix"
                cmd = [
                    sys.executable,
                    __file__,
                    "--child",
                    "deid",
                    engine,
                    str(src),
                    str(out_path),
                    postcode,
                ]
                run, out = measured(cmd, cap)
                run.what, run.size = f"deid:{engine}", size
                if run.status == "ok":
                    run.extra = last_json(out)
                    dig = subprocess.run(
                        [sys.executable, __file__, "--child", "digest", str(out_path)],
                        capture_output=True,
                        text=True,
                        cwd=ROOT,
                    )
                    run.extra["digest"] = last_json(dig.stdout)
                    out_path.unlink(missing_ok=True)
                reps.append(run)
                if run.status != "ok":
                    break
            ok = [r for r in reps if r.status == "ok"]
            run = sorted(ok, key=lambda r: r.seconds)[len(ok) // 2] if ok else reps[-1]
            runs.append(run)
            if run.status != "ok":
                if "memory" in run.status:
                    stopped[engine] = size
                    print(
                        f"   {engine:9s} {size:>13,}  stopped at {size:,} rows: {run.status}  "
                        f"after {run.seconds:.0f} s, tree RSS {run.tree_rss / 2**20:,.0f} MiB  {run.load}"
                    )
                else:
                    print(f"   {engine:9s} {size:>13,}  {run.status}")
                continue
            e = run.extra
            dg = e.get("digest", {})
            digests[engine] = (dg.get("digest"), json.dumps(e.get("levels"), sort_keys=True))
            times = "/".join(f"{r.seconds:.1f}" for r in reps)
            print(
                f"   {engine:9s} {size:>13,}  {run.seconds:8.1f} s (median of {len(reps)}: {times}; "
                f"cpu {run.cpu:.1f} s; read {e['read_seconds']:.1f} s)  peak RSS {run.rss / 2**20:7,.0f} MiB "
                f"(tree {run.tree_rss / 2**20:,.0f})  passed {e['passed']}  released "
                f"{e['released_rows']:,} rows  digest {dg.get('digest', '?')[:12]}  {run.load}"
            )
        if len(digests) > 1:
            same = len(set(digests.values())) == 1
            print(f"   same release across {', '.join(digests)}: {same}")
    return runs


def ingest(gbs: list[float], args: argparse.Namespace) -> list[Run]:
    """Publish CSVs of growing size with `datanuri publish`, each in a fresh data directory."""
    cap = mem_cap_bytes(args.mem_cap_gb)
    runs: list[Run] = []
    print("\n== ingest (datanuri publish of a CSV; child process, fresh data directory on SQLite)")
    for gb in gbs:
        work = Path(tempfile.mkdtemp(prefix="scale-ingest-", dir=args.data))
        try:
            csv = work / f"scale_{gb:g}gb.csv"
            t0 = time.perf_counter()
            rows = generate_csv(int(gb * 1e9), csv)
            t_gen = time.perf_counter() - t0
            env = {
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "DATANURI_DATA_DIR": str(work / "instance"),
            }
            env.pop("DATANURI_DATABASE_URL", None)
            subprocess.run(
                [sys.executable, "-m", "datanuri.cli", "orgs", "create", "bench"],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
            cmd = [
                sys.executable,
                "-m",
                "datanuri.cli",
                "publish",
                str(csv),
                "--dataset",
                "scale-ingest",
                "--org",
                "bench",
                "--access",
                "personal",
                "--json",
            ]
            run, out = measured(cmd, cap, env)
            run.what, run.size = "ingest", rows
            run.extra = {"gb": gb, "bytes": csv.stat().st_size, "generate_seconds": t_gen}
            runs.append(run)
            mb = csv.stat().st_size / 1e6
            print(
                f"   {gb:5g} GB ({mb:,.0f} MB, {rows:,} rows; written in {t_gen:.0f} s)  "
                + (
                    f"{run.seconds:8.1f} s (cpu {run.cpu:.1f} s)  {mb / run.seconds:6.1f} MB/s  peak RSS "
                    f"{run.rss / 2**20:7,.0f} MiB  {run.load}"
                    if run.status == "ok"
                    else run.status
                ),
                flush=True,
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return runs


def growth(runs: list[Run]) -> None:
    """How time and peak RSS grow from one size to the next, per measurement."""
    print("\n== growth (ratio to the previous size; rows ×10 between de-identification sizes)")
    by: dict[str, list[Run]] = {}
    for r in runs:
        if r.status == "ok":
            by.setdefault(r.what, []).append(r)
    for what, rs in by.items():
        rs.sort(key=lambda r: r.size)
        cells = []
        for prev, cur in zip([None, *rs], rs, strict=False):
            cell = f"{cur.size:,} rows: {cur.seconds:.1f} s (cpu {cur.cpu:.1f}), {cur.rss / 2**20:,.0f} MiB"
            if prev is not None:
                cell += (
                    f" (×{cur.size / prev.size:.1f} rows → time ×{cur.seconds / prev.seconds:.2f}, "
                    f"cpu ×{cur.cpu / prev.cpu:.2f}, "
                    f"RSS ×{cur.rss / max(prev.rss, 1):.2f})"
                )
            cells.append(cell)
        print(f"   {what:15s} " + "  →  ".join(cells))


def start_check(sizes: list[int], args: argparse.Namespace) -> None:
    """Whether the search could start from a frequency table grouped above the leaves: every
    node cheaper than the optimum (its loss without suppression at most the optimum's) that
    fails must be shown failing from that table, i.e. by its join with the start, which the
    table evaluates; counts the starts (of every lattice node) where all such joins fail."""
    import numpy as np
    import pyarrow.parquet as pq

    from datanuri.engine import EngineSettings, make_engine
    from datanuri.privacy.guard import sample_parquet
    from datanuri.privacy.policy import parse_policy
    from datanuri.privacy.scale import column_leaves, frequencies
    from datanuri.privacy.search.problem import Problem

    print("\n== generalised starts (every node evaluated: minutes at 10^6 rows)")
    for size in sizes:
        src, _ = generate_parquet(size, args.data, args.full_postcode)
        rows = pq.ParquetFile(src).metadata.num_rows
        params = parse_policy(sample_parquet(src, 5_000), policy(args.full_postcode), rows=rows)
        kw = params.engine_kwargs()
        qis = params.quasi_identifiers
        engine = make_engine(EngineSettings(tmp_dir=args.data / "engine-tmp"))
        leaves = [column_leaves(engine, src, c) for c in qis]
        freq = frequencies(engine, src, qis, leaves, [0] * len(qis))
        problem = Problem(
            freq,
            quasi_identifiers=qis,
            k=kw["k"],
            max_suppression=kw["max_suppression"],
            loss=kw["loss"],
            counts="__count",
        )
        best = problem.search()
        assert best is not None
        nodes = problem.all_nodes()
        shape = tuple(problem.heights)
        passes = np.array([problem.node(v).result.anonymous for v in nodes])
        cheap = problem.bound(nodes) <= best.loss + 1e-9
        failing = nodes[cheap & ~passes]
        safe = [
            m
            for m in nodes
            if not passes[np.ravel_multi_index(tuple(np.maximum(failing, m).T), shape)].any()
        ]
        shown = ", ".join(str(tuple(int(x) for x in m)) for m in safe[:5])
        print(
            f"   {rows:,} rows: optimum {best.levels}; {int(cheap.sum()):,} nodes as cheap, "
            f"{len(failing):,} of them failing; starts that show them all failing: "
            f"{len(safe):,} of {len(nodes):,} ({shown})  {h.loadavg()}"
        )


def parse_sizes(text: str) -> list[int]:
    """'1e6,1e7' → [1000000, 10000000]."""
    return [int(float(x)) for x in text.split(",") if x.strip()]


def main() -> int:
    """Parse arguments and run the parts asked for."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--sizes", default="1e6,1e7", help="rows, comma-separated (1e8 for the full run)"
    )
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument(
        "--repeat", type=int, default=1, help="runs per (engine, size); the median shown"
    )
    ap.add_argument("--ingest-gb", default="1,3", help="CSV sizes in GB, comma-separated")
    ap.add_argument("--skip-deid", action="store_true")
    ap.add_argument("--skip-ingest", action="store_true")
    ap.add_argument("--mem-cap-gb", type=float, default=None)
    ap.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "_data" / "scale")
    ap.add_argument("--quick", action="store_true", help="20,000 rows and a 5 MB CSV")
    ap.add_argument(
        "--full-postcode",
        action="store_true",
        help="5-digit postcodes (~34,000 values) instead of their 3-digit prefix",
    )
    ap.add_argument(
        "--start-check",
        action="store_true",
        help="only test which generalised starts would keep the exact optimum (every node)",
    )
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "deid":
            child_deid(*rest)
        elif kind == "digest":
            child_digest(*rest)
        return 0
    sizes = parse_sizes(args.sizes)
    gbs = [float(x) for x in args.ingest_gb.split(",") if x.strip()]
    if args.quick:
        sizes, gbs = [20_000], [0.005]
    args.data.mkdir(parents=True, exist_ok=True)
    print(f"scale benchmark, {os.cpu_count()} CPUs, {h.loadavg()}")
    if args.start_check:
        start_check(sizes, args)
        return 0
    runs: list[Run] = []
    if not args.skip_deid:
        runs += deid(sizes, [e.strip() for e in args.engines.split(",")], args)
    if not args.skip_ingest:
        runs += ingest(gbs, args)
    growth(runs)
    print(h.dump([asdict(r) for r in runs]))
    failed = [r for r in runs if r.status.startswith("failed")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
