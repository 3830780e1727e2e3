"""Zone outputs beyond checked cells, on both databases: row-level tables released only through a
passing privacy policy (each failing check refuses), cells with OpenDP noise under a recorded
epsilon, and expired projects closed by the periodic job with the proof of destruction."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select, update

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.linkage import messages as M
from datanuri.linkage.expire_job import KIND as EXPIRE
from datanuri.linkage.outputs import NoiseRequest
from datanuri.linkage.zone import ExportDraft
from datanuri.linkage.zone_tables import LinkageExport, LinkageProject, LinkageRun, LinkageUpload
from tests.linkage.test_zone import (
    DISTRICTS,
    World,
    entries,
    linked,
)

PROJECT = "blind-spots"
ROWS_SQL = "SELECT person, sigungu, power_flag AS flag FROM h_power"
SEOUL = {"rows": [[d, "서울"] for d in DISTRICTS]}


def rows_policy(**kw: Any) -> dict[str, Any]:
    """k-anonymity over the district; the person number deleted, the flag released as is."""
    policy: dict[str, Any] = {
        "direct_identifiers": {"person": "delete"},
        "quasi_identifiers": {"sigungu": SEOUL},
        "insensitive": {"flag": "a 0/1 flag that every record shares"},
        "model": "k-anonymity",
        "k": 5,
        "max_suppression": 0.0,
    }
    policy.update(kw)
    return policy


def _events(w: World, kind: str) -> list[dict[str, Any]]:
    return [e for e in entries(w) if e["type"] == kind]


def test_row_level_export_released_through_a_passing_policy(world: World, tmp_path: Path) -> None:
    w, zone = world, world.p.linkage
    linked(w, tmp_path)
    ex = zone.request_export(
        PROJECT, ExportDraft(ROWS_SQL, policy=rows_policy(), title="전력 행"), principal=w.analyst
    )
    assert ex.status == "pending", ex.reasons
    assert ex.kind == "rows" and ex.report is not None and ex.report["passed"] is True
    with w.p.db.session() as s:  # the report is kept with the export
        row = s.get(LinkageExport, ex.id)
        assert row is not None and row.kind == "rows" and row.report == ex.report
    requested = _events(w, "linkage.export.requested")[-1]
    assert requested["data"]["kind"] == "rows" and "report" in requested["hashes"]
    done = zone.review(PROJECT, ex.id, approve=True, reason="k=5 충족", principal=w.reviewer)
    assert done.status == "approved" and done.kind == "rows"
    released = w.p.catalog.get_dataset(done.dataset, principal=SYSTEM)
    assert released.organization == "zone"
    table = pq.read_table(w.p.blobs.verify(ex.digest))
    assert "person" not in table.column_names  # deleted by the policy
    assert table.num_rows == 70  # everyone of power, in classes of 23 or more
    assert set(table.column("sigungu").to_pylist()) <= {*DISTRICTS, "서울"}
    assert _events(w, "linkage.export.released")[-1]["data"]["kind"] == "rows"


def test_row_level_exports_failing_each_check_are_refused(world: World, tmp_path: Path) -> None:
    w, zone = world, world.p.linkage
    linked(w, tmp_path)

    def ask(policy: Any, sql: str = ROWS_SQL) -> Any:
        return zone.request_export(PROJECT, ExportDraft(sql, policy=policy), principal=w.analyst)

    # an untreated identifier: phone numbers made in SQL and released "as they are"
    strict = ask(
        rows_policy(insensitive={"flag": "a flag", "휴대폰": "not a phone"}),
        "SELECT person, sigungu, power_flag AS flag, "
        "'010-1234-' || lpad(CAST(person AS VARCHAR), 4, '0') AS 휴대폰 FROM h_power",
    )
    assert strict.status == "refused" and strict.reasons[0].startswith("Refused by the privacy")
    assert "휴대폰" in strict.reasons[0]
    assert strict.report is not None and strict.report["passed"] is False
    # the release gate: the person number released as it is is near-unique (one per record)
    leaky = ask(
        rows_policy(
            direct_identifiers={},
            insensitive={"flag": "a flag", "person": "a number of the zone"},
        )
    )
    assert leaky.status == "refused" and "person" in leaky.reasons[0]
    # a copy of the district under another name is a copy of a protected column
    copied = ask(
        rows_policy(insensitive={"flag": "a flag", "place": "where"}),
        "SELECT person, sigungu, sigungu AS place, power_flag AS flag FROM h_power",
    )
    assert copied.status == "refused" and "place" in copied.reasons[0]
    with w.p.db.session() as s:
        statuses = {e.id: e.status for e in s.scalars(select(LinkageExport))}
    assert statuses == {strict.id: "refused", leaky.id: "refused", copied.id: "refused"}
    with pytest.raises(errors.Conflict):  # a refused output cannot be approved
        zone.review(PROJECT, leaky.id, approve=True, reason="x", principal=w.reviewer)
    # policies the zone cannot run are refused before any work
    keyed = rows_policy(direct_identifiers={"person": {"pseudonymize": {"key": "k1"}}})
    csv = rows_policy(quasi_identifiers={"sigungu": {"csv": "/etc/passwd"}})
    dp_policy = {"model": "differential-privacy", "epsilon": 1.0, "aggregate": {}}
    for policy, message in (
        (keyed, "pseudonymisation keys"),
        (csv, "names a file"),
        (dp_policy, "releases aggregates"),
        ([1, 2], "JSON object"),
        (rows_policy(k=1), "below this instance's floor"),
        (rows_policy(k=80), "80-anonymous"),  # more than the 70 records: no release can hold
    ):
        with pytest.raises(errors.InvalidInput, match=message):
            ask(policy)
    with pytest.raises(errors.InvalidInput, match="either cells"):  # rows need a policy
        zone.request_export(PROJECT, ExportDraft(ROWS_SQL), principal=w.analyst)
    with pytest.raises(errors.InvalidInput, match="either cells"):  # not both
        zone.request_export(
            PROJECT, ExportDraft(ROWS_SQL, ("sigungu",), policy=rows_policy()), principal=w.analyst
        )


def test_cells_with_opendp_noise_record_their_epsilon(world: World, tmp_path: Path) -> None:
    w, zone = world, world.p.linkage
    linked(w, tmp_path)
    sql = "SELECT person, sigungu, power_flag * 100 AS amount FROM h_power"
    exact = dict(
        zone.query(
            PROJECT, f"SELECT sigungu, count(*) FROM ({sql}) GROUP BY 1", principal=w.analyst
        ).rows
    )
    noise = NoiseRequest(epsilon=0.02, bounds=(0, 100))
    ex = zone.request_export(
        PROJECT, ExportDraft(sql, ("sigungu",), value="amount", noise=noise), principal=w.analyst
    )
    assert ex.status == "pending", ex.reasons
    section = ex.checks["differential_privacy"]
    assert ex.epsilon == section["epsilon_spent"] and 0 < ex.epsilon <= 0.02
    assert [m["output"] for m in section["measures"]] == ["n", "total"]
    assert section["measures"][0]["mechanism"] == "discrete Laplace"
    assert section["privacy_unit"]["enforced"] is True  # one record per person: the person column
    cells = pq.read_table(w.p.blobs.verify(ex.digest))
    noisy = dict(
        zip(cells.column("sigungu").to_pylist(), cells.column("n").to_pylist(), strict=True)
    )
    assert set(noisy) == set(exact) and all(v >= 0 for v in noisy.values())
    assert noisy != exact  # scale 100 per count: all three exact has probability ~1e-7
    assert "top_share" not in cells.column_names
    requested = _events(w, "linkage.export.requested")[-1]
    assert requested["data"]["epsilon"] == ex.epsilon
    assert "differential_privacy" not in requested["data"]["checks"]
    done = zone.review(PROJECT, ex.id, approve=True, reason="잡음 추가", principal=w.reviewer)
    assert done.epsilon == ex.epsilon
    assert _events(w, "linkage.export.released")[-1]["data"]["epsilon"] == ex.epsilon
    with w.p.db.session() as s:
        row = s.get(LinkageExport, ex.id)
        assert row is not None and row.epsilon == ex.epsilon


def test_noise_requests_are_checked(world: World, tmp_path: Path) -> None:
    w, zone = world, world.p.linkage
    linked(w, tmp_path)
    sql = "SELECT sigungu, power_flag AS amount FROM h_power"
    for draft, message in (
        (ExportDraft(sql, ("sigungu",), noise=NoiseRequest(0.0)), "Epsilon"),
        (ExportDraft(sql, ("sigungu",), noise=NoiseRequest(11.0)), "Epsilon"),
        (ExportDraft(sql, ("sigungu",), noise=NoiseRequest(1.0, contributions=0)), "1 or more"),
        (ExportDraft(sql, ("sigungu",), "amount", noise=NoiseRequest(1.0)), "bounds"),
        (ExportDraft(sql, ("sigungu",), "amount", noise=NoiseRequest(1.0, (5, 5))), "bounds"),
        (ExportDraft(ROWS_SQL, policy=rows_policy(), noise=NoiseRequest(1.0)), "for cells"),
    ):
        with pytest.raises(errors.InvalidInput, match=message):
            zone.request_export(PROJECT, draft, principal=w.analyst)
    # cells that fail the disclosure checks are refused before any noise is drawn
    small = zone.request_export(
        PROJECT,
        ExportDraft(
            "SELECT sigungu FROM h_power WHERE person NOT IN (SELECT person FROM h_nhis)",
            ("sigungu",),
            noise=NoiseRequest(1.0),
        ),
        principal=w.analyst,
    )
    assert small.status == "refused" and small.epsilon is None


def test_expired_project_is_closed_by_the_periodic_job(world: World, tmp_path: Path) -> None:
    w, p = world, world.p
    linked(w, tmp_path)
    p.linkage.request_export(
        PROJECT, ExportDraft(ROWS_SQL, policy=rows_policy()), principal=w.analyst
    )
    with p.db.session() as s:
        digests = set(s.scalars(select(LinkageUpload.digest)))
        digests |= set(s.scalars(select(LinkageExport.digest)))
        for tables in s.scalars(select(LinkageRun.tables)):
            digests |= set(tables.values())
    assert digests and all(p.blobs.exists(d) for d in digests)
    assert p.linkage.close_expired() == []  # not expired yet: nothing happens
    with p.db.write_session() as s:  # time passes: the project's last day was yesterday
        s.execute(update(LinkageProject).values(expires_on=dt.date.today() - dt.timedelta(days=1)))
    p.jobs.schedule_periodic()
    p.jobs.work(concurrency=1, kinds=[EXPIRE], once=True)
    assert not any(p.blobs.exists(d) for d in digests)
    with p.db.session() as s:
        for table in (LinkageUpload, LinkageRun, LinkageExport):
            assert s.scalar(select(table.id)) is None
        project = s.scalar(select(LinkageProject))
        assert project is not None and project.status == "closed"
    closed = _events(w, "linkage.project.closed")[-1]
    assert closed["actor"] == "system" and closed["data"]["reason"] == "expired"
    assert set(closed["data"]["files"]) == digests
    destroyed = _events(w, "linkage.zone.destroyed")[-1]
    assert destroyed["data"]["absent"] is True and set(destroyed["data"]["checked"]) == digests
    with pytest.raises(errors.Gone, match=M.MSG_PROJECT_CLOSED.format(name=PROJECT)[:20]):
        p.linkage.query(PROJECT, "SELECT 1", principal=w.analyst)


@pytest.mark.both_databases
def test_api_exports_rows_by_policy_and_noisy_cells(world: World, tmp_path: Path, api: Any) -> None:
    w = world
    linked(w, tmp_path)
    token = w.p.accounts.create_token(
        name="t", scopes=["read", "publish"], for_email="analyst@example.org", principal=SYSTEM
    )[1]
    url = f"/api/v1/linkage/projects/{PROJECT}/exports"
    auth = {"Authorization": f"Bearer {token}"}
    rows = api.post(url, json={"sql": ROWS_SQL, "policy": rows_policy()}, headers=auth)
    assert rows.status_code == 201, rows.text
    body = rows.json()
    assert body["status"] == "pending" and body["kind"] == "rows"
    assert body["report"]["passed"] is True and body["epsilon"] is None
    noisy = api.post(
        url,
        json={"sql": "SELECT sigungu FROM h_nhis", "group_by": ["sigungu"], "epsilon": 0.5},
        headers=auth,
    )
    assert noisy.status_code == 201, noisy.text
    assert noisy.json()["kind"] == "cells" and 0 < noisy.json()["epsilon"] <= 0.5
    refused = api.post(url, json={"sql": ROWS_SQL, "epsilon": 0.5}, headers=auth)
    error = refused.json()["error"]
    assert refused.status_code == 422 and "either cells" in error["message"]
    assert error["message_ko"].startswith("반출은 셀")  # in Korean from the catalogue too
