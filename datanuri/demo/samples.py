"""The demo's four synthetic developer datasets (issue #21) at a small size, published by a
demo organisation through `synth.samples` (`datanuri synth samples` makes them at any size)."""

from __future__ import annotations

from collections.abc import Callable

from datanuri.accounts.principal import SYSTEM
from datanuri.errors import Conflict, NotFound
from datanuri.platform import Platform
from datanuri.synth.samples import KINDS
from datanuri.synth.samples.publish import publish_sample

SAMPLE_ORG = (
    "datanuri-lab",
    "데이터누리 합성데이터 연구소 (가상)",
    "개발자와 스타트업을 위한 합성 데이터를 공개합니다. 실제 사람의 정보는 없습니다. "
    "Synthetic developer datasets; no real person's data.",
)
SAMPLE_ROWS = 10_000  # each; `datanuri synth samples --rows N` for up to 10^8
SAMPLE_SEED = 2026


def seed_demo_samples(platform: Platform, report: Callable[[str], None] = lambda _m: None) -> int:
    """Publish the four sample datasets, those not yet published (a demo loaded again does not
    make them again); returns the versions created."""
    name, title, description = SAMPLE_ORG
    try:
        platform.accounts.create_organization(
            name, title=title, description=description, principal=SYSTEM
        )
    except Conflict:
        pass
    platform.accounts.add_member(name, "publisher@datanuri.local", role="editor", principal=SYSTEM)
    created = 0
    for kind in KINDS.values():
        try:
            if platform.catalog.get_dataset(kind.dataset, principal=SYSTEM).versions:
                continue
        except NotFound:
            pass
        done = publish_sample(
            platform.catalog,
            kind,
            rows=SAMPLE_ROWS,
            seed=SAMPLE_SEED,
            organization=name,
            principal=SYSTEM,
        )
        created += done.created
        report(f"{done.dataset}: {done.message}")
    return created
