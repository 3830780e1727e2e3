"""`LinkageZone` (service `platform.linkage`): linkage projects and their closed analysis zone.

Roles are held by different people and checked on every method:
- the zone operator organisation's owners and editors (or an admin) create and close projects;
- the key authority issues the project's salt once (only its fingerprint is kept) and sees no
  data;
- holders upload their organisation's keyed file (the output of `datanuri linkage tokenize`),
  refused if it still holds an identifier column;
- analysts run the match, query the linked tables with SQL inside the zone (`sandbox`) and ask
  for exports, which the disclosure checks (`disclosure`) test at once;
- reviewers approve or reject the exports that passed, never their own; an approved output is
  published as a dataset of the operator organisation.

Every step is a ledger entry (`zone_events.py`) in the transaction that makes it; closing a
project deletes its zone rows and files and records each file's absence as the proof.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq  # type: ignore[import-untyped]
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from datanuri import canonical, errors
from datanuri.accounts.models import Organization, User
from datanuri.accounts.principal import SYSTEM, Principal
from datanuri.catalog.models import Version
from datanuri.catalog.service import CatalogService, NewDataset
from datanuri.engine import Engine
from datanuri.events import EventSink
from datanuri.linkage import disclosure, outputs, sandbox
from datanuri.linkage import messages as M
from datanuri.linkage.engine_join import join_pairs
from datanuri.linkage.keys import KEY_PREFIX, new_salt
from datanuri.linkage.keys import fingerprint as salt_fingerprint
from datanuri.linkage.match import LinkOptions, Pairs, link
from datanuri.linkage.tokenize import CLK_COLUMN, check_no_identifiers, read_table
from datanuri.linkage.zone_events import (
    ExportReleased,
    ExportRequested,
    ExportReviewed,
    KeysUploaded,
    MatchRun,
    ProjectClosed,
    ProjectCreated,
    QueryRun,
    SaltIssued,
    ZoneDestroyed,
)
from datanuri.linkage.zone_tables import (
    LinkageExport,
    LinkageMember,
    LinkageProject,
    LinkageRun,
    LinkageUpload,
)
from datanuri.privacy.limits import PolicyLimits
from datanuri.privacy.service import plain_json
from datanuri.store.blobs import BlobStore
from datanuri.store.db import Database, utcnow

Role = Literal["key_authority", "holder", "analyst", "reviewer"]
ROLES: tuple[str, ...] = ("key_authority", "holder", "analyst", "reviewer")
EDITORS = ("owner", "editor")
PERSON = "person"  # the linked table's column naming one linked person


@dataclass(frozen=True)
class HolderRef:
    """A participating holder organisation and the person who uploads for it."""

    organization: str
    email: str


@dataclass(frozen=True)
class ProjectDraft:
    """What the zone operator writes to open a linkage project."""

    name: str
    purpose: str
    legal_basis: str
    operator: str  # the zone operator organisation
    key_authority: str  # e-mail
    holders: tuple[HolderRef, ...]
    analysts: tuple[str, ...]
    reviewers: tuple[str, ...]
    expires_on: dt.date


@dataclass(frozen=True)
class ProjectInfo:
    name: str
    purpose: str
    legal_basis: str
    operator: str
    status: str
    expires_on: dt.date
    holders: tuple[str, ...]  # organisations
    members: tuple[tuple[str, str], ...]  # (role, e-mail)
    salt_fingerprint: str | None
    ledger_index: int | None


@dataclass(frozen=True)
class UploadInfo:
    organization: str
    digest: str
    rows: int
    columns: tuple[str, ...]


@dataclass(frozen=True)
class RunInfo:
    id: int
    method: str
    tables: dict[str, str]  # zone table -> SHA-256
    persons: int
    report: dict[str, Any]


@dataclass(frozen=True)
class QueryResult:
    """Rows shown inside the zone (never offered for download)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    total_rows: int
    sql_sha256: str


