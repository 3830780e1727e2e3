"""The demo's synthetic twin: the hospital's personal outpatient dataset synthesized with MST at
ε = 1 (its direct identifiers left out), its report read as a candidate and released into an
open dataset by the demo publisher, as a holder does in the console (once)."""

from __future__ import annotations

from collections.abc import Callable

from datanuri.platform import Platform
from datanuri.synth.synthesize import SynthOptions

DEMO_SYNTH_SOURCE = "nuri-hospital-outpatient-visits"
DEMO_SYNTH_TARGET = "nuri-hospital-outpatient-visits-synthetic"
DEMO_SYNTH_EDITOR = "publisher@datanuri.local"  # an editor of every demo organisation
DEMO_SYNTH_TARGET_COLUMN = "진료과"
DEMO_SYNTH_SEED = 2016  # the demo is the same on every machine; a holder's run takes a secret one
DEMO_SYNTH_DESCRIPTION = (
    "가상 병원의 외래 진료 기록(개인정보 포함)을 차분 프라이버시 MST(ε = 1)로 합성한 공개본입니다. "
    "실제 환자의 행을 하나도 담지 않으며, 직접 식별자(환자번호, 이름, 주민등록번호, 전화번호, 주소)는 "
    "합성하지 않았습니다. 성별, 나이, 진료일, 진료과, 진단명의 분포와 관계를 따릅니다."
)


def seed_demo_synth(platform: Platform, report: Callable[[str], None]) -> int:
    """Make and release the twin unless the source has a synthetic release already; the
    versions published (1 or 0)."""
    me = platform.accounts.principal_for(DEMO_SYNTH_EDITOR)
    svc = platform.synth
    if svc.list_releases(DEMO_SYNTH_SOURCE, principal=me):
        return 0
    found = platform.privacy.scan(DEMO_SYNTH_SOURCE, principal=me)["columns"]
    columns = [c["column"] for c in found if c.get("category") != "direct"]
    candidate = svc.make_candidate(
        DEMO_SYNTH_SOURCE,
        SynthOptions(method="mst", epsilon=1.0, seed=DEMO_SYNTH_SEED),
        principal=me,
        target=DEMO_SYNTH_TARGET_COLUMN,
        columns=columns,
    )
    info = svc.release_candidate(
        DEMO_SYNTH_SOURCE, candidate.id, target_name=DEMO_SYNTH_TARGET, principal=me
    )
    platform.catalog.update_dataset(
        DEMO_SYNTH_TARGET, description=DEMO_SYNTH_DESCRIPTION, principal=me
    )
    report(
        f"{DEMO_SYNTH_TARGET}: synthetic twin of {DEMO_SYNTH_SOURCE} (MST, ε = {info.epsilon:g}, "
        f"{info.rows} rows, release {info.id})"
    )
    return 1
