"""The model registry and its drift monitors on both databases: registration in the ledger,
owners only, monitors on the decisions and on a batch, alerts as notices with webhook events,
the periodic job, and the model card."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.accounts.request_tables import Notification
from datanuri.audit.drift import DriftOptions
from datanuri.audit.registry import Registration
from datanuri.audit.service import UploadedTable
from tests.decisions.conftest import BASELINE, COEF, World


def _train_csv(path: Path, n: int = 400, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["income", "late", "debt", "repaid"])
        for _ in range(n):
            inc, late, debt = rng.normal(3, 1), rng.poisson(1), rng.uniform(0, 0.8)
            w.writerow([f"{inc:.4f}", late, f"{debt:.4f}", int(inc > 2.5)])
    return path


def _register(world: World, tmp_path: Path) -> Any:
    p = world.p
    p.catalog.create_dataset("loan-train", organization="bank", principal=SYSTEM)
    p.catalog.publish("loan-train", _train_csv(tmp_path / "train.csv"), principal=SYSTEM)
    return p.models.register(
        Registration(
            system="loan-screening",
            version="v2",
            kind="logistic",
            parameters={"coefficients": COEF, "intercept": 0.1, "baseline": BASELINE},
            features=("income", "late", "debt"),
            training_data=("loan-train@1",),
            metrics={"accuracy": 0.9},
            description="Refit on 2026 applications.",
        ),
        principal=world.owner,
    )


def _batch(n: int, shift: float, seed: int) -> UploadedTable:
    rng = np.random.default_rng(seed)
    lines = ["income,late,debt,y,pred"]
    for _ in range(n):
        inc = rng.normal(3 + shift, 1)
        y = int(inc > 2.5)
        pred = y if shift == 0 else int(rng.random() < 0.5)
        lines.append(f"{inc:.4f},{rng.poisson(1)},{rng.uniform(0, 0.8):.4f},{y},{pred}")
    return UploadedTable("live.csv", "\n".join(lines).encode())


def test_register_records_in_ledger_and_adds_version(world: World, tmp_path: Path) -> None:
    m = _register(world, tmp_path)
    p = world.p
    assert m.version == "v2" and m.features == ("income", "late", "debt")
    assert "v2" in p.decisions.system("loan-screening").model_versions
    entry = p.ledger.entry(m.ledger_index)["entry"]
    assert entry["type"] == "ai.model.registered"
    assert entry["subject"] == "ai-model:loan-screening@v2"
    assert entry["data"]["training_entries"] == [m.training_data[0]["ledger_index"]]
    assert [x.version for x in p.models.models("loan-screening")] == ["v2"]
    with pytest.raises(errors.Conflict):
        _register_again(world)


def _register_again(world: World) -> None:
    world.p.models.register(
        Registration(
            system="loan-screening",
            version="v2",
            kind="logistic",
            features=("income", "late", "debt"),
            training_data=("loan-train@1",),
        ),
        principal=world.owner,
    )


def test_only_owners_register_and_run(world: World, tmp_path: Path) -> None:
    _register(world, tmp_path)
    reg = Registration(
        system="loan-screening",
        version="v9",
        kind="tree",
        method="saabas-path",
        features=("income",),
        training_data=("loan-train@1",),
    )
    with pytest.raises(errors.PermissionDenied):
        world.p.models.register(reg, principal=world.other)
    with pytest.raises(errors.PermissionDenied):
        world.p.models.add_monitor("loan-screening", "v2", principal=world.reviewer)
    mon = world.p.models.add_monitor("loan-screening", "v2", principal=world.owner)
    with pytest.raises(errors.PermissionDenied):
        world.p.models.run(mon.id, batch=_batch(50, 0, 1), principal=world.other)
    with pytest.raises(errors.InvalidInput):
        world.p.models.register(
            Registration(
                system="loan-screening",
                version="v3",
                kind="logistic",
                parameters={"coefficients": COEF, "intercept": 0.1, "baseline": BASELINE},
                features=("income",),  # "late" and "debt" are missing
                training_data=("loan-train@1",),
            ),
            principal=world.owner,
        )


def test_batch_drift_alerts_owner_and_records(world: World, tmp_path: Path) -> None:
    _register(world, tmp_path)
    p = world.p
    mon = p.models.add_monitor(
        "loan-screening", "v2", options=DriftOptions(alpha=0.01), principal=world.owner
    )
    same = p.models.run(
        mon.id, batch=_batch(300, 0, 1), outcome="y", label="pred", principal=world.owner
    )
    assert same is not None and same.drifted == ()
    perf = same.result["performance"][0]
    assert perf["metric"] == "accuracy" and perf["current"] == 1.0 and not perf["drifted"]
    moved = p.models.run(
        mon.id, batch=_batch(300, 1.0, 2), outcome="y", label="pred", principal=world.owner
    )
    assert moved is not None
    assert "income" in moved.drifted and "metric:accuracy" in moved.drifted
    assert "late" not in moved.drifted
    entry = p.ledger.entry(moved.ledger_index)["entry"]
    assert entry["type"] == "ai.drift.checked" and entry["data"]["drifted"] == list(moved.drifted)
    assert entry["hashes"]["current"] == f"sha256:{moved.current_sha256}"
    with p.db.session() as s:
        notes = s.scalars(
            select(Notification).where(Notification.kind == "ai.drift.detected")
        ).all()
    assert [n.user_id for n in notes] == [world.owner.user_id]
    assert "income" in notes[0].text_en
    assert [r.id for r in p.models.runs(mon.id, principal=world.owner)] == [same.id, moved.id]


def test_monitor_on_decisions_and_periodic_job(world: World, tmp_path: Path) -> None:
    _register(world, tmp_path)
    p = world.p
    mon = p.models.add_monitor("loan-screening", "v2", min_rows=20, principal=world.owner)
    assert p.models.run_due() == 0  # no decisions yet: skipped, nothing recorded
    assert p.models.runs(mon.id, principal=world.owner) == []
    rng = np.random.default_rng(5)
    for i in range(40):  # applicants far poorer than the training data
        inputs = {"income": float(rng.normal(0.5, 0.3)), "late": 1.0, "debt": 0.4}
        p.decisions.record(
            world.draft(model_version="v2", inputs=inputs, idempotency_key=f"d-{i}"),
            principal=world.owner,
        )
    assert p.models.run_due() == 1
    (run,) = p.models.runs(mon.id, principal=world.owner)
    assert run.source == "decisions"
    assert {"income", "prediction"} <= set(run.drifted)
    by = {f["feature"]: f for f in run.result["features"]}
    assert by["prediction"]["n_current"] == 40


def test_model_card(world: World, tmp_path: Path) -> None:
    _register(world, tmp_path)
    card = world.p.models.card("loan-screening", "v2")
    assert card.system.risk_level == "high"
    assert card.model.features == ["income", "late", "debt"]
    assert card.model.metrics == {"accuracy": 0.9}
    assert card.datasheets[0].dataset == "loan-train"
    assert card.drift is None and card.decisions == 0
    with pytest.raises(errors.NotFound):
        world.p.models.card("loan-screening", "v1")  # in the decision registry, not registered
