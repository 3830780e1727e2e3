"""AuditService on both databases: rights on the version read, the stored audit, its ledger entry
with the hashes of the data, predictions and result, and who may read it back."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from datanuri import canonical, errors
from datanuri.accounts import SYSTEM
from datanuri.accounts.principal import ANONYMOUS
from datanuri.audit.service import DatasetSpec, ModelSpec, UploadedTable, VersionRef
from datanuri.audit.thresholds import parse
from tests.audit.fairlearn_ref import frame

ORG = "audit-org"


def scored_csv(path: Path, n: int = 600, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["성별", "지역", "결과", "예측", "점수", "소득"])
        for _ in range(n):
            sex = rng.choice(["남", "여"])
            region = rng.choice(["서울", "부산", "제주"], p=[0.6, 0.35, 0.05])
            s = float(np.clip(rng.normal(0.5 + (0.1 if sex == "남" else 0), 0.2), 0, 1))
            income = "" if rng.random() < (0.2 if region == "제주" else 0.02) else int(s * 1000)
            w.writerow([sex, region, int(rng.random() < s), int(s > 0.5), round(s, 4), income])
    return path


@pytest.fixture
def world(platform: Any, tmp_path: Path) -> Any:
    p = platform
    p.accounts.create_organization(ORG, principal=SYSTEM)
    for name, level in (("scored", "open"), ("scored-restricted", "restricted")):
        p.catalog.create_dataset(name, organization=ORG, access_level=level, principal=SYSTEM)
        p.catalog.publish(name, scored_csv(tmp_path / f"{name}.csv"), principal=SYSTEM)
    for email in ("auditor@example.org", "other@example.org"):
        p.accounts.create_user(
            email, display_name=email[:5], password="correct horse battery", principal=SYSTEM
        )
    return p


def who(p: Any, email: str) -> Any:
    return p.accounts.principal_for(email)


SPEC = ModelSpec(
    y_true="결과",
    y_pred="예측",
    score="점수",
    groups=("성별", "지역"),
    thresholds=tuple(parse(["ratio=0.8", "difference=0.1"])),
    bootstrap=200,
    seed=3,
)


def test_model_audit_of_a_version_is_stored_and_in_the_ledger(world: Any, tmp_path: Path) -> None:
    me = who(world, "auditor@example.org")
    rec = world.audits.model(VersionRef("scored"), SPEC, principal=me)
    version = world.catalog.get_version("scored", principal=me)
    assert rec.target == "dataset:scored@1" and rec.data_sha256 == version.content_hash
    assert rec.result_sha256 == hashlib.sha256(canonical.dumps(rec.result)).hexdigest()
    entry = world.ledger.entry(rec.ledger_index)
    event = entry["entry"]
    assert event["type"] == "audit.recorded" and event["subject"] == f"audit:{rec.id}"
    assert event["hashes"]["data"] == f"sha256:{version.content_hash}"
    assert event["hashes"]["result"] == f"sha256:{rec.result_sha256}"
    assert event["hashes"]["predictions"] == f"sha256:{rec.predictions_sha256}"
    assert event["data"]["passed"] == rec.result["passed"]
    # the figures are Fairlearn's on the same rows
    import pyarrow.csv as pacsv

    t = pacsv.read_csv(tmp_path / "scored.csv")
    yt, yp = t.column("결과").to_numpy(), t.column("예측").to_numpy()
    ref = frame(yt, yp, {"성별": t.column("성별").to_numpy(), "지역": t.column("지역").to_numpy()})
    got = rec.result["disparities"]
    for m in ("selection_rate", "tpr", "fpr", "ppv"):
        assert got[m]["difference"] == pytest.approx(ref.difference()[m], abs=1e-12)
        assert got[m]["ratio"] == pytest.approx(ref.ratio()[m], abs=1e-12)
    # read back by its author; not by someone else, nor anonymously
    assert world.audits.get(rec.id, principal=me).result == rec.result
    with pytest.raises(errors.NotFound):
        world.audits.get(rec.id, principal=who(world, "other@example.org"))
    with pytest.raises(errors.NotFound):
        world.audits.get(rec.id, principal=ANONYMOUS)


def test_rights_on_the_version_are_checked(world: Any) -> None:
    me = who(world, "auditor@example.org")
    with pytest.raises(errors.PermissionDenied):
        world.audits.model(VersionRef("scored-restricted"), SPEC, principal=me)
    with pytest.raises(errors.NotAuthenticated):
        world.audits.model(VersionRef("scored"), SPEC, principal=ANONYMOUS)
    before = world.ledger.size()
    with pytest.raises(errors.InvalidInput):
        world.audits.model(
            VersionRef("scored"),
            ModelSpec(y_true="없음", y_pred="예측", groups=("성별",)),
            principal=me,
        )
    assert world.ledger.size() == before  # nothing recorded for a refused audit


def test_dataset_audit_of_an_uploaded_file(world: Any, tmp_path: Path) -> None:
    me = who(world, "auditor@example.org")
    content = scored_csv(tmp_path / "up.csv", n=2000, seed=5).read_bytes()
    rec = world.audits.dataset(
        UploadedTable("up.csv", content),
        DatasetSpec(
            groups=("지역",), label="결과", reference={"서울": 0.5, "부산": 0.3, "제주": 0.2}
        ),
        principal=me,
    )
    assert rec.data_sha256 == hashlib.sha256(content).hexdigest()
    res = rec.result
    assert sum(g["count"] for g in res["groups"]) == 2000
    jeju = next(g for g in res["groups"] if g["label"] == "제주")
    assert jeju["count"] < 200 and jeju["reference_share"] == 0.2  # shown, never hidden
    assert res["representation_test"]["p_value"] < 1e-6  # 5% observed against 20% declared
    miss = next(m for m in res["missing"] if m["column"] == "소득")
    assert miss["by_group"]["제주"] > miss["by_group"]["서울"]
    proxies = {p["column"]: p for p in res["proxies"]}
    assert set(proxies) >= {"성별", "점수", "소득"}
    entry = world.ledger.entry(rec.ledger_index)
    event = entry["entry"]
    assert event["hashes"]["data"] == f"sha256:{rec.data_sha256}"


def test_release_audit_suppression_per_group(platform: Any, tmp_path: Path) -> None:
    from tests.privacy.test_service import HOSPITAL, POLICY, load_hospital

    load_hospital(platform, tmp_path / "demo")
    platform.privacy.release(HOSPITAL, POLICY, target_name="released", principal=SYSTEM)
    rows = platform.catalog.get_version("released", principal=SYSTEM).row_count
    rec = platform.audits.release("released", None, ("진료과",), principal=SYSTEM)
    res = rec.result
    assert res["kind"] == "release"
    assert sum(g["count"] for g in res["groups"]) == res["rows"]
    assert sum(g["released"] for g in res["groups"]) == res["released_rows"] == rows
    for g in res["groups"]:
        assert 0 <= g["suppression_rate"] <= 1
        assert set(g["loss"]) == {"나이", "성별", "진료일"}
    assert rec.parameters["source_sha256"]
    with pytest.raises(errors.InvalidInput):  # 성별 is generalised or not: either way refused
        platform.audits.release("released", None, ("없는열",), principal=SYSTEM)
