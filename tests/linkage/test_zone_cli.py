"""`datanuri linkage project|upload|run|query|export|review|close`, in-process, as the project's
members: the zone's whole flow from the command line, and a refused export's exit code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from datanuri.linkage.keys import read_salt_file
from tests.helpers import run_cli
from tests.linkage.test_zone import AT_RISK, World, holder_files
from tests.linkage.test_zone_outputs import ROWS_SQL, rows_policy


def test_zone_from_the_command_line(world: World, config: Any, tmp_path: Path) -> None:  # noqa: F811
    env = {"DATANURI_DATA_DIR": str(config.data_dir), "DATANURI_DATABASE_URL": config.database_url}

    def run(*args: str, code: int = 0) -> Any:
        res = run_cli(args, env)
        assert res.returncode == code, res.stdout + res.stderr
        return res

    p = "blind-spots"
    created = run(
        "linkage",
        "project",
        "create",
        "cli-project",
        "--purpose",
        "연구",
        "--legal-basis",
        "법 제28조의3",
        "--operator",
        "zone",
        "--key-authority",
        "authority@example.org",
        "--holder",
        "power=power@example.org",
        "--holder",
        "nhis=nhis@example.org",
        "--analyst",
        "analyst@example.org",
        "--reviewer",
        "reviewer@example.org",
        "--expires",
        "2099-12-31",
        "--as",
        "operator@example.org",
        "--json",
    )
    assert json.loads(created.stdout)["holders"] == ["nhis", "power"]
    salt_file = tmp_path / "salt.b64"
    run("linkage", "project", "salt", p, "-o", str(salt_file), "--as", "authority@example.org")
    world.salt = read_salt_file(salt_file)
    for org, path in holder_files(world, tmp_path).items():
        run("linkage", "upload", p, str(path), "--org", org, "--as", f"{org}@example.org")
    out = run("linkage", "run", p, "--as", "analyst@example.org", "--json").stdout
    assert json.loads(out)["persons"] == 90
    q = run(
        "linkage",
        "query",
        p,
        "SELECT count(*) AS n FROM h_nhis",
        "--as",
        "analyst@example.org",
        "--json",
    ).stdout
    assert json.loads(q)["rows"] == [[70]]
    refused = run(
        "linkage",
        "export",
        p,
        "SELECT sigungu FROM h_power WHERE person < 5",
        "--group-by",
        "sigungu",
        "--as",
        "analyst@example.org",
        code=1,
    )
    assert "min_count" in refused.stdout
    ex = json.loads(
        run(
            "linkage",
            "export",
            p,
            AT_RISK,
            "--group-by",
            "sigungu",
            "--as",
            "analyst@example.org",
            "--json",
        ).stdout
    )
    assert ex["status"] == "pending"
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(rows_policy()), encoding="utf-8")
    rows = json.loads(
        run(
            "linkage", "export", p, ROWS_SQL, "--policy", str(policy),
            "--as", "analyst@example.org", "--json",
        ).stdout
    )  # fmt: skip
    assert rows["status"] == "pending" and rows["kind"] == "rows" and rows["report"]["passed"]
    noisy = json.loads(
        run(
            "linkage", "export", p, "SELECT sigungu AS district, power_flag AS v FROM h_power",
            "--group-by", "district", "--value", "v", "--epsilon", "1", "--bounds", "0,1",
            "--as", "analyst@example.org", "--json",
        ).stdout
    )  # fmt: skip
    assert noisy["status"] == "pending", noisy["reasons"]
    assert noisy["kind"] == "cells" and 0 < noisy["epsilon"] <= 1
    own = run(
        "linkage",
        "review",
        p,
        str(ex["id"]),
        "--approve",
        "--reason",
        "ok",
        "--as",
        "analyst@example.org",
        code=6,
    )
    assert own.returncode != 0
    done = run(
        "linkage",
        "review",
        p,
        str(ex["id"]),
        "--approve",
        "--reason",
        "기준 충족",
        "--as",
        "reviewer@example.org",
        "--json",
    ).stdout
    assert json.loads(done)["dataset"] == f"{p}-output-{ex['id']}"
    closed = run("linkage", "close", p, "--as", "operator@example.org", "--json").stdout
    assert len(json.loads(closed)["destroyed"]) >= 6
