"""`datanuri audit model|dataset` on a file: the JSON shape, Fairlearn's figures, the exit code
of a failed threshold, the HTML report in Korean. SQLite only (an interface over the service)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.audit.fairlearn_ref import frame
from tests.audit.test_metrics_fairlearn import generated
from tests.helpers import run_cli


@pytest.fixture
def run(tmp_path: Path) -> Any:
    # the default SQLite database in the data dir, whatever the environment names
    env = {"DATANURI_DATA_DIR": str(tmp_path / "data"), "DATANURI_DATABASE_URL": None}

    def _run(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        proc = run_cli(["audit", *args], env)
        assert proc.returncode == code, proc.stderr + proc.stdout
        return proc

    return _run


@pytest.fixture
def predictions(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    groups, yt, yp, score = generated(7, 4000)
    data = {
        **{k: [str(x) for x in v] for k, v in groups.items()},
        "y": yt,
        "pred": yp,
        "score": score,
    }
    path = tmp_path / "predictions.parquet"
    pq.write_table(pa.table(data), path)
    return path, data


def test_model_json_lists_groups_and_intervals_equal_to_fairlearn(
    run: Any, predictions: Any
) -> None:
    path, data = predictions
    out = run(
        "model",
        str(path),
        "--y-true",
        "y",
        "--y-pred",
        "pred",
        "--score",
        "score",
        "--group",
        "sex,region",
        "--bootstrap",
        "300",
        "--seed",
        "1",
        "--json",
    )
    doc = json.loads(out.stdout)
    ref = frame(data["y"], data["pred"], {"sex": data["sex"], "region": data["region"]})
    by = ref.by_group.dropna(how="all")
    assert len(doc["groups"]) == len(by)
    for g in doc["groups"]:
        assert {"count", "selection_rate", "tpr", "fpr", "ppv", "auc", "group"} <= set(g)
        row = by.loc[(g["group"]["sex"], g["group"]["region"])]
        for m in ("selection_rate", "tpr", "fpr", "ppv"):
            assert g[m] == pytest.approx(row[m], abs=1e-12)
    assert sum(g["count"] for g in doc["groups"]) == 4000
    for m in ("selection_rate", "tpr", "fpr", "ppv"):
        d = doc["disparities"][m]
        assert d["difference"] == pytest.approx(ref.difference()[m], abs=1e-12)
        assert d["ratio"] == pytest.approx(ref.ratio()[m], abs=1e-12)
        assert len(d["difference_ci"]) == 2 and d["difference_ci"][0] <= d["difference_ci"][1]
        assert len(d["ratio_ci"]) == 2 and d["ratio_ci"][0] <= d["ratio_ci"][1]
    assert doc["bootstrap"]["resamples"] == 300
    assert doc["audit"]["hashes"]["data"] and doc["audit"]["hashes"]["predictions"]
    assert doc["audit"]["ledger_index"] is not None


def test_a_failed_threshold_exits_1_with_hints_and_a_korean_report(
    run: Any, predictions: Any, tmp_path: Path
) -> None:
    path, _ = predictions
    html = tmp_path / "report.html"
    out = run(
        "model",
        str(path),
        "--y-true",
        "y",
        "--y-pred",
        "pred",
        "--group",
        "region",
        "--threshold",
        "ratio=0.99",
        "--bootstrap",
        "0",
        "--json",
        "--html",
        str(html),
        "--lang",
        "ko",
        code=1,
    )
    doc = json.loads(out.stdout)
    assert doc["passed"] is False and doc["hints"]
    assert any(not t["passed"] for t in doc["thresholds"])
    page = html.read_text("utf-8")
    assert "<svg" in page and "모델 감사" in page and "<script" not in page


def test_dataset_json(run: Any, predictions: Any) -> None:
    path, _ = predictions
    out = run(
        "dataset",
        str(path),
        "--group",
        "sex",
        "--label",
        "y",
        "--reference",
        "F=0.5",
        "--reference",
        "M=0.5",
        "--json",
    )
    doc = json.loads(out.stdout)
    assert doc["kind"] == "dataset"
    assert {g["label"] for g in doc["groups"]} == {"F", "M", "X"}  # X: 2% of rows, still shown
    assert all("positive_rate" in g for g in doc["groups"])
    assert doc["representation_test"]["dof"] == 1
    assert {p["column"] for p in doc["proxies"]} >= {"region", "age", "score"}


def test_bad_threshold_is_refused(run: Any, predictions: Any) -> None:
    path, _ = predictions
    out = run(
        "model",
        str(path),
        "--y-true",
        "y",
        "--y-pred",
        "pred",
        "--group",
        "sex",
        "--threshold",
        "ratio>0.8",
        code=2,
    )
    assert "ratio=0.8" in out.stderr + out.stdout
