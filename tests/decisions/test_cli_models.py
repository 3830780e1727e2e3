"""`datanuri models ...` in-process (Typer's CliRunner): register, list, card (JSON and Korean
HTML), a monitor run on a batch file with its exit code, and `compare` on two files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from datanuri.accounts.principal import SYSTEM
from datanuri.cli import app
from tests.decisions.conftest import BASELINE, COEF, World
from tests.decisions.test_registry import _batch, _train_csv


@pytest.fixture
def cli(world: World, config: Any) -> Any:
    env = {"DATANURI_DATA_DIR": str(config.data_dir), "DATANURI_DATABASE_URL": config.database_url}
    runner = CliRunner()

    def _run(*args: str, code: int = 0) -> str:
        r = runner.invoke(app, list(args), env=env)
        assert r.exit_code == code, r.output
        return r.output

    return _run


def test_models_cli(world: World, cli: Any, tmp_path: Path) -> None:
    world.p.catalog.create_dataset("loan-train", organization="bank", principal=SYSTEM)
    world.p.catalog.publish("loan-train", _train_csv(tmp_path / "t.csv"), principal=SYSTEM)
    params = tmp_path / "p.json"
    params.write_text(json.dumps({"coefficients": COEF, "intercept": 0.1, "baseline": BASELINE}))
    out = cli(
        "models", "register", "loan-screening", "v2", "--kind", "logistic",
        "--features", "income,late,debt", "--training", "loan-train@1",
        "--parameters", str(params), "--metric", "accuracy=0.9", "--json",
    )  # fmt: skip
    assert json.loads(out)["features"] == ["income", "late", "debt"]
    assert "loan-train@1" in cli("models", "list")
    html = tmp_path / "card.html"
    card = json.loads(
        cli("models", "card", "loan-screening", "v2", "--html", str(html), "--lang", "ko")
    )
    assert card["model"]["metrics"] == {"accuracy": 0.9}
    page = html.read_text("utf-8")
    assert "모델 카드" in page and "학습 데이터 데이터시트" in page
    mon = json.loads(cli("models", "monitor", "loan-screening", "v2", "--json"))
    batch = tmp_path / "live.csv"
    batch.write_bytes(_batch(200, 1.0, 3).content)
    res = json.loads(
        cli("models", "drift", str(mon["id"]), "--batch", str(batch), "--json", code=1)
    )
    assert "income" in res["drifted"] and res["ledger_index"] is not None
    assert "loan-screening" in cli("models", "monitors")


def test_compare_files(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("x\n" + "\n".join(f"{v:.5f}" for v in rng.normal(0, 1, 300)))
    b.write_text("x\n" + "\n".join(f"{v:.5f}" for v in rng.normal(0, 1, 300)))
    r = CliRunner().invoke(app, ["models", "compare", str(a), str(b), "--features", "x", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["features"][0]["method"] == "ks"
