"""The linkage zone across roles, on both databases: projects, keyed uploads, matching, the
sandbox, disclosure-checked exports, reviews, and closing that destroys the zone's data."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import String, Text, select

from datanuri import errors
from datanuri.accounts.principal import SYSTEM, Principal
from datanuri.linkage.tokenize import TokenizeOptions, tokenize_table, write_table
from datanuri.linkage.zone import ExportDraft, HolderRef, ProjectDraft
from datanuri.linkage.zone_tables import LinkageExport, LinkageRun, LinkageUpload
from datanuri.store.db import Base

SURNAMES = "김이박최정강조윤장임"
GIVEN = ["민준", "서연", "도윤", "하은", "지호", "수아", "예준", "지우", "시우", "서윤"]
DISTRICTS = ["종로구", "중구", "용산구"]
N = 90


def people() -> pa.Table:
    """Synthetic people: 90 distinct names, birth dates and phones, 30 per district."""
    names = [SURNAMES[i % 10] + GIVEN[(i // 10) % 10] + ("" if i < 100 else "a") for i in range(N)]
    births = [f"19{60 + i % 40}-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(N)]
    phones = [f"010-{1000 + i:04d}-{5000 + 7 * i:04d}" for i in range(N)]
    return pa.table(
        {
            "성명": names,
            "생년월일": births,
            "휴대폰": phones,
            "sigungu": [DISTRICTS[i % 3] for i in range(N)],
        }
    )


@dataclass
class World:
    p: Any
    operator: Principal
    authority: Principal
    holders: dict[str, Principal]
    analyst: Principal
    reviewer: Principal
    analyst_reviewer: Principal
    salt: bytes = b""
    raw: pa.Table | None = None


def draft(name: str = "blind-spots", **kw: Any) -> ProjectDraft:
    base: dict[str, Any] = {
        "name": name,
        "purpose": "복지 사각지대 발굴",
        "legal_basis": "개인정보 보호법 제28조의3",
        "operator": "zone",
        "key_authority": "authority@example.org",
        "holders": tuple(HolderRef(o, f"{o}@example.org") for o in ("power", "nhis", "school")),
        "analysts": ("analyst@example.org", "both@example.org"),
        "reviewers": ("reviewer@example.org", "both@example.org"),
        "expires_on": dt.date.today() + dt.timedelta(days=90),
    }
    base.update(kw)
    return ProjectDraft(**base)


def holder_files(w: World, tmp_path: Path) -> dict[str, Path]:
    """Each holder keys its slice of the people (overlapping) with the salt, at home."""
    raw = people()
    w.raw = raw
    slices = {"power": range(0, 70), "nhis": range(10, 80), "school": range(20, 90)}
    out = {}
    for org, rows in slices.items():
        t = raw.take(pa.array(list(rows)))
        t = t.append_column(f"{org}_flag", pa.array([1] * t.num_rows))
        keyed = tokenize_table(
            t,
            w.salt,
            TokenizeOptions(
                id_columns=("성명:name", "생년월일:date", "휴대폰:phone"),
                keep=("sigungu", f"{org}_flag"),
            ),
        )
        out[org] = tmp_path / f"{org}.parquet"
        write_table(keyed, out[org])
    return out


def linked(w: World, tmp_path: Path) -> None:
    zone = w.p.linkage
    w.salt = zone.issue_salt("blind-spots", principal=w.authority)
    for org, path in holder_files(w, tmp_path).items():
        zone.upload("blind-spots", path, organization=org, principal=w.holders[org])
    run = zone.run_match("blind-spots", principal=w.analyst)
    assert run.persons == N  # every person once, however many holders know them


def entries(w: World) -> list[dict[str, Any]]:
    return [e["entry"] for e in w.p.ledger.entries(0, 1000)]


AT_RISK = (
    "SELECT p.sigungu FROM h_power p JOIN h_nhis n USING (person) JOIN h_school s USING (person)"
)


def test_whole_flow_across_roles(world: World, tmp_path: Path) -> None:
    w, zone = world, world.p.linkage
    with pytest.raises(errors.PermissionDenied):  # only the key authority issues the salt
        zone.issue_salt("blind-spots", principal=w.analyst)
    linked(w, tmp_path)
    with pytest.raises(errors.Conflict):
        zone.issue_salt("blind-spots", principal=w.authority)
    with pytest.raises(errors.PermissionDenied):  # holders do not query
        zone.query("blind-spots", "SELECT 1", principal=w.holders["power"])
    res = zone.query(
        "blind-spots",
        f"SELECT sigungu, count(*) AS n FROM ({AT_RISK}) GROUP BY 1 ORDER BY 1",
        principal=w.analyst,
    )
    # people 20..69 are known to all three holders: 50 people, by district of index mod 3
    expected: dict[str, int] = {}
    for i in range(20, 70):
        expected[DISTRICTS[i % 3]] = expected.get(DISTRICTS[i % 3], 0) + 1
    assert dict(res.rows) == expected
    ex = zone.request_export(
        "blind-spots", ExportDraft(AT_RISK, ("sigungu",), title="위기가구 수"), principal=w.analyst
    )
    assert ex.status == "pending", ex.reasons
    with pytest.raises(errors.PermissionDenied):  # analysts do not review
        zone.review("blind-spots", ex.id, approve=True, reason="ok", principal=w.holders["nhis"])
    done = zone.review(
        "blind-spots", ex.id, approve=True, reason="셀 기준 충족", principal=w.reviewer
    )
    assert done.status == "approved" and done.dataset
    info = w.p.catalog.get_dataset(done.dataset, principal=SYSTEM)
    assert info.organization == "zone"
    kinds = [e["type"] for e in entries(w) if e["subject"] == "linkage-project:blind-spots"]
    for kind in (
        "linkage.project.created",
        "linkage.salt.issued",
        "linkage.keys.uploaded",
        "linkage.match.run",
        "linkage.query.run",
        "linkage.export.requested",
        "linkage.export.reviewed",
        "linkage.export.released",
    ):
        assert kind in kinds


def test_reviewer_cannot_approve_own_analysis(world: World, tmp_path: Path) -> None:
    w, zone = world, world.p.linkage
    linked(w, tmp_path)
    ex = zone.request_export(
        "blind-spots", ExportDraft(AT_RISK, ("sigungu",)), principal=w.analyst_reviewer
    )
    with pytest.raises(errors.PermissionDenied):
        zone.review("blind-spots", ex.id, approve=True, reason="mine", principal=w.analyst_reviewer)
    rejected = zone.review(
        "blind-spots", ex.id, approve=False, reason="목적 외", principal=w.reviewer
    )
    assert rejected.status == "rejected"


def test_outputs_failing_each_check_are_refused(world: World, tmp_path: Path) -> None:
    w, zone = world, world.p.linkage
    linked(w, tmp_path)
    small = zone.request_export(  # people known to power only: 10, split 3/3/4 by district
        "blind-spots",
        ExportDraft(
            "SELECT sigungu FROM h_power WHERE person NOT IN (SELECT person FROM h_nhis)",
            ("sigungu",),
        ),
        principal=w.analyst,
    )
    assert small.status == "refused" and "min_count" in small.reasons[0]
    dominated = zone.request_export(  # one contribution dominates each district's sum
        "blind-spots",
        ExportDraft(
            "SELECT sigungu, CASE WHEN person % 3 = person % 30 THEN 10000 ELSE 1 END AS amount"
            " FROM h_power",
            ("sigungu",),
            value="amount",
        ),
        principal=w.analyst,
    )
    assert dominated.status == "refused" and "dominance" in dominated.reasons[0]
    first = zone.request_export(
        "blind-spots", ExportDraft("SELECT sigungu FROM h_power", ("sigungu",)), principal=w.analyst
    )
    assert first.status == "pending"
    second = zone.request_export(  # the same cells less one person: subtraction reveals them
        "blind-spots",
        ExportDraft("SELECT sigungu FROM h_power WHERE person <> 0", ("sigungu",)),
        principal=w.analyst,
    )
    assert second.status == "refused" and "differencing" in second.reasons[0]
    with pytest.raises(errors.Conflict):  # a refused output cannot be approved
        zone.review("blind-spots", second.id, approve=True, reason="x", principal=w.reviewer)


def test_upload_refuses_identifier_columns(world: World, tmp_path: Path) -> None:
    w, zone = world, world.p.linkage
    w.salt = zone.issue_salt("blind-spots", principal=w.authority)
    raw = people()
    keyed = tokenize_table(
        raw, w.salt, TokenizeOptions(id_columns=("성명:name",), keep=("sigungu",))
    )
    leaky = keyed.append_column("휴대폰", raw.column("휴대폰"))
    path = tmp_path / "leaky.parquet"
    pq.write_table(leaky, path)
    with pytest.raises(errors.InvalidInput):
        zone.upload("blind-spots", path, organization="power", principal=w.holders["power"])
    with pytest.raises(errors.PermissionDenied):  # a holder uploads for its own organisation
        zone.upload("blind-spots", path, organization="nhis", principal=w.holders["power"])


def test_sandbox_refuses_files_extensions_attach_and_writes(world: World, tmp_path: Path) -> None:
    w, zone = world, world.p.linkage
    linked(w, tmp_path)
    for sql in (
        "SELECT * FROM read_csv('/etc/passwd')",
        "INSTALL httpfs",
        "LOAD json",
        f"ATTACH '{tmp_path / 'x.db'}' AS x",
        "CREATE TABLE t AS SELECT 1",
        "INSERT INTO h_power SELECT * FROM h_power",
        "COPY h_power TO '/tmp/out.csv'",
        "SET enable_external_access = true",
        "SELECT 1; SELECT 2",
    ):
        with pytest.raises(errors.InvalidInput):
            zone.query("blind-spots", sql, principal=w.analyst)
    assert not (tmp_path / "x.db").exists()


def _scan(w: World) -> list[str]:
    """Every text value in every table and every zone blob."""
    found: list[str] = []
    with w.p.db.session() as s:
        for table in Base.metadata.sorted_tables:
            cols = [c for c in table.columns if isinstance(c.type, (String, Text))]
            if cols:
                for row in s.execute(select(*cols)):
                    found += [str(v) for v in row if v is not None]
            json_cols = [c for c in table.columns if c.type.__class__.__name__ == "JSON"]
            if json_cols:
                for row in s.execute(select(*json_cols)):
                    found += [repr(v) for v in row]
    for digest in w.p.blobs.digests():
        data = w.p.blobs.verify(digest).read_bytes()
        found.append(data.decode("latin-1"))
        try:
            t = pq.read_table(w.p.blobs.verify(digest))
        except Exception:  # noqa: BLE001 - not every blob is Parquet
            continue
        for col in t.columns:
            found += [str(v) for v in col.to_pylist()]
    return found


def test_zone_never_stores_identifiers_or_salt_and_close_destroys(
    world: World, tmp_path: Path
) -> None:
    w, zone = world, world.p.linkage
    linked(w, tmp_path)
    zone.query("blind-spots", "SELECT count(*) FROM h_nhis", principal=w.analyst)
    zone.request_export("blind-spots", ExportDraft(AT_RISK, ("sigungu",)), principal=w.analyst)
    text = "\n".join(_scan(w))
    assert w.raw is not None
    for col in ("성명", "휴대폰", "생년월일"):
        for value in w.raw.column(col).to_pylist():
            assert value not in text, value
    for form in (w.salt.hex(), base64.b64encode(w.salt).decode(), w.salt.decode("latin-1")):
        assert form not in text
    with w.p.db.session() as s:
        digests = set(s.scalars(select(LinkageUpload.digest)))
        digests |= set(s.scalars(select(LinkageExport.digest)))
        for tables in s.scalars(select(LinkageRun.tables)):
            digests |= set(tables.values())
    assert len(digests) >= 3 + 3 + 1
    with pytest.raises(errors.PermissionDenied):
        zone.close("blind-spots", principal=w.analyst)
    closed = zone.close("blind-spots", principal=w.operator)
    assert set(closed.destroyed) == digests
    assert not any(w.p.blobs.exists(d) for d in digests)
    with w.p.db.session() as s:
        for table in (LinkageUpload, LinkageRun, LinkageExport):
            assert s.scalar(select(table.id)) is None
    destroyed = [e for e in entries(w) if e["type"] == "linkage.zone.destroyed"]
    assert destroyed and destroyed[-1]["data"]["absent"] is True
    with pytest.raises(errors.Gone):
        zone.query("blind-spots", "SELECT 1", principal=w.analyst)


def test_roles_are_held_apart(world: World) -> None:
    with pytest.raises(errors.InvalidInput):
        world.p.linkage.create_project(
            draft("other", analysts=("authority@example.org",)), principal=world.operator
        )
    with pytest.raises(errors.PermissionDenied):  # only the operator's editors create projects
        world.p.linkage.create_project(draft("other"), principal=world.analyst)