@dataclass(frozen=True)
class ExportDraft:
    """An output to export: SQL giving one row per record and either the grouping of its cells
    (an optional value summed, optional differential-privacy noise) or, for a row-level table,
    the privacy policy the rows must pass (see `outputs`)."""

    sql: str
    group_by: tuple[str, ...] = ()
    value: str | None = None  # magnitude tables: the value summed (dominance is checked)
    title: str | None = None
    policy: Mapping[str, Any] | None = None  # a row-level table, de-identified by this policy
    noise: outputs.NoiseRequest | None = None  # cells with OpenDP noise under this epsilon


@dataclass(frozen=True)
class ExportInfo:
    id: int
    status: str  # refused | pending | approved | rejected
    checks: dict[str, Any]
    reasons: tuple[str, ...]  # why it was refused, for the analyst
    digest: str
    dataset: str | None = None
    reviewer: str | None = None
    kind: str = "cells"  # cells | rows
    epsilon: float | None = None  # the epsilon the noise of the released cells spent
    report: dict[str, Any] | None = None  # a row-level table's privacy assessment report


@dataclass(frozen=True)
class CloseInfo:
    project: str
    destroyed: tuple[str, ...]  # SHA-256 of the files deleted
    rows: int  # zone rows deleted
    ledger_index: int | None = None
    reason: str = "closed"  # closed | expired


@dataclass
class ZoneSettings:
    """The zone's limits, the disclosure rules and the platform's privacy limits."""

    rules: disclosure.DisclosureRules = field(default_factory=disclosure.DisclosureRules)
    limits: sandbox.SandboxLimits = field(default_factory=sandbox.SandboxLimits)
    privacy: PolicyLimits = field(default_factory=PolicyLimits)


@dataclass(frozen=True)
class _Output:
    """An export built and checked inside the zone, before it is stored."""

    kind: str  # cells | rows
    table: pa.Table
    passed: bool
    checks: dict[str, Any]
    reasons: tuple[str, ...]
    epsilon: float | None = None
    report: dict[str, Any] | None = None
    report_sha256: str | None = None

    @property
    def ledger_checks(self) -> dict[str, Any]:
        """The checks as the ledger records them (the noise by its epsilon only)."""
        return {k: v for k, v in self.checks.items() if k != "differential_privacy"}


def _zone_name(org: str) -> str:
    return "h_" + (re.sub(r"\W+", "_", org.lower()).strip("_") or "holder")


