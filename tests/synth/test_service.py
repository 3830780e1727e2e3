"""Synthetic releases of the demo's personal hospital dataset: the report gates the release, the
release record and its `synth.release` ledger entry commit with the version, and the ε is spent
from the same privacy-loss account as the dataset's DP releases. Both databases (`platform`)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.privacy.budget import BudgetExceeded
from datanuri.synth.synthesize import SynthOptions
from datanuri.synth.tables import SynthRelease
from tests.privacy.test_service import HOSPITAL, ORG, load_hospital, user


def test_release_records_spends_and_refuses_past_budget(platform, tmp_path):
    load_hospital(platform, tmp_path / "demo")
    editor = user(platform, "ed@h.kr", ORG)
    svc = platform.synth
    platform.privacy.declare_budget(HOSPITAL, 3.0, principal=SYSTEM)
    opts = SynthOptions(epsilon=2.0, seed=4)
    info, report = svc.release(HOSPITAL, opts, target_name="hospital-twin", principal=editor)
    assert report.passed and report.formal and report.epsilon == pytest.approx(2.0)
    assert info.target_dataset == "hospital-twin" and info.epsilon == pytest.approx(2.0)
    # the release record, the ledger entry with its hashes, the open dataset
    entry = platform.ledger.entries(info.ledger_index, info.ledger_index + 1)[0]["entry"]
    assert entry["type"] == "synth.release"
    assert entry["data"]["epsilon"] == pytest.approx(2.0)
    assert entry["hashes"]["report"] == f"sha256:{info.report_sha256}"
    ds = platform.catalog.get_dataset("hospital-twin", principal=editor)
    assert ds.access_level == "open"
    # the account now holds 2 of 3; another 2 is refused before any work, nothing recorded
    assert svc.budget(HOSPITAL, principal=editor).spent == pytest.approx(2.0)
    with pytest.raises(BudgetExceeded):
        svc.release(HOSPITAL, opts, target_name="hospital-twin-2", principal=editor)
    with platform.db.session() as s:
        assert s.scalar(select(func.count()).select_from(SynthRelease)) == 1
        row = s.scalar(select(SynthRelease))
        # the seed would let anyone subtract the noise: kept for the holder, never in the report
        assert row.options["seed"] == 4 and "seed" not in row.report
    assert [r.id for r in svc.list_releases(HOSPITAL, principal=editor)] == [info.id]
    # the DP releases' account sees the synthetic release's spending too
    assert platform.privacy.budget(HOSPITAL, principal=editor).spent == pytest.approx(2.0)


def test_copula_and_strangers_are_refused(platform, tmp_path):
    load_hospital(platform, tmp_path / "demo")
    editor = user(platform, "ed@h.kr", ORG)
    stranger = user(platform, "x@y.kr")
    with pytest.raises(errors.InvalidInput):
        platform.synth.release(
            HOSPITAL, SynthOptions(method="copula"), target_name="t", principal=editor
        )
    with pytest.raises((errors.PermissionDenied, errors.NotFound)):
        platform.synth.preview(HOSPITAL, SynthOptions(epsilon=1.0), principal=stranger)
    c = platform.synth.preview(HOSPITAL, SynthOptions(method="copula", seed=1), principal=editor)
    assert not c.report.passed  # the baseline is reported, never releasable
