"""The CLI commands, driven through Typer's runner on a temporary data dir."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from datanuri.accounts.principal import SYSTEM
from datanuri.cli.search import harvest, search_app
from datanuri.config import Config
from datanuri.platform import Platform


def test_reindex_query_and_harvest_cli(tmp_path, monkeypatch):
    data = tmp_path / "d"
    with Platform(Config(data_dir=data)) as p:
        p.accounts.create_organization("seoul", principal=SYSTEM)
        p.catalog.create_dataset(
            "pharmacies", organization="seoul", title="서울특별시 약국 현황", principal=SYSTEM
        )
    app = typer.Typer()
    app.add_typer(search_app, name="search")
    app.command("harvest")(harvest)
    runner = CliRunner()
    r = runner.invoke(app, ["search", "reindex", "--data-dir", str(data), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"indexed": 1}
    r = runner.invoke(app, ["search", "query", "약국을", "--data-dir", str(data), "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["results"][0]["name"] == "pharmacies"
    r = runner.invoke(app, ["harvest", "http://127.0.0.1:9/none.jsonld", "--data-dir", str(data)])
    assert r.exit_code != 0


def test_synonyms_and_official_cli(tmp_path):
    data = tmp_path / "d"
    with Platform(Config(data_dir=data)) as p:
        p.accounts.create_organization("busan", title="부산광역시", principal=SYSTEM)
        p.catalog.create_dataset(
            "air", organization="busan", title="부산 대기오염 측정망", principal=SYSTEM
        )
    app = typer.Typer()
    app.add_typer(search_app, name="search")
    runner = CliRunner()
    d = ["--data-dir", str(data)]
    r = runner.invoke(app, ["search", "synonyms", "list", *d, "--json"])
    assert r.exit_code == 0 and ["약국", "pharmacy", "drugstore"] in [
        s["terms"] for s in json.loads(r.stdout)
    ]
    r = runner.invoke(app, ["search", "synonyms", "add", "측정망", "관측망", *d, "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["terms"] == ["측정망", "관측망"]
    r = runner.invoke(app, ["search", "query", "관측망", *d, "--json"])
    assert [x["name"] for x in json.loads(r.stdout)["results"]] == ["air"]
    r = runner.invoke(app, ["search", "synonyms", "remove", "관측망", *d])
    assert r.exit_code == 0 and "removed" in r.stdout
    r = runner.invoke(app, ["search", "synonyms", "remove", "관측망", *d])
    assert r.exit_code != 0
    r = runner.invoke(app, ["search", "official", "busan", *d, "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["official"] is True
    with Platform(Config(data_dir=data)) as p:
        assert p.search.index.get("air").official is True
