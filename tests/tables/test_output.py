"""Deterministic Parquet, profile checked against pandas/numpy, streaming over many batches, progress."""

import datetime as dt
import hashlib
import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from datanuri.errors import IngestError
from datanuri.tables import Limits, ingest


def make(tmp_path, n=50_000, encoding="utf-8"):
    rng = np.random.default_rng(42)
    ints = rng.integers(-1000, 100_000, n)
    nums = np.round(rng.normal(500, 120, n), 2)
    days = rng.integers(0, 3650, n)
    names = rng.choice(["서울", "부산", "대구", "Incheon", "광주"], n)
    lines = ["정수,실수,날짜,이름"]
    base = dt.date(2015, 1, 1)
    for i in range(n):
        num = "-" if i % 97 == 0 else f"{nums[i]:,.2f}"
        lines.append(
            f'{ints[i]},"{num}",{(base + dt.timedelta(days=int(days[i]))).strftime("%Y.%m.%d")},{names[i]}'
        )
    src = tmp_path / "data.csv"
    src.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return src, ints, nums, days, names


def sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_output_is_byte_identical_for_the_same_input(tmp_path):
    src, *_ = make(tmp_path, 5000)
    a = ingest(src, tmp_path / "a.parquet", limits=Limits(batch_rows=1000))
    b = ingest(src, tmp_path / "b.parquet", limits=Limits(batch_rows=1000))
    assert sha(tmp_path / "a.parquet") == sha(tmp_path / "b.parquet")
    assert a.profile == b.profile and a.schema == b.schema


def test_streaming_many_batches_matches_one_batch(tmp_path):
    src, ints, nums, days, names = make(tmp_path, 50_000, "cp949")
    calls = []
    res = ingest(
        src,
        tmp_path / "s.parquet",
        limits=Limits(batch_rows=1000),
        progress=lambda d, t: calls.append((d, t)),
    )
    ingest(src, tmp_path / "one.parquet", limits=Limits(batch_rows=100_000))
    assert res.rows == 50_000 and res.encoding == "cp949"
    t = pq.read_table(tmp_path / "s.parquet")
    assert t.equals(pq.read_table(tmp_path / "one.parquet"))
    assert pq.ParquetFile(tmp_path / "s.parquet").metadata.num_row_groups > 1
    assert t.column("정수").to_pylist() == ints.tolist()
    expect = [None if i % 97 == 0 else float(v) for i, v in enumerate(nums)]
    assert t.column("실수").to_pylist() == expect
    assert t.column("날짜")[49_999].as_py() == dt.date(2015, 1, 1) + dt.timedelta(
        days=int(days[49_999])
    )
    assert t.column("이름").to_pylist() == names.tolist()
    assert calls[-1][0] == calls[-1][1] == src.stat().st_size
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_profile_matches_pandas(tmp_path):
    src, ints, nums, days, names = make(tmp_path, 20_000)
    res = ingest(src, tmp_path / "p.parquet")
    json.dumps(res.profile)  # JSON-serialisable
    cols = {c["name"]: c for c in res.profile["columns"]}
    df = pd.read_parquet(tmp_path / "p.parquet")

    i = cols["정수"]
    s = df["정수"]
    assert (i["count"], i["nulls"], i["distinct"]) == (len(s), 0, s.nunique())
    assert (i["min"], i["max"]) == (s.min(), s.max())
    assert i["mean"] == pytest.approx(s.mean()) and i["std"] == pytest.approx(s.std())
    assert [i["p25"], i["p50"], i["p75"]] == pytest.approx(list(s.quantile([0.25, 0.5, 0.75])))
    counts, edges = np.histogram(s, bins=20, range=(s.min(), s.max()))
    assert i["histogram"]["counts"] == counts.tolist()
    assert i["histogram"]["edges"] == pytest.approx(edges.tolist())

    x = cols["실수"]
    s = df["실수"].dropna()
    assert (
        x["nulls"] == int(df["실수"].isna().sum()) == len([k for k in range(20_000) if k % 97 == 0])
    )
    assert x["mean"] == pytest.approx(s.mean()) and x["std"] == pytest.approx(s.std())
    assert x["p50"] == pytest.approx(s.median())

    d = cols["날짜"]
    ds = pd.to_datetime(df["날짜"])
    assert (
        d["type"] == "date"
        and d["min"] == ds.min().date().isoformat()
        and d["max"] == ds.max().date().isoformat()
    )
    assert sum(d["histogram"]["counts"]) == 20_000 and len(d["histogram"]["edges"]) == 21

    n = cols["이름"]
    vc = df["이름"].value_counts()
    assert n["distinct"] == 5 and n["distinct_approximate"] is False
    assert {t["value"]: t["count"] for t in n["top_values"]} == vc.to_dict()
    assert [t["count"] for t in n["top_values"]] == sorted(vc.tolist(), reverse=True)


def test_no_partial_output_when_the_target_exists(tmp_path):
    out = tmp_path / "o.parquet"
    out.write_bytes(b"old")
    (tmp_path / "bad.csv").write_bytes(b"")
    with pytest.raises(IngestError, match="empty"):
        ingest(tmp_path / "bad.csv", out)
    assert out.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == [
        "bad.csv",
        "o.parquet",
    ]