def _signed_in(principal: Principal) -> None:
    """Refuse an anonymous caller: every step of a project is a person's."""
    if principal.kind == "anonymous":
        raise errors.NotAuthenticated(M.MSG_SIGN_IN)


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected-component labels of ``n`` nodes joined by edges (left[i], right[i]): the
    smallest node of each component, by label propagation (vectorised, rounds not rows)."""
    labels = np.arange(n, dtype=np.int64)
    if not len(left):
        return labels
    while True:
        low = np.minimum(labels[left], labels[right])
        new = labels.copy()
        np.minimum.at(new, left, low)
        np.minimum.at(new, right, low)
        new = new[new]  # pointer jumping
        if np.array_equal(new, labels):
            return labels
        labels = new


class LinkageZone:
    """Linkage projects, the holders' keyed uploads, matching, analysis and checked exports."""

    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        events: EventSink,
        catalog: CatalogService,
        settings: ZoneSettings | None = None,
        engine: Callable[[], Engine] | None = None,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.events = events
        self.catalog = catalog
        self.settings = settings or ZoneSettings()
        self.engine = engine  # the compute engine the key joins run on (None: in this process)

    # ----- helpers ------------------------------------------------------------------------
    def _project(self, s: Session, name: str, *, open_only: bool = True) -> LinkageProject:
        p = s.scalar(select(LinkageProject).where(LinkageProject.name == name))
        if p is None:
            raise errors.NotFound(M.MSG_NO_PROJECT.format(name=name))
        if open_only and (p.status != "open" or p.expires_on < dt.date.today()):
            raise errors.Gone(M.MSG_PROJECT_CLOSED.format(name=name))
        return p

    def _roles(self, s: Session, p: LinkageProject, principal: Principal) -> set[str]:
        if principal.user_id is None:
            return set()
        rows = s.scalars(
            select(LinkageMember.role).where(
                LinkageMember.project_id == p.id, LinkageMember.user_id == principal.user_id
            )
        )
        return set(rows)

    def _require(self, s: Session, p: LinkageProject, principal: Principal, role: str) -> None:
        _signed_in(principal)
        if role not in self._roles(s, p, principal):
            raise errors.PermissionDenied(M.ROLE_ONLY[role].format(name=p.name))

    def _operator(self, s: Session, org: Organization, principal: Principal) -> None:
        _signed_in(principal)
        if principal.is_admin or principal.role_in(org.name) in EDITORS:
            return
        raise errors.PermissionDenied(M.MSG_OPERATOR_ONLY.format(organization=org.name))

    def _org(self, s: Session, name: str) -> Organization:
        org = s.scalar(select(Organization).where(Organization.name == name))
        if org is None:
            raise errors.NotFound(errors.MSG_ORG_NOT_FOUND.format(name=name))
        return org

    def _user(self, s: Session, email: str) -> User:
        user = s.scalar(select(User).where(User.email == email))
        if user is None:
            raise errors.NotFound(M.MSG_NO_USER.format(email=email))
        return user

    def _record(self, s: Session, kind: type[Any], p: str, actor: Principal, **kw: Any) -> int:
        index = self.events.record(s, kind(actor=actor.ref, time=utcnow(), project=p, **kw))
        return -1 if index is None else index

    def _put_table(self, table: pa.Table) -> str:
        path = self.blobs.temp_path(".parquet")
        try:
            pq.write_table(table, path, compression="zstd")
            return self.blobs.put_file(path, move=True)
        finally:
            path.unlink(missing_ok=True)

    def _read(self, digest: str) -> pa.Table:
        return pq.read_table(self.blobs.verify(digest))

    # ----- projects -----------------------------------------------------------------------
    def create_project(self, draft: ProjectDraft, *, principal: Principal) -> ProjectInfo:
        """Open a project with its members by role (the roles held by different people)."""
        for name, value in (("a purpose", draft.purpose), ("a legal basis", draft.legal_basis)):
            if not value.strip():
                raise errors.InvalidInput(M.MSG_PROJECT_FIELD.format(field=name))
        if len(draft.holders) < 2:
            raise errors.InvalidInput(M.MSG_PROJECT_FIELD.format(field="two holders or more"))
        if not draft.analysts or not draft.reviewers:
            raise errors.InvalidInput(M.MSG_PROJECT_FIELD.format(field="analysts and reviewers"))
        wanted: list[tuple[str, str, str | None]] = [("key_authority", draft.key_authority, None)]
        wanted += [("holder", h.email, h.organization) for h in draft.holders]
        wanted += [("analyst", e, None) for e in draft.analysts]
        wanted += [("reviewer", e, None) for e in draft.reviewers]
        by_email: dict[str, set[str]] = {}
        for role, email, _ in wanted:
            by_email.setdefault(email, set()).add(role)
        for email, roles in by_email.items():
            # the key authority and the holders hold no other role; analysts may also review
            # (never their own analysis)
            apart = roles & {"key_authority", "holder"}
            if apart and len(roles) > 1:
                first = sorted(apart)[0]
                second = sorted(roles - {first})[0]
                raise errors.InvalidInput(
                    M.MSG_ROLES_APART.format(email=email, first=first, second=second)
                )
        with self.db.write_session() as s:
            operator = self._org(s, draft.operator)
            self._operator(s, operator, principal)
            if s.scalar(select(LinkageProject.id).where(LinkageProject.name == draft.name)):
                raise errors.Conflict(M.MSG_PROJECT_EXISTS.format(name=draft.name))
            p = LinkageProject(
                name=draft.name,
                purpose=draft.purpose,
                legal_basis=draft.legal_basis,
                operator_id=operator.id,
                status="open",
                expires_on=draft.expires_on,
                created_by=principal.user_id,
            )
            s.add(p)
            s.flush()
            for role, email, org_name in wanted:
                org_id = self._org(s, org_name).id if org_name else None
                s.add(
                    LinkageMember(
                        project_id=p.id,
                        user_id=self._user(s, email).id,
                        role=role,
                        organization_id=org_id,
                    )
                )
            s.flush()
            p.ledger_index = self._record(
                s,
                ProjectCreated,
                p.name,
                principal,
                digests={
                    "purpose": canonical.sha256_text(draft.purpose),
                    "legal_basis": canonical.sha256_text(draft.legal_basis),
                },
                facts={
                    "operator": operator.name,
                    "holders": sorted({h.organization for h in draft.holders}),
                    "analysts": len(draft.analysts),
                    "reviewers": len(draft.reviewers),
                    "expires_on": draft.expires_on.isoformat(),
                },
            )
            return self._info(s, p)

    def _info(self, s: Session, p: LinkageProject) -> ProjectInfo:
        rows = s.execute(
            select(LinkageMember.role, User.email, Organization.name)
            .join(User, User.id == LinkageMember.user_id)
            .outerjoin(Organization, Organization.id == LinkageMember.organization_id)
            .where(LinkageMember.project_id == p.id)
            .order_by(LinkageMember.id)
        ).all()
        operator = s.get(Organization, p.operator_id)
        return ProjectInfo(
            name=p.name,
            purpose=p.purpose,
            legal_basis=p.legal_basis,
            operator=operator.name if operator else "",
            status=p.status,
            expires_on=p.expires_on,
            holders=tuple(sorted({o for r, _, o in rows if r == "holder" and o})),
            members=tuple((r, e) for r, e, _ in rows),
            salt_fingerprint=p.salt_fingerprint,
            ledger_index=p.ledger_index,
        )

    def get_project(self, name: str, *, principal: Principal) -> ProjectInfo:
        """A project, for its members, the operator's editors and admins."""
        with self.db.session() as s:
            p = self._project(s, name, open_only=False)
            _signed_in(principal)
            if not self._roles(s, p, principal):
                op = s.get(Organization, p.operator_id)
                assert op is not None
                self._operator(s, op, principal)
            return self._info(s, p)

    # ----- the key authority --------------------------------------------------------------
    def issue_salt(self, name: str, *, principal: Principal) -> bytes:
        """The project's salt, made once for the key authority to hand to the holders; the
        zone keeps only its fingerprint, so it can never key (or re-identify) anything."""
        salt = new_salt()
        with self.db.write_session() as s:
            p = self._project(s, name)
            self._require(s, p, principal, "key_authority")
            if p.salt_fingerprint:
                raise errors.Conflict(M.MSG_SALT_ISSUED)
            fingerprint = salt_fingerprint(salt)
            p.salt_fingerprint = fingerprint
            self._record(s, SaltIssued, p.name, principal, facts={"fingerprint": fingerprint})
        return salt

    # ----- holders ------------------------------------------------------------------------
    def upload(
        self,
        name: str,
        source: Path,
        *,
        organization: str,
        allow_unique: Sequence[str] = (),
        principal: Principal,
    ) -> UploadInfo:
        """Take a holder's keyed file into the zone, refused if an identifier column remains."""
        with self.db.session() as s:
            p = self._project(s, name)
            _signed_in(principal)
            org = self._org(s, organization)
            member = s.scalar(
                select(LinkageMember.id).where(
                    LinkageMember.project_id == p.id,
                    LinkageMember.user_id == principal.user_id,
                    LinkageMember.role == "holder",
                    LinkageMember.organization_id == org.id,
                )
            )
            if member is None:
                raise errors.PermissionDenied(
                    M.MSG_NOT_HOLDER_ORG.format(organization=organization)
                )
        table = read_table(Path(source))
        if not any(c.startswith(KEY_PREFIX) or c == CLK_COLUMN for c in table.column_names):
            raise errors.InvalidInput(M.MSG_NO_KEYS)
        check_no_identifiers(table, allow_unique=allow_unique)  # as tokenize does
        digest = self._put_table(table)
        with self.db.write_session() as s:
            p = self._project(s, name)
            s.add(
                LinkageUpload(
                    project_id=p.id,
                    organization_id=org.id,
                    uploaded_by=principal.user_id,
                    digest=digest,
                    rows=table.num_rows,
                    columns=list(table.column_names),
                )
            )
            self._record(
                s,
                KeysUploaded,
                p.name,
                principal,
                digests={"file": digest},
                facts={
                    "holder": organization,
                    "rows": table.num_rows,
                    "columns": list(table.column_names),
                },
            )
        return UploadInfo(organization, digest, table.num_rows, tuple(table.column_names))

    # ----- matching -----------------------------------------------------------------------
    def run_match(
        self, name: str, options: LinkOptions | None = None, *, principal: Principal
    ) -> RunInfo:
        """Link the latest upload of every holder; one zone table per holder, with a `person`
        column naming the linked person (keys dropped), and the linkage report."""
        options = options or LinkOptions()
        with self.db.session() as s:
            p = self._project(s, name)
            self._require(s, p, principal, "analyst")
            uploads = s.execute(
                select(Organization.name, LinkageUpload.digest)
                .join(Organization, Organization.id == LinkageUpload.organization_id)
                .where(LinkageUpload.project_id == p.id)
                .order_by(LinkageUpload.id)
            ).all()
        latest = dict(uploads)  # the last upload of each holder wins
        if len(latest) < 2:
            raise errors.InvalidInput(M.MSG_NO_UPLOADS.format(count=len(latest)))
        named = [(org, self._read(d)) for org, d in sorted(latest.items())]
        results, report = link(named, options, self._key_join(latest, options))
        offsets = np.cumsum([0] + [t.num_rows for _, t in named])
        start = {org: int(offsets[i]) for i, (org, _) in enumerate(named)}
        lefts = [pairs.left + start[a] for (a, _), pairs in results.items()]
        rights = [pairs.right + start[b] for (_, b), pairs in results.items()]
        labels = components(
            int(offsets[-1]),
            np.concatenate(lefts) if lefts else np.zeros(0, np.int64),
            np.concatenate(rights) if rights else np.zeros(0, np.int64),
        )
        _, labels = np.unique(labels, return_inverse=True)  # persons numbered 0..k-1
        tables: dict[str, str] = {}
        for org, table in named:
            keep = [
                c for c in table.column_names if not c.startswith(KEY_PREFIX) and c != CLK_COLUMN
            ]
            own = labels[start[org] : start[org] + table.num_rows]
            zone = table.select(keep).add_column(0, PERSON, pa.array(own, pa.int64()))
            tables[_zone_name(org)] = self._put_table(zone)
        persons = int(len(np.unique(labels)))
        report_dict = report.to_dict()
        with self.db.write_session() as s:
            p = self._project(s, name)
            run = LinkageRun(
                project_id=p.id,
                method=options.method,
                tables=tables,
                rows=persons,
                report=report_dict,
                run_by=principal.user_id,
            )
            s.add(run)
            s.flush()
            self._record(
                s,
                MatchRun,
                p.name,
                principal,
                digests={**{f"input:{o}": d for o, d in latest.items()}, **tables},
                facts={
                    "run": run.id,
                    "method": options.method,
                    "persons": persons,
                    "pairs": [[c.left, c.right, c.matches] for c in report.pairs],
                },
            )
            return RunInfo(run.id, options.method, tables, persons, report_dict)

    def _key_join(
        self, files: Mapping[str, str], options: LinkOptions
    ) -> Callable[[str, str, Sequence[Sequence[str]]], Pairs] | None:
        """The exact and rules methods' key joins on the compute engine, over the uploaded
        files (`engine_join`); None (in this process) without an engine or for other methods."""
        if self.engine is None or options.method not in ("exact", "rules"):
            return None
        engine = self.engine()

        def join(left: str, right: str, rules: Sequence[Sequence[str]]) -> Pairs:
            return join_pairs(
                engine, self.blobs.verify(files[left]), self.blobs.verify(files[right]), rules
            )

        return join

    def _zone_tables(self, s: Session, p: LinkageProject) -> dict[str, pa.Table]:
        run = s.scalar(
            select(LinkageRun).where(LinkageRun.project_id == p.id).order_by(LinkageRun.id.desc())
        )
        if run is None:
            raise errors.InvalidInput(M.MSG_NO_RUN)
        return {t: self._read(d) for t, d in run.tables.items()}

    # ----- analysis -----------------------------------------------------------------------
    def query(self, name: str, sql: str, *, principal: Principal) -> QueryResult:
        """Run an analyst's SELECT over the linked tables inside the zone (see `sandbox`)."""
        with self.db.session() as s:
            p = self._project(s, name)
            self._require(s, p, principal, "analyst")
            tables = self._zone_tables(s, p)
        result = sandbox.run_sql(tables, sql, self.settings.limits)
        digest = canonical.sha256_text(sql)
        with self.db.write_session() as s:
            self._record(
                s,
                QueryRun,
                name,
                principal,
                digests={"sql": digest},
                facts={"rows": result.num_rows},
            )
        shown = result.slice(0, self.settings.limits.max_rows)
        cols = [shown.column(i).to_pylist() for i in range(shown.num_columns)]
        return QueryResult(
            tuple(result.column_names), tuple(zip(*cols, strict=True)), result.num_rows, digest
        )

    def request_export(self, name: str, draft: ExportDraft, *, principal: Principal) -> ExportInfo:
        """Build an output inside the zone and check it at once: cells by the disclosure checks
        (then noised when differential privacy is asked), a row-level table by its privacy
        policy; an output that fails is refused (with the reasons), one that passes waits for a
        reviewer."""
        rows = draft.policy is not None
        if rows == bool(draft.group_by) or (rows and draft.value is not None):
            raise errors.InvalidInput(M.MSG_EXPORT_SHAPE)
        if rows and draft.noise is not None:
            raise errors.InvalidInput(M.MSG_DP_ROWS)
        if draft.noise is not None:
            outputs.check_noise(draft.noise, draft.value, self.settings.privacy)
        with self.db.session() as s:
            p = self._project(s, name)
            self._require(s, p, principal, "analyst")
            tables = self._zone_tables(s, p)
            earlier = [
                self._read(d)
                for d in s.scalars(
                    select(LinkageExport.digest).where(
                        LinkageExport.project_id == p.id,
                        LinkageExport.kind == "cells",
                        LinkageExport.status.in_(("pending", "approved")),
                    )
                )
            ]
        records = sandbox.run_sql(tables, draft.sql, self.settings.limits)
        out = self._rows(records, draft) if rows else self._cells(records, draft, earlier)
        digest = self._put_table(out.table)
        status = "pending" if out.passed else "refused"
        report_sha = {"report": out.report_sha256} if out.report_sha256 else {}
        with self.db.write_session() as s:
            p = self._project(s, name)
            ex = LinkageExport(
                project_id=p.id,
                analyst_id=principal.user_id,
                sql=draft.sql,
                group_by=list(draft.group_by),
                value=draft.value,
                digest=digest,
                checks=out.checks,
                status=status,
                dataset=draft.title,
                kind=out.kind,
                epsilon=out.epsilon,
                report=out.report,
            )
            s.add(ex)
            s.flush()
            self._record(
                s,
                ExportRequested,
                p.name,
                principal,
                digests={"sql": canonical.sha256_text(draft.sql), "output": digest, **report_sha},
                facts={
                    "export": ex.id,
                    "kind": out.kind,
                    "status": status,
                    "checks": out.ledger_checks,
                    **({"epsilon": out.epsilon} if out.epsilon is not None else {}),
                },
            )
            return ExportInfo(
                ex.id,
                status,
                out.checks,
                out.reasons,
                digest,
                kind=out.kind,
                epsilon=out.epsilon,
                report=out.report,
            )

    def _cells(self, records: pa.Table, draft: ExportDraft, earlier: list[pa.Table]) -> _Output:
        """Cells of the records under the disclosure checks, with noise when it is asked."""
        rules = self.settings.rules
        missing = [
            c for c in (*draft.group_by, draft.value or "") if c and c not in records.column_names
        ]
        if missing:
            raise errors.InvalidInput(
                M.MSG_NO_COLUMN.format(column=missing[0], columns=", ".join(records.column_names))
            )
        cells = disclosure.tabulate(
            records, draft.group_by, value=draft.value, top_n=rules.dominance_n
        )
        result = disclosure.check(cells, draft.group_by, rules, earlier=earlier)
        checks = result.to_dict()
        reasons = tuple(
            M.MSG_EXPORT_REFUSED.format(findings=f"{f.check} ({f.cells}: {', '.join(f.examples)})")
            for f in result.findings
        )
        if not result.passed or draft.noise is None:
            return _Output("cells", cells, result.passed, checks, reasons)
        noisy = outputs.noisy_cells(records, draft.group_by, draft.value, draft.noise)
        checks = {**checks, "differential_privacy": noisy.section}
        return _Output("cells", noisy.table, True, checks, (), epsilon=noisy.epsilon_spent)

    def _rows(self, records: pa.Table, draft: ExportDraft) -> _Output:
        """The records de-identified by the request's policy, refused unless its gate passes."""
        result = outputs.deidentify(records, draft.policy, self.settings.privacy)
        failures = list(result.report.failures)
        checks = {
            "passed": result.passed,
            "checks": ["privacy_policy"],
            "findings": []
            if result.passed
            else [{"check": "privacy_policy", "failures": failures}],
        }
        reasons = (
            () if result.passed else (M.MSG_ROWS_REFUSED.format(failures="; ".join(failures)),)
        )
        return _Output(
            "rows",
            result.table,
            result.passed,
            checks,
            reasons,
            report=plain_json(result.report.to_json()),
            report_sha256=result.report.digest(),
        )

    def review(
        self,
        name: str,
        export_id: int,
        *,
        approve: bool,
        reason: str,
        principal: Principal,
    ) -> ExportInfo:
        """A reviewer's decision on a passing export (never on their own analysis); an
        approved output is published as a dataset of the operator organisation, the decision
        and the release recorded in the transaction that publishes it."""
        if not reason.strip():
            raise errors.InvalidInput(M.MSG_REASON_NEEDED)
        with self.db.session() as s:
            p = self._project(s, name)
            self._require(s, p, principal, "reviewer")
            ex = s.get(LinkageExport, export_id)
            if ex is None or ex.project_id != p.id:
                raise errors.NotFound(M.MSG_NO_EXPORT.format(id=export_id, name=name))
            if ex.analyst_id == principal.user_id:
                raise errors.PermissionDenied(M.MSG_OWN_ANALYSIS)
            if ex.status != "pending":
                raise errors.Conflict(M.MSG_NOT_PENDING.format(id=export_id, status=ex.status))
            operator = s.get(Organization, p.operator_id)
            assert operator is not None
            org_name, digest, group_by = operator.name, ex.digest, list(ex.group_by)
            title, kind, epsilon = ex.dataset, ex.kind, ex.epsilon
        decided = {"export": export_id, "approved": approve}
        reason_sha = canonical.sha256_text(reason)
        if not approve:
            with self.db.write_session() as s:
                ex = s.get(LinkageExport, export_id)
                assert ex is not None
                self._record(
                    s,
                    ExportReviewed,
                    name,
                    principal,
                    digests={"reason": reason_sha},
                    facts=decided,
                )
                ex.status, ex.reviewer_id, ex.reason = "rejected", principal.user_id, reason
                ex.decided_at = utcnow()
            return ExportInfo(
                export_id, "rejected", {}, (reason,), digest, None, principal.ref, kind, epsilon
            )
        cells = self._read(digest)
        public = cells.select([c for c in cells.column_names if c != disclosure.SHARE])
        dataset = f"{name}-output-{export_id}"
        path = self.blobs.temp_path(".parquet")
        try:
            pq.write_table(public, path)

            def on_publish(s: Session, version: Version) -> None:
                self._record(
                    s,
                    ExportReviewed,
                    name,
                    principal,
                    digests={"reason": reason_sha},
                    facts=decided,
                )
                self._record(
                    s,
                    ExportReleased,
                    name,
                    principal,
                    digests={"output": digest},
                    facts={
                        "export": export_id,
                        "kind": kind,
                        "dataset": dataset,
                        "version": version.number,
                        "group_by": group_by,
                        **({"epsilon": epsilon} if epsilon is not None else {}),
                    },
                )
                ex = s.get(LinkageExport, export_id)
                assert ex is not None
                ex.status, ex.reviewer_id, ex.reason = "approved", principal.user_id, reason
                ex.dataset, ex.decided_at = dataset, utcnow()

            # the zone publishes on the reviewer's approval: reviewers need no catalogue rights
            self.catalog.publish(
                dataset,
                path,
                filename=f"{dataset}.parquet",
                principal=SYSTEM,
                on_publish=on_publish,
                new=NewDataset(organization=org_name, title=title or dataset),
            )
        finally:
            path.unlink(missing_ok=True)
        return ExportInfo(
            export_id, "approved", {}, (), digest, dataset, principal.ref, kind, epsilon
        )

    # ----- closing ------------------------------------------------------------------------
    def close(self, name: str, *, principal: Principal) -> CloseInfo:
        """Close a project: delete its zone rows and files, then prove each file is gone."""
        return self._destroy(name, principal, reason="closed")

    def close_expired(self, today: dt.date | None = None) -> list[CloseInfo]:
        """Close every open project whose expiry date has passed (the periodic job
        "linkage.expire"), with the same proof of destruction as a manual close."""
        today = today or dt.date.today()
        with self.db.session() as s:
            names = list(
                s.scalars(
                    select(LinkageProject.name)
                    .where(LinkageProject.status == "open", LinkageProject.expires_on < today)
                    .order_by(LinkageProject.id)
                )
            )
        closed = []
        for n in names:
            try:
                closed.append(self._destroy(n, SYSTEM, reason="expired"))
            except errors.Gone:  # closed by its operator meanwhile
                continue
        return closed

    def _destroy(self, name: str, principal: Principal, *, reason: str) -> CloseInfo:
        with self.db.write_session() as s:
            p = self._project(s, name, open_only=False)
            operator = s.get(Organization, p.operator_id)
            assert operator is not None
            self._operator(s, operator, principal)
            if p.status == "closed":
                raise errors.Gone(M.MSG_PROJECT_CLOSED.format(name=name))
            digests = set(
                s.scalars(select(LinkageUpload.digest).where(LinkageUpload.project_id == p.id))
            )
            digests |= set(
                s.scalars(select(LinkageExport.digest).where(LinkageExport.project_id == p.id))
            )
            for tables in s.scalars(select(LinkageRun.tables).where(LinkageRun.project_id == p.id)):
                digests |= set(tables.values())
            destroyed = tuple(sorted(digests))
            self._record(
                s,
                ProjectClosed,
                name,
                principal,
                facts={"files": list(destroyed), "reason": reason},
            )
            rows = 0
            for table in (LinkageUpload, LinkageRun, LinkageExport):
                result = s.execute(delete(table).where(table.project_id == p.id))
                rows += int(getattr(result, "rowcount", 0) or 0)
            p.status, p.closed_at = "closed", utcnow()
        for d in destroyed:
            self.blobs.discard(d)
        absent = {d: not self.blobs.exists(d) for d in destroyed}
        with self.db.write_session() as s:
            index = self._record(
                s,
                ZoneDestroyed,
                name,
                principal,
                facts={
                    "files": len(destroyed),
                    "rows": rows,
                    "absent": all(absent.values()),
                    "checked": sorted(d for d, gone in absent.items() if gone),
                    "reason": reason,
                },
            )
        return CloseInfo(name, destroyed, rows, index, reason)
