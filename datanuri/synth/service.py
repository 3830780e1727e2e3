"""`SynthService`: make, assess and release synthetic versions of personal datasets.

- `preview` synthesizes the latest version (the training share; a seeded share is held out for
  the report) and returns the report, publishing nothing;
- `release` publishes the synthetic table as a version of an open or restricted dataset, only if
  the report passes (a method with a formal guarantee, the privacy checks) and the ε fits the
  source's privacy-loss budget, which synthetic releases share with its differential-privacy
  releases. The release record and its `synth.release` ledger event are written in the
  transaction that publishes the version, under the lock on the source's account.

Every operation requires the principal to edit the holding organisation (the `publish` action on
the source), as de-identification does; the source rows never leave the service.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from datanuri import errors
from datanuri.accounts.access import AccessControl
from datanuri.accounts.principal import Principal
from datanuri.catalog.models import Dataset, Version
from datanuri.catalog.service import CatalogService
from datanuri.events import EventSink
from datanuri.jobs.kinds import Progress
from datanuri.jobs.runner import record_outcome
from datanuri.privacy.budget import BudgetAccount, account, refuse_if_over
from datanuri.privacy.db import PrivacyBudget, PrivacyLoss
from datanuri.privacy.guard import ticket_issuer
from datanuri.privacy.limits import PolicyLimits
from datanuri.privacy.service import release_target
from datanuri.store.blobs import BlobStore
from datanuri.store.db import Database
from datanuri.synth import messages as M
from datanuri.synth.candidates import ReleaseGate, release_gate
from datanuri.synth.events import SynthReleased
from datanuri.synth.report import SynthReport, evaluate, split
from datanuri.synth.synthesize import SynthOptions, SynthResult, synthesize
from datanuri.synth.tables import SynthCandidateRow, SynthRelease

ReleaseAccess = Literal["open", "restricted"]
HOLDOUT = 0.2  # the share of the source held out for the report's privacy and utility checks


class SynthFailed(errors.InvalidInput):
    """The synthetic table did not pass its checks: nothing was released."""

    code = "synth_failed"


def _sha(obj: Any) -> str:
    raw = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class SynthCandidate:
    """A synthetic table of a source version and its report (never published by `preview`)."""

    dataset: str
    version: int
    source_hash: str
    result: SynthResult
    report: SynthReport

    def output(self) -> _Output:
        """What releasing it publishes and records."""
        return _Output(
            version=self.version,
            source_hash=self.source_hash,
            table=self.result.table,
            method=self.result.options.method,
            epsilon=float(self.report.epsilon or 0.0),
            delta=float(self.report.delta or 0.0),
            options=self.result.options.to_json(),
            report=self.report.to_json(with_seed=False),
            report_hash=self.report.digest(),
        )


@dataclass(frozen=True)
class _Output:
    """A synthetic table to release, with what its release record keeps."""

    version: int
    source_hash: str
    table: pa.Table
    method: str
    epsilon: float
    delta: float
    options: dict[str, Any]  # with the seed: the holder's only
    report: dict[str, Any]  # without the seed
    report_hash: str


@dataclass(frozen=True)
class CandidateInfo:
    """A stored synthetic candidate as its holder's editors see it: the report (without the
    seed) and whether it may be released now (`gate`)."""

    id: int
    dataset: str
    source_version: int
    method: str
    epsilon: float | None
    delta: float | None
    rows: int
    passed: bool
    report_sha256: str
    created_by: str
    created_at: str  # ISO 8601, UTC
    release_id: int | None
    gate: ReleaseGate
    report: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        """What a job's unrestricted result may show: no report (it describes row values)."""
        return {
            "candidate": self.id,
            "dataset": self.dataset,
            "method": self.method,
            "epsilon": self.epsilon,
            "passed": self.passed,
            "releasable": self.gate.releasable,
            "candidate_url": f"/api/v1/datasets/{self.dataset}/synth/candidates/{self.id}",
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "gate": self.gate.to_dict()}


