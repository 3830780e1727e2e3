"""`datanuri mydata demo-client` walks the whole flow against a running server (in-process CLI,
real HTTP on loopback)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from datanuri.cli import app
from tests.helpers import PASSWORD
from tests.oauth.conftest import World


def test_demo_client_walks_the_flow_and_the_call_after_revoking_fails(
    world: World, monkeypatch
) -> None:
    cfg = world.platform.config
    monkeypatch.setenv("DATANURI_DATABASE_URL", cfg.db_url)
    result = CliRunner().invoke(
        app,
        [
            "mydata",
            "demo-client",
            "--url",
            world.base,
            "--holder",
            "hospital",
            "--dataset",
            "visits",
            "--items",
            "visits.basic",
            "--person",
            "kim@example.org",
            "--password",
            PASSWORD,
            "--revoke",
            "--data-dir",
            str(cfg.data_dir),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    steps = json.loads(result.output)
    assert [s["step"] for s in steps][-2:] == [
        "fetched the consented rows",
        "revoked the consent as the recipient",
    ]
    assert steps[-2]["columns"] == ["visit_date", "department"] and steps[-2]["rows"] == 2
    assert steps[-1] == {
        "step": "revoked the consent as the recipient",
        "status": "revoked",
        "next_call": 401,
    }
