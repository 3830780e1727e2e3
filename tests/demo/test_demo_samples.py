"""The demo publishes the four synthetic developer datasets at 10^4 rows, once."""

from __future__ import annotations

from typing import Any

from datanuri.accounts.principal import SYSTEM
from datanuri.demo.load import seed_demo_users
from datanuri.demo.samples import SAMPLE_ORG, SAMPLE_ROWS, seed_demo_samples
from datanuri.synth.samples import KINDS


def test_demo_publishes_the_four_sample_datasets(platform: Any) -> None:
    seed_demo_users(platform, [])
    said: list[str] = []
    assert seed_demo_samples(platform, said.append) == len(KINDS)
    assert len(said) == len(KINDS)
    for kind in KINDS.values():
        info = platform.catalog.get_dataset(kind.dataset, principal=SYSTEM)
        assert info.organization == SAMPLE_ORG[0] and info.access_level == "open"
        assert info.versions[-1].row_count == SAMPLE_ROWS
        assert "Datasheet" in (info.description or "")
    publisher = platform.accounts.principal_for("publisher@datanuri.local")
    platform.catalog.check_can_publish(KINDS["sns"].dataset, publisher)  # an editor there
    assert seed_demo_samples(platform) == 0  # again: nothing new
