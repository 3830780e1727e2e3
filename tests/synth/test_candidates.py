"""Synthesis as durable jobs: "synth.run" keeps a candidate (its table in the blob store, its
report) for the holder to read, "synth.release" releases it only through its gate, spending the
ε of every unreleased try it was chosen from. Both databases (`platform`)."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.catalog.blobs import collect_orphans
from datanuri.synth import messages as M
from datanuri.synth.jobs import RELEASE, RUN, ReleaseParams, RunParams
from datanuri.synth.service import SynthFailed
from datanuri.synth.synthesize import SynthOptions
from datanuri.synth.tables import SynthCandidateRow
from tests.privacy.test_service import HOSPITAL, ORG, load_hospital, user

COLUMNS = ["성별", "나이", "진료일", "진료과", "진단명"]


def run(platform, me, **kw):
    params = RunParams(dataset=HOSPITAL, columns=COLUMNS, target="진료과", **kw)
    job = platform.jobs.run_inline(RUN, params, actor=me.name, scopes=me.scopes, dataset=HOSPITAL)
    assert job.status == "succeeded", job.error
    return platform.synth.candidate(HOSPITAL, job.result["candidate"], principal=me)


def release(platform, me, cid, target="hospital-twin"):
    params = ReleaseParams(dataset=HOSPITAL, candidate=cid, target=target)
    return platform.jobs.run_inline(
        RELEASE, params, actor=me.name, scopes=me.scopes, dataset=HOSPITAL
    )


def test_a_candidate_is_kept_read_and_released_through_its_gate(platform, tmp_path):
    load_hospital(platform, tmp_path / "demo")
    editor = user(platform, "ed@h.kr", ORG)
    first = run(platform, editor, epsilon=1.0, seed=3)
    # the report is the holder's to read before anything is released; nothing spent yet
    assert first.report["epsilon"] == pytest.approx(1.0) and "seed" not in first.report
    assert [c["column"] for c in first.report["columns"]] == COLUMNS
    assert first.report["utility"]["target"] == "진료과"
    assert first.gate.releasable and first.gate.charge == pytest.approx(1.0)
    assert platform.synth.budget(HOSPITAL, principal=editor).spent == 0
    with platform.db.session() as s:
        row = s.get(SynthCandidateRow, first.id)
        digest = row.output_hash
        assert row.options["seed"] == 3  # the holder's, never in what the API shows
    table = pq.read_table(platform.blobs.verify(digest))
    assert table.column_names == COLUMNS and table.num_rows == first.rows
    assert digest not in collect_orphans(platform.db, platform.blobs, dry_run=True).orphans

    # the baseline is reported but its gate is shut, with the reason
    copula = run(platform, editor, method="copula", seed=1)
    assert not copula.gate.releasable and M.MSG_GATE_NO_GUARANTEE in copula.gate.reasons
    assert copula.gate.charge is None
    refused = release(platform, editor, copula.id)
    assert refused.status == "failed" and refused.error["code"] == SynthFailed.code

    # a second try: releasing either spends both (the choice was made among them)
    second = run(platform, editor, epsilon=2.0, seed=4)
    again = platform.synth.candidate(HOSPITAL, first.id, principal=editor)
    assert again.gate.charge == pytest.approx(3.0) and again.gate.tries == 1
    job = release(platform, editor, first.id)
    assert job.status == "succeeded", job.error
    info = job.result["release"]
    assert info["epsilon"] == pytest.approx(3.0) and info["target_dataset"] == "hospital-twin"
    assert info["delta"] == pytest.approx(first.delta + second.delta)  # δ composes as well
    entry = platform.ledger.entries(info["ledger_index"], info["ledger_index"] + 1)[0]["entry"]
    assert entry["type"] == "synth.release" and entry["data"]["epsilon"] == pytest.approx(3.0)
    assert entry["hashes"]["report"] == f"sha256:{first.report_sha256}"
    published = platform.catalog.get_dataset("hospital-twin", principal=editor)
    assert published.access_level == "open" and published.latest_version == 1
    assert platform.privacy.budget(HOSPITAL, principal=editor).spent == pytest.approx(3.0)
    # both tries are settled: neither may be released again, and nothing more was spent
    for cid in (first.id, second.id):
        c = platform.synth.candidate(HOSPITAL, cid, principal=editor)
        assert c.release_id == info["id"] and not c.gate.releasable
    assert release(platform, editor, second.id).status == "failed"
    assert [r.id for r in platform.synth.list_releases(HOSPITAL, principal=editor)] == [info["id"]]


def test_the_gate_refuses_past_the_budget_and_strangers_see_nothing(platform, tmp_path):
    load_hospital(platform, tmp_path / "demo")
    editor = user(platform, "ed@h.kr", ORG)
    stranger = user(platform, "x@y.kr")
    platform.privacy.declare_budget(HOSPITAL, 1.5, principal=SYSTEM)
    a = run(platform, editor, epsilon=1.0, seed=5)
    assert a.gate.releasable
    b = run(platform, editor, epsilon=1.0, seed=6)
    assert not b.gate.releasable and b.gate.charge == pytest.approx(2.0)
    assert any("budget" in r for r in b.gate.reasons)
    with pytest.raises(SynthFailed):
        platform.synth.release_candidate(HOSPITAL, b.id, target_name="twin", principal=editor)
    assert platform.synth.budget(HOSPITAL, principal=editor).spent == 0
    with pytest.raises((errors.PermissionDenied, errors.NotFound)):
        platform.synth.candidate(HOSPITAL, a.id, principal=stranger)
    with pytest.raises(errors.NotFound):
        platform.synth.candidate(HOSPITAL, 999_999, principal=editor)
    with pytest.raises(errors.InvalidInput):
        platform.synth.make_candidate(
            HOSPITAL, SynthOptions(), principal=editor, columns=["없는열"]
        )
