"""`datanuri synth` in-process (CliRunner): a report as JSON and HTML, then a release."""

from __future__ import annotations

import json

from sqlalchemy import select

from datanuri.synth.tables import SynthRelease
from tests.privacy.test_service import HOSPITAL, world  # noqa: F401 (fixture)


def test_cli_reports_and_releases(world, config, tmp_path):  # noqa: F811
    from typer.testing import CliRunner

    from datanuri.cli import app

    env = {"DATANURI_DATA_DIR": str(config.data_dir), "DATANURI_DATABASE_URL": config.database_url}
    html = tmp_path / "r.html"
    r = CliRunner().invoke(
        app,
        [
            "synth",
            HOSPITAL,
            "--epsilon",
            "2",
            "--seed",
            "3",
            "--target",
            "성별",
            "--json",
            "--html",
            str(html),
            "--lang",
            "ko",
        ],
        env=env,
    )
    assert r.exit_code == 0, r.output
    rep = json.loads(r.stdout)
    assert rep["passed"] and rep["formal"] and rep["utility"]["target"] == "성별"
    assert "합성 데이터 보고서" in html.read_text("utf-8")
    r = CliRunner().invoke(
        app,
        [
            "synth",
            HOSPITAL,
            "--epsilon",
            "2",
            "--seed",
            "3",
            "--release",
            "hospital-twin",
            "--json",
        ],
        env=env,
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["release"]["target_dataset"] == "hospital-twin"
    with world[0].db.session() as s:
        assert s.scalar(select(SynthRelease.epsilon)) == out["release"]["epsilon"]
    # the baseline is never released
    r = CliRunner().invoke(
        app, ["synth", HOSPITAL, "--method", "copula", "--release", "x"], env=env
    )
    assert r.exit_code != 0
