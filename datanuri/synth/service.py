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
from datanuri.privacy.budget import BudgetAccount, account, refuse_if_over
from datanuri.privacy.db import PrivacyBudget, PrivacyLoss
from datanuri.privacy.guard import DetectionGuard
from datanuri.privacy.limits import PolicyLimits
from datanuri.privacy.service import release_target
from datanuri.store.blobs import BlobStore
from datanuri.store.db import Database
from datanuri.synth import messages as M
from datanuri.synth.events import SynthReleased
from datanuri.synth.report import SynthReport, evaluate, split
from datanuri.synth.synthesize import SynthOptions, SynthResult, synthesize
from datanuri.synth.tables import SynthRelease

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
        shared = getattr(catalog, "guard", None)
        self.guard = shared if isinstance(shared, DetectionGuard) else DetectionGuard()

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
        self, name: str, options: SynthOptions, *, principal: Principal, target: str | None = None
    ) -> SynthCandidate:
        """The synthetic table of `name`'s latest version and its report; nothing is published."""
        number, digest, table = self._load(name, principal)
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

    # ----- release ---------------------------------------------------------------------------
    def release(
        self,
        name: str,
        options: SynthOptions,
        *,
        target_name: str,
        access_level: ReleaseAccess = "open",
        principal: Principal,
        target: str | None = None,
    ) -> tuple[SynthReleaseInfo, SynthReport]:
        """Synthesize `name` and, only if the report passes and the ε fits the budget, publish
        the synthetic table as the next version of `target_name` (made if missing)."""
        if access_level not in ("open", "restricted"):
            raise errors.InvalidInput(M.MSG_ACCESS_LEVEL.format(level=access_level))
        if target_name == name:
            raise errors.InvalidInput(M.MSG_SAME_DATASET)
        if options.method != "mst":
            raise errors.InvalidInput(M.MSG_COPULA_PERSONAL)
        with self.db.session() as s:  # refused before any work; checked again when recorded
            self._source(s, name, principal)
            refuse_if_over(
                self._account(s, name, float(options.epsilon)),
                limit=self.limits.default_epsilon_budget,
            )
        c = self.preview(name, options, principal=principal, target=target)
        if not c.report.passed:
            raise SynthFailed(
                M.MSG_SYNTH_FAILED.format(name=name, failures="; ".join(c.report.failures)),
                details={"failures": c.report.failures, "report": c.report.to_json()},
            )
        org = self._target_org(name, target_name, principal)
        recorded: list[SynthReleaseInfo] = []
        table = c.result.table
        opts = c.result.options.to_json()

        def record(s: Session, version: Version) -> None:
            src, _ = self._source(s, name, principal)
            self._lock(s, name, src.organization.name)
            eps = float(c.report.epsilon or 0.0)
            refuse_if_over(self._account(s, name, eps), limit=self.limits.default_epsilon_budget)
            report = c.report.to_json(with_seed=False)  # the seed stays in `options`
            row = SynthRelease(
                organization=src.organization.name,
                source_dataset=name,
                source_version=c.version,
                source_hash=c.source_hash,
                target_dataset=version.dataset.name,
                target_version=version.number,
                target_hash=version.content_hash,
                access_level=version.dataset.access_level,
                method=c.result.options.method,
                epsilon=eps,
                delta=float(c.report.delta or 0.0),
                options=opts,
                options_hash=_sha({k: v for k, v in opts.items() if k != "seed"}),
                report=report,
                report_hash=c.report.digest(),
                released_by=principal.ref,
            )
            s.add(row)
            s.flush()
            row.ledger_index = self.events.record(
                s,
                SynthReleased(
                    actor=principal.ref,
                    time=row.created_at,
                    dataset=row.target_dataset,
                    version=row.target_version,
                    release_id=row.id,
                    source_dataset=name,
                    source_version=c.version,
                    access_level=row.access_level,
                    rows=table.num_rows,
                    method=row.method,
                    epsilon=eps,
                    delta=row.delta,
                    source_sha256=c.source_hash,
                    options_sha256=row.options_hash,
                    report_sha256=row.report_hash,
                    output_sha256=row.target_hash,
                ),
            )
            s.flush()
            recorded.append(_info(row))

        tmp = self.blobs.temp_path(".parquet")
        ticket = self.guard.issue(target=target_name, table=table, passed=True)
        try:
            pq.write_table(table, tmp, compression="zstd")
            if org is not None:
                self.catalog.create_dataset(
                    target_name,
                    organization=org,
                    access_level=access_level,
                    principal=principal,
                    title=f"{target_name} (synthetic)",
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
        return recorded[0], c.report

    def _target_org(self, name: str, target: str, principal: Principal) -> str | None:
        """The organisation to create `target` in, or None if it exists and may receive this."""
        with self.db.session() as s:
            src, _ = self._source(s, name, principal)
            return release_target(s, self.access, src, target, principal)

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
