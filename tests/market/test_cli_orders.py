"""`datanuri market topup|order|orders|refund|renew`: an administrator tops up a buyer's credit,
the buyer's order is charged once under its key, listed, and refunded."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from datanuri.cli import app
from tests.market import orders_world as W


@pytest.fixture
def run(platform, config, monkeypatch):
    """The CLI in this process, on the test's data dir and database."""
    monkeypatch.setenv("DATANURI_DATABASE_URL", config.database_url)
    runner = CliRunner()

    def _run(*args: str, check: bool = True):
        r = runner.invoke(app, [*args, "--data-dir", str(config.data_dir)])
        if check:
            assert r.exit_code == 0, r.output
        return r

    return _run


def test_topup_order_list_refund(platform, run, tmp_path):
    w = W.build(platform, tmp_path)
    lid = str(w["listings"]["one_off"])
    top = json.loads(run("market", "topup", "buyer@example.org", "80000", "--json").stdout)
    assert top["balance"] == 80_000
    args = ("market", "order", lid, "--buyer", "buyer@example.org", "--key", "k", "--json")
    first = json.loads(run(*args).stdout)
    again = json.loads(run(*args).stdout)
    assert first["id"] == again["id"] and again["replayed"] and first["amount"] == 50_000
    poor = run("market", "order", lid, "--buyer", "buyer@example.org", check=False)
    assert poor.exit_code != 0
    sales = json.loads(run("market", "orders", "--org", "org-a", "--json").stdout)
    assert [x["id"] for x in sales] == [first["id"]]
    assert "buyer" in run("market", "orders", "--buyer", "buyer@example.org").stdout
    back = json.loads(run("market", "refund", str(first["id"]), "--json").stdout)
    assert back["status"] == "refunded" and back["access"] == "revoked"
    assert json.loads(run("market", "renew", "--json").stdout) == {"renewed": 0, "lapsed": 0}
    monthly = str(w["listings"]["monthly"])
    run("market", "topup", "buyer@example.org", "30000")
    sub = json.loads(
        run("market", "order", monthly, "--buyer", "buyer@example.org", "--json").stdout
    )
    done = json.loads(run("market", "cancel", str(sub["subscription_id"]), "--json").stdout)
    assert done["status"] == "cancelled"
    assert run("market", "cancel", str(sub["subscription_id"]), check=False).exit_code != 0
