"""The demo's linkage zone: three holders with overlapping synthetic people (a utility's
arrears, a health-insurance arrears list, school absences), each keying its own file with the
project salt, linked in the zone, and a checked, reviewed table of at-risk people by 시군구
published as a dataset of the zone operator. Every person is made up (seeded random)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa

from datanuri.accounts.principal import SYSTEM
from datanuri.errors import Conflict, NotFound
from datanuri.linkage.tokenize import TokenizeOptions, tokenize_table, write_table
from datanuri.linkage.zone import ExportDraft, HolderRef, ProjectDraft
from datanuri.platform import Platform

PROJECT = "welfare-blind-spots"
PUBLISHER = "publisher@datanuri.local"
OPERATOR = ("nuri-linkage-zone", "누리 가명정보 결합센터")
HOLDERS = (
    ("nuri-power", "누리전력 (전기요금 체납)", "arrears_months"),
    ("nuri-health-insurance", "누리건강보험 (보험료 체납)", "unpaid_months"),
    ("nuri-school", "누리교육청 (장기 결석)", "absent_days"),
)
SIGUNGU = ("종로구", "중구", "용산구", "성동구", "광진구")
PEOPLE = 1200
SURNAMES = list("김이박최정강조윤장임한오서신권황안송류전")
SYLLABLES = list("민서도하지수예시우연준윤은현주진영채원아")
AT_RISK_SQL = (
    "SELECT p.sigungu FROM h_nuri_power p JOIN h_nuri_health_insurance USING (person) "
    "JOIN h_nuri_school USING (person)"
)
Report = Callable[[str], None]


def people(seed: int = 17) -> pa.Table:
    """Synthetic people: a name, birth date, mobile number and 시군구, all made up."""
    rng = np.random.default_rng(seed)
    names = [
        SURNAMES[a] + SYLLABLES[b] + SYLLABLES[c]
        for a, b, c in zip(
            rng.integers(0, len(SURNAMES), PEOPLE),
            rng.integers(0, len(SYLLABLES), PEOPLE),
            rng.integers(0, len(SYLLABLES), PEOPLE),
            strict=True,
        )
    ]
    born = np.datetime64("1950-01-01") + rng.integers(0, 20000, PEOPLE).astype("timedelta64[D]")
    phones = rng.choice(np.arange(10_000_000, 99_999_999), PEOPLE, replace=False)
    return pa.table(
        {
            "성명": names,
            "생년월일": [str(d) for d in born],
            "휴대폰": [f"010{p:08d}" for p in phones],
            "sigungu": rng.choice(np.array(SIGUNGU), PEOPLE),
        }
    )


def holder_table(everyone: pa.Table, index: int, seed: int = 17) -> pa.Table:
    """The people one holder knows (about 70% of everyone, overlapping), written its own way:
    spaced names, dotted dates or dashed phones, so only normalised keys meet."""
    rng = np.random.default_rng(seed + index + 1)
    rows = np.flatnonzero(rng.random(everyone.num_rows) < 0.7)
    t = everyone.take(pa.array(rows))
    org, _, attribute = HOLDERS[index]
    names, dates, phones = (t.column(c).to_pylist() for c in ("성명", "생년월일", "휴대폰"))
    if index == 0:
        names = [n[0] + " " + n[1:] for n in names]
        dates = [d.replace("-", ".") for d in dates]
    elif index == 1:
        phones = [f"{p[:3]}-{p[3:7]}-{p[7:]}" for p in phones]
        dates = [d.replace("-", "") for d in dates]
    cols: dict[str, object] = {"성명": names, "생년월일": dates, "휴대폰": phones}
    if index == 0:
        cols["sigungu"] = t.column("sigungu")
    cols[attribute] = pa.array(rng.integers(1, 13, t.num_rows), pa.int64())
    return pa.table(cols)


def seed_demo_linkage(
    platform: Platform, src_dir: Path, report: Report = lambda _m: None, *, password: str
) -> int:
    """Run the whole zone once: project, salt, keyed uploads, match, checked export, review;
    returns the dataset versions it published (0 when already seeded)."""
    zone, acc = platform.linkage, platform.accounts
    try:
        zone.get_project(PROJECT, principal=SYSTEM)
        return 0  # already seeded
    except NotFound:
        pass
    for name, title in (OPERATOR, *((o, t) for o, t, _ in HOLDERS)):
        try:
            acc.create_organization(name, title=title, principal=SYSTEM)
        except Conflict:
            pass
    emails = {
        role: f"linkage-{role}@datanuri.local"
        for role in ("operator", "keys", "analyst", "reviewer", "power", "nhis", "school")
    }
    for role, email in emails.items():
        try:
            acc.create_user(email, display_name=f"결합 {role}", password=password, principal=SYSTEM)
        except Conflict:
            pass
    acc.add_member(OPERATOR[0], emails["operator"], role="editor", principal=SYSTEM)
    for org in (OPERATOR[0], *(o for o, _, _ in HOLDERS)):  # the publisher edits every demo org
        try:
            acc.add_member(org, PUBLISHER, role="editor", principal=SYSTEM)
        except NotFound:
            pass  # seeded without the demo's other users
    holder_emails = (emails["power"], emails["nhis"], emails["school"])
    for (org, _, _), email in zip(HOLDERS, holder_emails, strict=True):
        acc.add_member(org, email, role="editor", principal=SYSTEM)
    who = {role: acc.principal_for(email) for role, email in emails.items()}
    zone.create_project(
        ProjectDraft(
            name=PROJECT,
            purpose="전기요금·건강보험료 체납과 장기 결석이 겹치는 위기가구를 시군구별로 파악",
            legal_basis="개인정보 보호법 제28조의3 (가명정보의 결합 제한) — 데모",
            operator=OPERATOR[0],
            key_authority=emails["keys"],
            holders=tuple(
                HolderRef(org, email)
                for (org, _, _), email in zip(HOLDERS, holder_emails, strict=True)
            ),
            analysts=(emails["analyst"],),
            reviewers=(emails["reviewer"],),
            expires_on=dt.date.today() + dt.timedelta(days=365),
        ),
        principal=who["operator"],
    )
    salt = zone.issue_salt(PROJECT, principal=who["keys"])
    everyone = people()
    src_dir.mkdir(parents=True, exist_ok=True)
    for i, ((org, _, attribute), holder) in enumerate(
        zip(HOLDERS, ("power", "nhis", "school"), strict=True)
    ):
        raw = holder_table(everyone, i)
        keep = ("sigungu", attribute) if "sigungu" in raw.column_names else (attribute,)
        keyed = tokenize_table(
            raw,
            salt,
            TokenizeOptions(id_columns=("성명:name", "생년월일:date", "휴대폰:phone"), keep=keep),
        )
        path = src_dir / f"{org}-keys.parquet"
        write_table(keyed, path)  # what the holder uploads: keys and attributes only
        zone.upload(PROJECT, path, organization=org, principal=who[holder])
    run = zone.run_match(PROJECT, principal=who["analyst"])
    report(f"linkage: {run.persons} people linked across {len(HOLDERS)} holders")
    ex = zone.request_export(
        PROJECT,
        ExportDraft(AT_RISK_SQL, ("sigungu",), title="위기가구 수 (시군구별, 결합 데모)"),
        principal=who["analyst"],
    )
    if ex.status == "pending":
        done = zone.review(
            PROJECT,
            ex.id,
            approve=True,
            reason="최소 셀 10 이상, 차분 위험 없음",
            principal=who["reviewer"],
        )
        report(f"linkage: at-risk counts by 시군구 published as {done.dataset}")
        return 1
    report(f"linkage: the export was refused: {'; '.join(ex.reasons)}")
    return 0
