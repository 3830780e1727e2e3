"""`ModelRegistry`: model versions of registered AI systems with their features and training
data (linked to the ledger), drift monitors that compare a model's training data with its live
inputs (the decisions it made, or an uploaded batch), alerts when they drift, and model cards
built from what the registry, the decisions and the audits know.

A registration and each monitor run are recorded in the ledger in the transaction that stores
them; a drift alert is a notice to the owner organisation's editors (in the console, and as a
signed webhook to the organisation's endpoints) sent with that same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datanuri import canonical, errors
from datanuri.accounts.models import Membership, Organization, User
from datanuri.accounts.notifications import Event, Notice, Notifier
from datanuri.accounts.principal import SYSTEM, Principal
from datanuri.audit import messages as M
from datanuri.audit.drift import (
    DriftOptions,
    DriftReport,
    PerformanceDrift,
    drift_report,
    performance_drift,
)
from datanuri.audit.events import DriftChecked, ModelRegistered
from datanuri.audit.model_card import (
    CardAudit,
    CardDrift,
    CardModel,
    CardSystem,
    Datasheet,
    ModelCard,
)
from datanuri.audit.model_tables import AiModelRecord, DriftMonitor, DriftRun
from datanuri.audit.service import UploadedTable, columns_sha256, read_table
from datanuri.audit.tables import Audit
from datanuri.catalog.models import Dataset
from datanuri.catalog.service import CatalogService
from datanuri.decisions.service import DecisionService
from datanuri.decisions.tables import AiDecision, AiModelVersion, AiSystem
from datanuri.events import EventSink
from datanuri.store.db import Database, utcnow

EDITORS = ("owner", "editor")
PREDICTION = "prediction"  # the drift report's name for the model's score
DRIFT_LINK = "/console/ai/models"


@dataclass(frozen=True, kw_only=True)
class Registration:
    """A model version to register under an AI system: its kind and parameters (coefficients,
    intercept and baseline for linear and logistic models), the features it reads, the
    training data versions ("dataset@N") and its reference metrics (e.g. accuracy)."""

    system: str
    version: str
    kind: str
    features: tuple[str, ...]
    training_data: tuple[str, ...]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    method: str | None = None
    metrics: Mapping[str, float] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class ModelInfo:
    system: str
    organization: str
    version: str
    kind: str
    method: str
    features: tuple[str, ...]
    parameters: Mapping[str, Any]
    training_data: tuple[Mapping[str, Any], ...]  # {dataset, version, ledger_index}
    metrics: Mapping[str, float]
    description: str
    ledger_index: int | None
    created_at: dt.datetime


@dataclass(frozen=True)
class MonitorInfo:
    id: int
    system: str
    version: str
    options: DriftOptions
    window_days: int
    min_rows: int
    active: bool
    last_run_at: dt.datetime | None


@dataclass(frozen=True)
class RunInfo:
    id: int
    monitor_id: int
    source: str
    drifted: tuple[str, ...]
    result: Mapping[str, Any]
    reference_sha256: str
    current_sha256: str
    ledger_index: int | None
    created_at: dt.datetime


def linear_scores(table: pa.Table, parameters: Mapping[str, Any]) -> np.ndarray:
    """A linear or logistic model's score (the linear predictor, as decisions record it) for
    every row of `table`, vectorised."""
    z = np.full(table.num_rows, float(parameters["intercept"]))
    for name, coef in parameters["coefficients"].items():
        col = table.column(name).to_numpy(zero_copy_only=False)
        z = z + float(coef) * np.asarray(col, dtype=float)
    return z


class ModelRegistry:
    def __init__(
        self,
        db: Database,
        events: EventSink,
        catalog: CatalogService,
        decisions: DecisionService,
        notifier: Notifier,
    ) -> None:
        self.db = db
        self.events = events
        self.catalog = catalog
        self.decisions = decisions
        self.notifier = notifier

    # ----- registry ----------------------------------------------------------------------------
    def register(self, reg: Registration, *, principal: Principal) -> ModelInfo:
        """Register a model version of `reg.system` (its owner's editors only). The model
        version is added to the decision registry first if it is new there."""
        features = tuple(dict.fromkeys(f.strip() for f in reg.features if f.strip()))
        if not features:
            raise errors.InvalidInput(M.MSG_NO_FEATURES)
        if not reg.training_data:
            raise errors.InvalidInput(M.MSG_NO_TRAINING)
        refs = self.decisions.training_refs(reg.training_data)
        info = self.decisions.system(reg.system)
        self._require_owner(principal, info.organization)
        if reg.version not in info.model_versions:
            self.decisions.add_model_version(
                reg.system,
                version=reg.version,
                kind=reg.kind,
                parameters=reg.parameters,
                method=reg.method,
                principal=principal,
            )
        metrics = {str(k): float(v) for k, v in reg.metrics.items()}
        with self.db.write_session() as s:
            mv, sysrow = self._version(s, reg.system, reg.version)
            if s.scalar(select(AiModelRecord.id).where(AiModelRecord.model_version_id == mv.id)):
                raise errors.Conflict(
                    M.MSG_MODEL_EXISTS.format(system=reg.system, version=reg.version)
                )
            missing = set(mv.parameters.get("coefficients", {})) - set(features)
            if missing:
                raise errors.InvalidInput(M.MSG_FEATURES_MISSING.format(names=sorted(missing)))
            rec = AiModelRecord(
                model_version_id=mv.id,
                features=list(features),
                training_data=[r.to_dict() for r in refs],
                metrics=metrics,
                description=reg.description.strip()[:2000],
                created_by=principal.ref,
            )
            s.add(rec)
            s.flush()
            rec.ledger_index = self.events.record(
                s,
                ModelRegistered(
                    actor=principal.ref,
                    time=utcnow(),
                    system=reg.system,
                    model_version=reg.version,
                    kind=mv.kind,
                    features=features,
                    parameters_sha256=canonical.sha256(mv.parameters),
                    training_entries=tuple(r.ledger_index for r in refs),
                ),
            )
            return self._info(s, rec, mv, sysrow)

    def models(self, system: str | None = None) -> list[ModelInfo]:
        """Registered model versions (the registry is public: it names no person)."""
        with self.db.session() as s:
            q = (
                select(AiModelRecord, AiModelVersion, AiSystem)
                .join(AiModelVersion, AiModelVersion.id == AiModelRecord.model_version_id)
                .join(AiSystem, AiSystem.id == AiModelVersion.system_id)
                .order_by(AiSystem.name, AiModelRecord.id)
            )
            if system:
                q = q.where(AiSystem.name == system)
            rows = s.execute(q).all()
            ids = {sy.organization_id for _, _, sy in rows}
            q2 = select(Organization.id, Organization.name).where(Organization.id.in_(ids))
            orgs = {i: n for i, n in s.execute(q2)}
            return [
                self._info(s, r, mv, sy, orgs.get(sy.organization_id, "")) for r, mv, sy in rows
            ]

    def model(self, system: str, version: str) -> ModelInfo:
        with self.db.session() as s:
            mv, sy = self._version(s, system, version)
            return self._info(s, self._record(s, mv, system, version), mv, sy)

    def card(self, system: str, version: str) -> ModelCard:
        """The model card (and the datasheets of its training data): what the registry, the
        decisions, the audits of its training data and its drift runs know."""
        m = self.model(system, version)
        sysinfo = self.decisions.system(system)
        with self.db.session() as s:
            mv, _ = self._version(s, system, version)
            count = s.scalar(
                select(func.count(AiDecision.id)).where(AiDecision.model_version_id == mv.id)
            )
            sheets = []
            for ref in m.training_data:
                ds = s.scalar(select(Dataset).where(Dataset.name == ref["dataset"]))
                audits = (
                    s.scalars(
                        select(Audit)
                        .where(Audit.dataset_id == ds.id, Audit.dataset_version == ref["version"])
                        .order_by(Audit.id)
                    ).all()
                    if ds
                    else []
                )
                sheets.append(
                    Datasheet(
                        dataset=ref["dataset"],
                        version=ref["version"],
                        ledger_index=ref["ledger_index"],
                        title=ds.title if ds else "",
                        audits=[
                            CardAudit(
                                id=a.id,
                                kind=a.kind,
                                passed=a.result.get("passed"),
                                proxies=[
                                    x["column"]
                                    for x in a.result.get("proxies", [])
                                    if x.get("flagged")
                                ],
                                ledger_index=a.ledger_index,
                                created_at=a.created_at.isoformat(),
                            )
                            for a in audits
                        ],
                    )
                )
            rec = self._record(s, mv, system, version)
            last = s.scalar(
                select(DriftRun)
                .join(DriftMonitor, DriftMonitor.id == DriftRun.monitor_id)
                .where(DriftMonitor.record_id == rec.id)
                .order_by(DriftRun.id.desc())
                .limit(1)
            )
        return ModelCard(
            system=CardSystem(
                name=sysinfo.name,
                title=sysinfo.title,
                organization=sysinfo.organization,
                purpose=sysinfo.purpose,
                risk_level=sysinfo.risk_level,
                intended_use=sysinfo.intended_use,
                limitations=sysinfo.limitations,
            ),
            model=CardModel(
                version=m.version,
                kind=m.kind,
                explanation_method=m.method,
                features=list(m.features),
                parameters=dict(m.parameters),
                metrics=dict(m.metrics),
                description=m.description,
                ledger_index=m.ledger_index,
                registered_at=m.created_at.isoformat(),
            ),
            decisions=count or 0,
            datasheets=sheets,
            drift=(
                CardDrift(
                    run=last.id,
                    drifted=list(last.drifted),
                    at=last.created_at.isoformat(),
                    ledger_index=last.ledger_index,
                )
                if last
                else None
            ),
        )

    # ----- drift monitors ----------------------------------------------------------------------
    def add_monitor(
        self,
        system: str,
        version: str,
        *,
        options: DriftOptions | None = None,
        window_days: int = 30,
        min_rows: int = 30,
        principal: Principal,
    ) -> MonitorInfo:
        """Watch a registered model's live inputs against its training data."""
        if window_days < 1 or min_rows < 1:
            raise errors.InvalidInput(M.MSG_BAD_WINDOW)
        o = options or DriftOptions()
        with self.db.write_session() as s:
            mv, sy = self._version(s, system, version)
            self._require_owner(principal, self._org(s, sy))
            rec = self._record(s, mv, system, version)
            mon = DriftMonitor(
                record_id=rec.id,
                options=asdict(o),
                window_days=window_days,
                min_rows=min_rows,
                active=True,
                created_by=principal.ref,
            )
            s.add(mon)
            s.flush()
            return self._monitor_info(mon, system, version)

    def monitors(self, system: str | None = None) -> list[MonitorInfo]:
        with self.db.session() as s:
            q = (
                select(DriftMonitor, AiModelVersion.version, AiSystem.name)
                .join(AiModelRecord, AiModelRecord.id == DriftMonitor.record_id)
                .join(AiModelVersion, AiModelVersion.id == AiModelRecord.model_version_id)
                .join(AiSystem, AiSystem.id == AiModelVersion.system_id)
                .order_by(DriftMonitor.id)
            )
            if system:
                q = q.where(AiSystem.name == system)
            return [self._monitor_info(m, name, v) for m, v, name in s.execute(q).all()]

    def run(
        self,
        monitor_id: int,
        *,
        batch: UploadedTable | None = None,
        outcome: str | None = None,
        label: str | None = None,
        principal: Principal,
    ) -> RunInfo | None:
        """Run a monitor: its model's training data against the live window (the decisions of
        the last `window_days`, or `batch`), per feature and for the model's score (the decisions'
        scores, or a batch's "prediction" column); with `outcome` and `label` (the true and the
        predicted label columns of the batch), performance drift too.
        None when the live window has fewer than `min_rows` rows (nothing is recorded)."""
        with self.db.session() as s:
            mon = s.get(DriftMonitor, monitor_id)
            if mon is None:
                raise errors.NotFound(M.MSG_NO_MONITOR.format(id=monitor_id))
            rec = s.get(AiModelRecord, mon.record_id)
            assert rec is not None
            mv = s.get(AiModelVersion, rec.model_version_id)
            assert mv is not None
            sy = s.get(AiSystem, mv.system_id)
            assert sy is not None
            org = self._org(s, sy)
            self._require_owner(principal, org)
            features = list(rec.features)
            options = DriftOptions(**mon.options)
            since = utcnow() - dt.timedelta(days=mon.window_days)
            if batch is None:
                rows = s.execute(
                    select(AiDecision.inputs, AiDecision.score).where(
                        AiDecision.model_version_id == mv.id,
                        AiDecision.status == "active",
                        AiDecision.created_at >= since,
                    )
                ).all()
                current = pa.Table.from_pylist(
                    [{f: (i or {}).get(f) for f in features} for i, _ in rows]
                    or [dict.fromkeys(features)]
                ).slice(0, len(rows))
                current = current.append_column(
                    PREDICTION, pa.array([sc for _, sc in rows], pa.float64())
                )
                source = "decisions"
            else:
                current = read_table(batch)
                source = f"file:{batch.name}"
            train = rec.training_data[0]
            sysname, version, kind, params = sy.name, mv.version, mv.kind, dict(mv.parameters)
            min_rows = mon.min_rows
        if current.num_rows < min_rows:
            return None
        path = self.catalog.parquet_path(
            train["dataset"], int(train["version"]), principal=principal, purpose="audit"
        )
        reference = pq.ParquetFile(path).read()
        report = self._report(reference, current, features, options, kind, params)
        result = report.to_dict()
        if outcome:
            result["performance"] = [
                self._performance(current, outcome, label, rec.metrics, options).to_dict()
            ]
            report = DriftReport(report.features, options=options)
        drifted = list(result["drifted"]) + [
            f"metric:{p['metric']}" for p in result["performance"] if p["drifted"]
        ]
        result["drifted"] = drifted
        ref_sha = columns_sha256(reference, features)
        cur_sha = columns_sha256(current, current.column_names)
        res_sha = canonical.sha256(result)
        with self.db.write_session() as s:
            run = DriftRun(
                monitor_id=monitor_id,
                source=source[:400],
                reference_sha256=ref_sha,
                current_sha256=cur_sha,
                result=result,
                result_sha256=res_sha,
                drifted=drifted,
            )
            s.add(run)
            s.flush()
            run.ledger_index = self.events.record(
                s,
                DriftChecked(
                    actor=principal.ref,
                    time=utcnow(),
                    system=sysname,
                    model_version=version,
                    run_id=run.id,
                    reference_sha256=ref_sha,
                    current_sha256=cur_sha,
                    result_sha256=res_sha,
                    drifted=tuple(drifted),
                ),
            )
            mon2 = s.get(DriftMonitor, monitor_id)
            assert mon2 is not None
            mon2.last_run_at = utcnow()
            if drifted:
                self._alert(s, org, sysname, version, run, drifted)
            return self._run_info(run)

    def run_due(self) -> int:
        """Run every active monitor on the decisions (the periodic job); how many drifted. A
        monitor that cannot run (its inputs lack a feature, its training data is gone) is
        skipped so that one broken monitor does not stop the others."""
        with self.db.session() as s:
            ids = list(s.scalars(select(DriftMonitor.id).where(DriftMonitor.active.is_(True))))
        found = 0
        for mid in ids:
            try:
                r = self.run(mid, principal=SYSTEM)
            except (errors.InvalidInput, errors.NotFound, errors.Gone):
                continue  # e.g. its training data withdrawn: the other monitors still run
            found += bool(r and r.drifted)
        return found

    def runs(self, monitor_id: int, *, principal: Principal) -> list[RunInfo]:
        with self.db.session() as s:
            mon = s.get(DriftMonitor, monitor_id)
            if mon is None:
                raise errors.NotFound(M.MSG_NO_MONITOR.format(id=monitor_id))
            rec = s.get(AiModelRecord, mon.record_id)
            mv = s.get(AiModelVersion, rec.model_version_id) if rec else None
            sy = s.get(AiSystem, mv.system_id) if mv else None
            if sy is None:
                raise errors.NotFound(M.MSG_NO_MONITOR.format(id=monitor_id))
            self._require_owner(principal, self._org(s, sy))
            q = select(DriftRun).where(DriftRun.monitor_id == monitor_id).order_by(DriftRun.id)
            return [self._run_info(r) for r in s.scalars(q)]

    # ----- helpers -----------------------------------------------------------------------------
    @staticmethod
    def _report(
        reference: pa.Table,
        current: pa.Table,
        features: Sequence[str],
        options: DriftOptions,
        kind: str,
        params: Mapping[str, Any],
    ) -> DriftReport:
        rep = drift_report(reference, current, features, options)
        if kind in ("linear", "logistic") and PREDICTION in current.column_names:
            ref_scores = pa.table({PREDICTION: linear_scores(reference, params)})
            cur = pa.table({PREDICTION: current.column(PREDICTION).cast(pa.float64())})
            if pa.compute.count(cur.column(PREDICTION)).as_py() > 0:
                pred = drift_report(
                    ref_scores, cur, [PREDICTION], options, kinds={PREDICTION: "numeric"}
                )
                rep = DriftReport(rep.features + pred.features, options=options)
        return rep

    @staticmethod
    def _performance(
        current: pa.Table,
        outcome: str,
        label: str | None,
        metrics: Mapping[str, Any],
        options: DriftOptions,
    ) -> PerformanceDrift:
        """Accuracy of the batch's predicted `label` against its `outcome` column."""
        for c in (outcome, label or ""):
            if c not in current.column_names:
                raise errors.InvalidInput(
                    M.MSG_NO_COLUMN.format(column=c, columns=", ".join(current.column_names))
                )
        if "accuracy" not in metrics:
            raise errors.InvalidInput(M.MSG_NO_REFERENCE_ACCURACY)
        yt = np.asarray(current.column(outcome).to_pylist())
        yp = np.asarray(current.column(label or "").to_pylist())
        return performance_drift(
            "accuracy", float(metrics["accuracy"]), yt, yp, alpha=options.alpha
        )

    def _alert(
        self, s: Session, org: str, system: str, version: str, run: DriftRun, drifted: list[str]
    ) -> None:
        """A notice to the owner organisation's editors, and one webhook event for its endpoints."""
        ko, en = (
            ", ".join(word if f == PREDICTION else f for f in drifted)
            for word in ("예측 점수", "the score")
        )
        text = (
            M.NOTE_DRIFT[0].format(system=system, version=version, features=ko),
            M.NOTE_DRIFT[1].format(system=system, version=version, features=en),
        )
        event = Event(
            "ai.drift.detected",
            {"system": system, "model_version": version, "run": run.id, "drifted": drifted},
            org=org,
            key=f"ai-drift-run-{run.id}",
        )
        q = (
            select(User.id)
            .join(Membership, Membership.user_id == User.id)
            .join(Organization, Organization.id == Membership.organization_id)
            .where(Organization.name == org, Membership.role.in_(EDITORS), User.is_active.is_(True))
            .order_by(User.id)
        )
        for uid in s.scalars(q):
            self.notifier.notify(s, Notice(uid, "ai.drift.detected", text, DRIFT_LINK, event))

    @staticmethod
    def _require_owner(p: Principal, organization: str) -> None:
        if p.kind == "system":
            return
        if p.kind == "anonymous":
            raise errors.NotAuthenticated(M.MSG_MODEL_OWNERS.format(organization=organization))
        if not (p.is_admin or p.role_in(organization) in EDITORS):
            raise errors.PermissionDenied(M.MSG_MODEL_OWNERS.format(organization=organization))

    @staticmethod
    def _org(s: Session, sy: AiSystem) -> str:
        org = s.get(Organization, sy.organization_id)
        return org.name if org else ""

    @staticmethod
    def _version(s: Session, system: str, version: str) -> tuple[AiModelVersion, AiSystem]:
        row = s.execute(
            select(AiModelVersion, AiSystem)
            .join(AiSystem, AiSystem.id == AiModelVersion.system_id)
            .where(AiSystem.name == system, AiModelVersion.version == version)
        ).first()
        if row is None:
            raise errors.NotFound(M.MSG_NO_MODEL.format(system=system, version=version))
        return row[0], row[1]

    @staticmethod
    def _record(s: Session, mv: AiModelVersion, system: str, version: str) -> AiModelRecord:
        rec = s.scalar(select(AiModelRecord).where(AiModelRecord.model_version_id == mv.id))
        if rec is None:
            raise errors.NotFound(M.MSG_NO_MODEL.format(system=system, version=version))
        return rec

    def _info(
        self,
        s: Session,
        rec: AiModelRecord,
        mv: AiModelVersion,
        sy: AiSystem,
        org: str | None = None,
    ) -> ModelInfo:
        return ModelInfo(
            system=sy.name,
            organization=org if org is not None else self._org(s, sy),
            version=mv.version,
            kind=mv.kind,
            method=mv.method,
            features=tuple(rec.features),
            parameters=dict(mv.parameters),
            training_data=tuple(rec.training_data),
            metrics=dict(rec.metrics),
            description=rec.description,
            ledger_index=rec.ledger_index,
            created_at=rec.created_at,
        )

    @staticmethod
    def _monitor_info(m: DriftMonitor, system: str, version: str) -> MonitorInfo:
        return MonitorInfo(
            id=m.id,
            system=system,
            version=version,
            options=DriftOptions(**m.options),
            window_days=m.window_days,
            min_rows=m.min_rows,
            active=m.active,
            last_run_at=m.last_run_at,
        )

    @staticmethod
    def _run_info(r: DriftRun) -> RunInfo:
        return RunInfo(
            id=r.id,
            monitor_id=r.monitor_id,
            source=r.source,
            drifted=tuple(r.drifted),
            result=dict(r.result),
            reference_sha256=r.reference_sha256,
            current_sha256=r.current_sha256,
            ledger_index=r.ledger_index,
            created_at=r.created_at,
        )
