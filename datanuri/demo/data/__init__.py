"""Synthetic, realistic sample data for `datanuri demo`, generated here (no downloads).

    orgs, datasets = generate(Path("demo-files"))

Deterministic: the same seed gives the same bytes on every run. Every person, number and
measurement is made up; place names (시도, 시군구, roads) are real so the data looks familiar.
"""

from __future__ import annotations

from pathlib import Path

from datanuri.demo.data.model import DemoDataset, DemoOrg

__all__ = ["DemoDataset", "DemoOrg", "generate", "DEFAULT_SEED"]

DEFAULT_SEED = 20161227


def generate(out_dir: Path, *, seed: int = DEFAULT_SEED) -> tuple[list[DemoOrg], list[DemoDataset]]:
    """Write the sample files into `out_dir` (created if needed) and describe them."""
    from datanuri.demo.data.sets import BUILDERS, ORGS

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    datasets = [build(out_dir, seed) for build in BUILDERS]
    return list(ORGS), datasets
