"""The policy options of issue #12 through the CLI: the k floor, --risk-threshold, --algorithm,
--delta-presence with --population, on the demo's personal dataset."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from datanuri.accounts import SYSTEM
from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M
from tests.privacy.test_service import HOSPITAL, POLICY, cli, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("world")


def write(tmp_path, policy, name="policy.json"):
    path = tmp_path / name
    path.write_text(json.dumps(policy, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_cli_refuses_a_policy_below_the_k_floor(cli, tmp_path):  # noqa: F811
    r = cli("apply", HOSPITAL, "--policy", write(tmp_path, {**POLICY, "k": 1}))
    assert isinstance(r.exception, InvalidInput)
    assert r.exception.message == M.MSG_K_BELOW_FLOOR.format(k=1, min_k=2)


def test_cli_overrides_risk_threshold_and_algorithm(cli, tmp_path):  # noqa: F811
    report = tmp_path / "report.json"
    r = cli(
        "apply",
        HOSPITAL,
        "--policy",
        write(tmp_path, POLICY),
        "--risk-threshold",
        "0.05",
        "--algorithm",
        "mondrian",
        "--report",
        str(report),
    )
    assert r.exit_code == 0, r.output
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["policy"]["algorithm"] == "mondrian"
    assert data["policy"]["risk_threshold"] == 0.05
    assert data["risk"]["prosecutor"]["highest"] <= 0.05
    assert data["privacy"]["measured"]["k"] >= 20
    assert data["limits"]["min_k"] == 2
    assert "risk ceiling 0.05" in r.stdout and "mondrian" in r.stdout
    r = cli("apply", HOSPITAL, "--policy", write(tmp_path, POLICY), "--algorithm", "greedy")
    assert isinstance(r.exception, InvalidInput)
    assert r.exception.message == M.MSG_BAD_ALGORITHM.format(value="greedy")
    r = cli("apply", HOSPITAL, "--policy", write(tmp_path, POLICY), "--risk-threshold", "2")
    assert r.exception.message == M.MSG_BAD_RISK_THRESHOLD.format(value=2.0)


def test_cli_delta_presence_with_a_population_file(cli, world, tmp_path):  # noqa: F811
    platform = world[0]
    table = platform.privacy._load(HOSPITAL, SYSTEM)[3]
    qi = list(POLICY["quasi_identifiers"])
    pop = tmp_path / "population.parquet"
    # the population: the sample three times over (each person has two look-alikes outside it)
    pq.write_table(table.select(qi).take(list(range(table.num_rows)) * 3), pop)
    policy = write(tmp_path, POLICY)
    r = cli("apply", HOSPITAL, "--policy", policy, "--delta-presence", "0,0.5")
    assert isinstance(r.exception, InvalidInput)
    assert r.exception.message == M.MSG_DELTA_NEEDS_POPULATION
    report = tmp_path / "report.json"
    r = cli(
        "apply",
        HOSPITAL,
        "--policy",
        policy,
        "--delta-presence",
        "0,0.5",
        "--population",
        str(pop),
        "--report",
        str(report),
    )
    assert r.exit_code == 0, r.output
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["policy"]["delta_presence"] == {"min": 0.0, "max": 0.5}
    # every released record's class is a third of its population class (f / F = 1/3)
    assert data["delta_presence"]["passed"]
    assert data["delta_presence"]["high"] == pytest.approx(1 / 3)
    assert data["risk"]["journalist"]["highest"] <= data["risk"]["prosecutor"]["highest"] / 3 + 1e-9
    r = cli("apply", HOSPITAL, "--policy", policy, "--delta-presence", "half")
    assert isinstance(r.exception, InvalidInput) and "MIN,MAX" in r.exception.message