def test_profile_above_the_exact_threshold_is_flagged_approximate(tmp_path, monkeypatch):
    import pyarrow as pa

    from datanuri.tables import profile as P

    rng = np.random.default_rng(7)
    n = 30_000
    heavy = np.where(
        rng.random(n) < 0.2, 7, rng.integers(1000, 10**9, n)
    )  # one heavy hitter among ~unique values
    t = pa.table(
        {
            "uniq": np.arange(n),
            "heavy": heavy,
            "cat": rng.choice(["a", "b", "c"], n),
            "x": rng.normal(0, 1, n),
            "day": pa.array(rng.integers(0, 3650, n).astype("datetime64[D]")),
        }
    )
    path = tmp_path / "big.parquet"
    pq.write_table(t, path, row_group_size=5000)
    exact = {c["name"]: c for c in P.profile_parquet(path)["columns"]}
    monkeypatch.setattr(P, "EXACT_ROWS", 10_000)
    monkeypatch.setattr(P, "EXACT_TOP_DISTINCT", 100)
    approx = {c["name"]: c for c in P.profile_parquet(path)["columns"]}
    df = t.to_pandas()
    for name in ("uniq", "heavy", "cat", "x", "day"):
        e, a = exact[name], approx[name]
        assert "top_values_approximate" not in e and e["distinct_approximate"] is False
        assert a["distinct_approximate"] is True
        assert a["distinct"] == pytest.approx(e["distinct"], rel=0.05)
        for k in ("count", "nulls", "min", "max", "histogram"):
            assert a.get(k) == e.get(k), (name, k)
        for k in ("mean", "std"):
            assert (a.get(k) is None and e.get(k) is None) or a[k] == pytest.approx(
                e[k], rel=1e-9
            ), (name, k)
        if name != "cat":  # exact quantiles from the column in memory, with DuckDB's definitions
            assert a["quantiles_approximate"] is False and e["quantiles_approximate"] is False
            for k in ("p25", "p50", "p75"):
                assert a[k] == (
                    pytest.approx(e[k], rel=1e-12) if isinstance(e[k], float) else e[k]
                ), (name, k)
        vc = df[name].value_counts()
        for tv in a["top_values"]:  # whatever values are proposed, their counts are exact
            key = tv["value"] if name != "day" else dt.date.fromisoformat(tv["value"])
            assert tv["count"] == vc[key]
    assert (
        approx["cat"]["top_values_approximate"] is False
        and approx["cat"]["top_values"] == exact["cat"]["top_values"]
    )
    assert approx["heavy"]["top_values_approximate"] is True
    for name in (
        "uniq",
        "day",
    ):  # narrow integer / date ranges: exact top values by counting every value
        assert (
            approx[name]["top_values_approximate"] is False
            and approx[name]["top_values"] == exact[name]["top_values"]
        )
    assert [k for k in approx["x"] if k != "top_values_approximate"] == list(
        exact["x"]
    )  # same keys, same order
    again = {c["name"]: c for c in P.profile_parquet(path)["columns"]}
    for name in (
        "uniq",
        "cat",
        "day",
    ):  # approx_top_k's proposals may vary between runs; exact top values do not
        assert again[name] == approx[name]
    assert (
        approx["heavy"]["top_values"][0]
        == exact["heavy"]["top_values"][0]
        == {"value": 7, "count": int((heavy == 7).sum())}
    )
    monkeypatch.setattr(P, "QUANTILE_EXACT_ROWS", 20_000)
    sketch = {c["name"]: c for c in P.profile_parquet(path)["columns"]}
    assert sketch["x"]["quantiles_approximate"] is True
    assert sketch["x"]["p50"] == pytest.approx(float(np.median(df["x"])), abs=0.05)


def test_moments_past_the_exact_quantile_limit_are_streamed_and_match_numpy(tmp_path, monkeypatch):
    """Past QUANTILE_EXACT_ROWS a numeric column is never read whole: its mean and standard
    deviation come from row groups merged in file order, and agree with numpy's over the
    whole column (a row group of nulls and one of a single value included)."""
    import pyarrow as pa

    from datanuri.tables import profile as P

    rng = np.random.default_rng(11)
    ints = rng.integers(-(10**6), 10**6, 12_000)
    floats = rng.normal(1e6, 3.0, 12_000)  # a large mean: a naive sum of squares loses digits
    mask = np.zeros(12_000, dtype=bool)
    mask[4000:6000] = True  # one whole row group of nulls
    mask[6000:7999] = True  # and one with a single value
    t = pa.table(
        {"i": pa.array(ints, mask=mask), "x": pa.array(floats, mask=mask)},
    )
    path = tmp_path / "moments.parquet"
    pq.write_table(t, path, row_group_size=2000)
    monkeypatch.setattr(P, "EXACT_ROWS", 1_000)
    monkeypatch.setattr(P, "QUANTILE_EXACT_ROWS", 5_000)
    read = []
    real = pq.ParquetFile.read
    monkeypatch.setattr(
        pq.ParquetFile, "read", lambda self, *a, **k: read.append(1) or real(self, *a, **k)
    )
    cols = {c["name"]: c for c in P.profile_parquet(path)["columns"]}
    assert not read  # no column was read whole
    for name, values in (("i", ints), ("x", floats)):
        kept = values[~mask].astype(np.float64)
        assert cols[name]["mean"] == pytest.approx(float(kept.mean()), rel=1e-13)
        assert cols[name]["std"] == pytest.approx(float(kept.std(ddof=1)), rel=1e-11)
