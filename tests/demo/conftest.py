from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks.desk_suggest import demo_platform
from datanuri.demo.data import generate
from tests.conftest import PG_URL


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory):
    """(out_dir, orgs, datasets) from one default-seed run, shared by the read-only tests."""
    out = tmp_path_factory.mktemp("demo-data")
    orgs, datasets = generate(out)
    return out, orgs, datasets


@pytest.fixture(
    scope="session",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param(
            "pg",
            id="pg",
            marks=[
                pytest.mark.pg,
                pytest.mark.skipif(not PG_URL, reason="DATANURI_TEST_DATABASE_URL not set"),
            ],
        ),
    ],
)
def loaded_demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """(platform, source dir) with the demo loaded once per worker and database, for the tests
    that read it (and load it again, which adds nothing)."""
    pg = PG_URL if request.param == "pg" else None
    where = tmp_path_factory.mktemp("loaded-demo")
    with demo_platform(where, pg) as p:  # loads the demo from where / "src"
        yield p, where / "src"