@dataclass(frozen=True)
class SynthReleaseInfo:
    """A synthetic release as its holder's editors see it."""

    id: int
    source_dataset: str
    source_version: int
    target_dataset: str
    target_version: int
    method: str
    epsilon: float
    delta: float
    rows: int
    report_sha256: str
    ledger_index: int | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _info(r: SynthRelease) -> SynthReleaseInfo:
    return SynthReleaseInfo(
        id=r.id,
        source_dataset=r.source_dataset,
        source_version=r.source_version,
        target_dataset=r.target_dataset,
        target_version=r.target_version,
        method=r.method,
        epsilon=r.epsilon,
        delta=r.delta,
        rows=int(r.report.get("rows_synthetic", 0)),
        report_sha256=r.report_hash,
        ledger_index=r.ledger_index,
    )


class SynthService:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        events: EventSink,
        access: AccessControl,
        catalog: CatalogService,
        limits: PolicyLimits | None = None,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.events = events
        self.access = access
        self.catalog = catalog
        self.limits = limits or PolicyLimits()
        self.guard = ticket_issuer(catalog)

    # ----- the source ------------------------------------------------------------------------
    def _source(self, s: Session, name: str, principal: Principal) -> tuple[Dataset, Version]:
        ds = s.scalar(select(Dataset).where(Dataset.name == name))
        if ds is None:
            raise errors.NotFound(errors.MSG_DATASET_NOT_FOUND.format(name=name))
        self.access.require(s, principal, "read_metadata", dataset=ds.as_access())
        self.access.require(s, principal, "publish", dataset=ds.as_access())
        if not ds.versions:
            raise errors.NotFound(errors.MSG_NO_VERSIONS.format(name=name))
        return ds, ds.versions[-1]

    def _load(self, name: str, principal: Principal) -> tuple[int, str, pa.Table]:
        with self.db.session() as s:
            ds, v = self._source(s, name, principal)
            number, digest, access = v.number, v.content_hash, ds.as_access()
        self.access.log(principal, access, number, "synth", True)
        with self.blobs.open_input(digest) as f:
            table = pq.ParquetFile(f).read()
        return number, digest, table

    # ----- preview ---------------------------------------------------------------------------
    def preview(
        self,
        name: str,
        options: SynthOptions,
        *,
        principal: Principal,
        target: str | None = None,
        columns: Sequence[str] | None = None,
    ) -> SynthCandidate:
        """The synthetic table of `name`'s latest version (only `columns`, if given) and its
        report; nothing is published."""
        number, digest, table = self._load(name, principal)
        if columns:
            unknown = [c for c in columns if c not in table.column_names]
            if unknown:
                raise errors.InvalidInput(
                    M.MSG_COLUMNS_UNKNOWN.format(
                        unknown=", ".join(unknown), columns=", ".join(table.column_names)
                    )
                )
            table = table.select(list(dict.fromkeys(columns)))
        if target is not None and target not in table.column_names:
            raise errors.InvalidInput(
                M.MSG_TARGET_UNKNOWN.format(target=target, columns=", ".join(table.column_names))
            )
        # a fresh secret seed unless one is given: whoever knows the seed can subtract the noise
        seed = options.seed if options.seed is not None else secrets.randbits(63)
        options = replace(options, seed=seed)
        train, hold = split(table, HOLDOUT, seed)
        result = synthesize(train, options, max_epsilon=self.limits.max_epsilon)
        report = evaluate(train, hold, result, target=target, max_epsilon=self.limits.max_epsilon)
        return SynthCandidate(name, number, digest, result, report)

    # ----- the account ------------------------------------------------------------------------
    def spent(self, s: Session, name: str) -> list[float]:
        """The epsilons synthetic releases spent from `name`'s account (for the DP releases'
        account: `PrivacyService.spent_elsewhere`)."""
        return list(
            s.scalars(
                select(SynthRelease.epsilon)
                .where(SynthRelease.source_dataset == name)
                .order_by(SynthRelease.id)
            )
        )

    def _account(self, s: Session, name: str, this: float | None = None) -> BudgetAccount:
        """`name`'s privacy-loss account: its DP releases and its synthetic releases."""
        declared = s.scalar(select(PrivacyBudget.budget).where(PrivacyBudget.dataset == name))
        spent = list(
            s.scalars(
                select(PrivacyLoss.epsilon)
                .where(PrivacyLoss.source_dataset == name)
                .order_by(PrivacyLoss.id)
            )
        )
        spent += self.spent(s, name)
        return account(
            name,
            spent,
            declared=declared,
            default_budget=self.limits.default_epsilon_budget,
            this_release=this,
        )

    def budget(self, name: str, *, principal: Principal) -> BudgetAccount:
        """The source's account as synthetic releases see it (its editors)."""
        with self.db.session() as s:
            self._source(s, name, principal)
            return self._account(s, name)

    def _lock(self, s: Session, name: str, org: str) -> None:
        q = select(PrivacyBudget).where(PrivacyBudget.dataset == name).with_for_update()
        if s.scalar(q) is None:
            s.add(PrivacyBudget(organization=org, dataset=name, budget=None))
            s.flush()
            s.scalar(q)

    # ----- candidates: made now, read by the holder, released later -------------------------
    def make_candidate(
        self,
        name: str,
        options: SynthOptions,
        *,
        principal: Principal,
        target: str | None = None,
        columns: Sequence[str] | None = None,
        progress: Progress = lambda _done, _total: None,
    ) -> CandidateInfo:
        """Synthesize `name` and keep the table (in the blob store) and its report as a
        candidate its editors read before releasing it (`release_candidate`); spends nothing."""
        progress(0, 2)
        c = self.preview(name, options, principal=principal, target=target, columns=columns)
        progress(1, 2)
        tmp = self.blobs.temp_path(".parquet")
        pq.write_table(c.result.table, tmp, compression="zstd")
        digest = self.blobs.put_file(tmp, move=True)
        report = c.report.to_json()
        with self.db.session() as s:
            src, _ = self._source(s, name, principal)
            row = SynthCandidateRow(
                organization=src.organization.name,
                source_dataset=name,
                source_version=c.version,
                source_hash=c.source_hash,
                method=c.result.options.method,
                epsilon=c.report.epsilon,
                delta=c.report.delta,
                options=c.result.options.to_json(),
                report=report,
                report_hash=c.report.digest(),
                passed=c.report.passed,
                output_hash=digest,
                rows=c.result.table.num_rows,
                created_by=principal.ref,
            )
            s.add(row)
            s.flush()
            info = self._candidate_info(s, row)
            record_outcome(s, info.summary())  # a job's candidate is made once
        progress(2, 2)
        return info

    def _tries(self, s: Session, name: str) -> list[SynthCandidateRow]:
        """`name`'s MST candidates whose ε no release has spent yet, oldest first."""
        return list(
            s.scalars(
                select(SynthCandidateRow)
                .where(
                    SynthCandidateRow.source_dataset == name,
                    SynthCandidateRow.method == "mst",
                    SynthCandidateRow.release_id.is_(None),
                )
                .order_by(SynthCandidateRow.id)
            )
        )

    def _candidate_info(self, s: Session, row: SynthCandidateRow) -> CandidateInfo:
        tries = self._tries(s, row.source_dataset) if row.release_id is None else []
        mine = row.method == "mst" and row.release_id is None
        charge = sum(float(t.epsilon or 0.0) for t in tries) if mine else None
        gate = release_gate(
            method=row.method,
            failures=row.report.get("failures", []),
            release_id=row.release_id,
            charge=charge,
            tries=max(len(tries) - 1, 0),
            account=self._account(s, row.source_dataset, charge),
        )
        return CandidateInfo(
            id=row.id,
            dataset=row.source_dataset,
            source_version=row.source_version,
            method=row.method,
            epsilon=row.epsilon,
            delta=row.delta,
            rows=row.rows,
            passed=row.passed,
            report_sha256=row.report_hash,
            created_by=row.created_by,
            created_at=row.created_at.isoformat(),
            release_id=row.release_id,
            gate=gate,
            report={k: v for k, v in row.report.items() if k != "seed"},
        )

    def _candidate_row(self, s: Session, name: str, cid: int) -> SynthCandidateRow:
        row = s.get(SynthCandidateRow, cid)
        if row is None or row.source_dataset != name:
            raise errors.NotFound(M.MSG_NO_CANDIDATE.format(id=cid, name=name))
        return row

    def candidate(self, name: str, cid: int, *, principal: Principal) -> CandidateInfo:
        """Candidate `cid` of `name` with its report and release gate (its editors)."""
        with self.db.session() as s:
            self._source(s, name, principal)
            return self._candidate_info(s, self._candidate_row(s, name, cid))

    def candidate_report(self, name: str, cid: int, *, principal: Principal) -> SynthReport:
        """Candidate `cid`'s report, for the HTML page (its editors)."""
        with self.db.session() as s:
            self._source(s, name, principal)
            return SynthReport.from_json(self._candidate_row(s, name, cid).report)

    def list_candidates(self, name: str, *, principal: Principal) -> list[CandidateInfo]:
        """The candidates made from `name`, newest first (its editors)."""
        with self.db.session() as s:
            self._source(s, name, principal)
            rows = s.scalars(
                select(SynthCandidateRow)
                .where(SynthCandidateRow.source_dataset == name)
                .order_by(SynthCandidateRow.id.desc())
            )
            return [self._candidate_info(s, r) for r in rows]

    def release_candidate(
        self,
        name: str,
        cid: int,
        *,
        target_name: str,
        access_level: ReleaseAccess = "open",
        principal: Principal,
    ) -> SynthReleaseInfo:
        """Publish candidate `cid` of `name` as the next version of `target_name` (made if
        missing), only if its gate lets it: an MST candidate whose report passed, not released
        yet, whose ε with that of the source's other unreleased MST candidates (the tries it was
        chosen from) fits the budget. The release spends that sum and settles those tries."""
        self._check_release(name, target_name, access_level)
        with self.db.session() as s:
            row = self._candidate_row(s, name, cid)
            self._source(s, name, principal)
            gate = self._candidate_info(s, row).gate
            if not gate.releasable:
                raise SynthFailed(
                    M.MSG_CANDIDATE_REFUSED.format(id=cid, reasons="; ".join(gate.reasons)),
                    details={"reasons": gate.reasons},
                )
            out = _Output(
                version=row.source_version,
                source_hash=row.source_hash,
                table=pq.read_table(self.blobs.verify(row.output_hash)),
                method=row.method,
                epsilon=float(row.epsilon or 0.0),
                delta=float(row.delta or 0.0),
                options=row.options,
                report={k: v for k, v in row.report.items() if k != "seed"},
                report_hash=row.report_hash,
            )
        return self._publish(
            name,
            out,
            target_name=target_name,
            access_level=access_level,
            principal=principal,
            candidate=cid,
        )

    # ----- release ---------------------------------------------------------------------------
    @staticmethod
    def _check_release(name: str, target_name: str, access_level: str) -> None:
        if access_level not in ("open", "restricted"):
            raise errors.InvalidInput(M.MSG_ACCESS_LEVEL.format(level=access_level))
        if target_name == name:
            raise errors.InvalidInput(M.MSG_SAME_DATASET)

    def release(
        self,
        name: str,
        options: SynthOptions,
        *,
        target_name: str,
        access_level: ReleaseAccess = "open",
        principal: Principal,
        target: str | None = None,
        columns: Sequence[str] | None = None,
    ) -> tuple[SynthReleaseInfo, SynthReport]:
        """Synthesize `name` and, only if the report passes and the ε fits the budget, publish
        the synthetic table as the next version of `target_name` (made if missing)."""
        self._check_release(name, target_name, access_level)
        if options.method != "mst":
            raise errors.InvalidInput(M.MSG_COPULA_PERSONAL)
        with self.db.session() as s:  # refused before any work; checked again when recorded
            self._source(s, name, principal)
            refuse_if_over(
                self._account(s, name, float(options.epsilon)),
                limit=self.limits.default_epsilon_budget,
            )
        c = self.preview(name, options, principal=principal, target=target, columns=columns)
        if not c.report.passed:
            raise SynthFailed(
                M.MSG_SYNTH_FAILED.format(name=name, failures="; ".join(c.report.failures)),
                details={"failures": c.report.failures, "report": c.report.to_json()},
            )
        info = self._publish(
            name,
            c.output(),
            target_name=target_name,
            access_level=access_level,
            principal=principal,
        )
        return info, c.report

    def _publish(
        self,
        name: str,
        out: _Output,
        *,
        target_name: str,
        access_level: ReleaseAccess,
        principal: Principal,
        candidate: int | None = None,
    ) -> SynthReleaseInfo:
        """Publish `out` into `target_name`, writing the release record and its ledger event in
        the publishing transaction under the lock on `name`'s account. A stored `candidate`
        spends its ε with that of the source's other unreleased tries, and settles them."""
        org, title = self._target_org(name, target_name, principal)
        recorded: list[SynthReleaseInfo] = []

        def record(s: Session, version: Version) -> None:
            src, _ = self._source(s, name, principal)
            self._lock(s, name, src.organization.name)
            tries: list[SynthCandidateRow] = []
            eps, delta = out.epsilon, out.delta
            if candidate is not None:  # the tries compose: their (ε, δ) add up
                tries = self._tries(s, name)
                if candidate not in {t.id for t in tries}:  # released meanwhile
                    raise errors.Conflict(M.MSG_CANDIDATE_SPENT.format(id=candidate))
                eps = sum(float(t.epsilon or 0.0) for t in tries)
                delta = sum(float(t.delta or 0.0) for t in tries)
            refuse_if_over(self._account(s, name, eps), limit=self.limits.default_epsilon_budget)
            row = SynthRelease(
                organization=src.organization.name,
                source_dataset=name,
                source_version=out.version,
                source_hash=out.source_hash,
                target_dataset=version.dataset.name,
                target_version=version.number,
                target_hash=version.content_hash,
                access_level=version.dataset.access_level,
                method=out.method,
                epsilon=eps,
                delta=delta,
                options=out.options,
                options_hash=_sha({k: v for k, v in out.options.items() if k != "seed"}),
                report=out.report,
                report_hash=out.report_hash,
                released_by=principal.ref,
            )
            s.add(row)
            s.flush()
            for t in tries:
                t.release_id = row.id
            row.ledger_index = self.events.record(
                s,
                SynthReleased(
                    actor=principal.ref,
                    time=row.created_at,
                    dataset=row.target_dataset,
                    version=row.target_version,
                    release_id=row.id,
                    source_dataset=name,
                    source_version=out.version,
                    access_level=row.access_level,
                    rows=out.table.num_rows,
                    method=row.method,
                    epsilon=eps,
                    delta=row.delta,
                    source_sha256=out.source_hash,
                    options_sha256=row.options_hash,
                    report_sha256=row.report_hash,
                    output_sha256=row.target_hash,
                ),
            )
            s.flush()
            recorded.append(_info(row))

        tmp = self.blobs.temp_path(".parquet")
        ticket = self.guard.issue(target=target_name, table=out.table, passed=True)
        try:
            pq.write_table(out.table, tmp, compression="zstd")
            if org is not None:
                self.catalog.create_dataset(
                    target_name,
                    organization=org,
                    access_level=access_level,
                    principal=principal,
                    title=title,
                )
            try:
                self.catalog.publish(
                    target_name,
                    tmp,
                    filename=f"{target_name}.parquet",
                    format="parquet",
                    principal=principal,
                    change_note="synthetic (MST, differential privacy)",
                    on_publish=record,
                    release=ticket,
                )
            except BaseException:
                if org is not None:
                    self.catalog.discard_empty_dataset(target_name, principal=principal)
                raise
        finally:
            self.guard.revoke(ticket)
            tmp.unlink(missing_ok=True)
        if not recorded:  # identical content: no new version, so nothing was spent
            raise errors.Conflict(M.MSG_ALREADY_HELD.format(target=target_name))
        return recorded[0]

    def _target_org(self, name: str, target: str, principal: Principal) -> tuple[str | None, str]:
        """The organisation to create `target` in (None if it exists and may receive this), and
        the title a new one takes: the source's, marked as its synthetic version."""
        with self.db.session() as s:
            src, _ = self._source(s, name, principal)
            org = release_target(s, self.access, src, target, principal)
            i = 0 if (src.language or "ko") == "ko" else 1
            return org, M.RELEASE_TITLE[i].format(title=src.title or name)

    def list_releases(self, name: str, *, principal: Principal) -> list[SynthReleaseInfo]:
        """The synthetic releases of source `name` (its editors), oldest first."""
        with self.db.session() as s:
            self._source(s, name, principal)
            rows = s.scalars(
                select(SynthRelease)
                .where(SynthRelease.source_dataset == name)
                .order_by(SynthRelease.id)
            )
            return [_info(r) for r in rows]
