from __future__ import annotations

import pytest

from datanuri.demo.data import generate


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory):
    """(out_dir, orgs, datasets) from one default-seed run, shared by the read-only tests."""
    out = tmp_path_factory.mktemp("demo-data")
    orgs, datasets = generate(out)
    return out, orgs, datasets
