"""`DecisionService`: the AI-system registry, decision records, contests and oversight, with the
caller's rights checked on every method, a ledger entry for every step (in the same transaction,
before it takes effect) and notices to the people concerned.

Who may do what:
- the owner organisation's owners and editors (and admins) register systems and model versions,
  record decisions and see their systems' decisions and oversight figures (auditors too);
- the person a decision is about opens it with its reference number and access code (or logged
  in as its `subject_user_id`) and contests it; to anyone else it does not exist (not found);
- a reviewer (role `reviewer`, no role in the owner organisation) decides the contests assigned
  to them; admins assign reviewers and run the overdue sweep.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datanuri import canonical, errors
from datanuri.accounts.models import Membership, Organization, User
from datanuri.accounts.notifications import Notice, Notifier
from datanuri.accounts.principal import Principal
from datanuri.catalog.models import Dataset, Version
from datanuri.decisions import contest as rules
from datanuri.decisions import messages as M
from datanuri.decisions import oversight, reasons, records, systems
from datanuri.decisions.events import (
    ContestAssigned,
    ContestDecided,
    ContestEscalated,
    ContestFiled,
    DecisionCorrected,
    DecisionRecorded,
    SystemRegistered,
)
from datanuri.decisions.records import DecisionDraft
from datanuri.decisions.systems import TrainingRef
from datanuri.decisions.tables import AiContest, AiDecision, AiModelVersion, AiSystem
from datanuri.desk.calendar import Holidays
from datanuri.events import EventSink
from datanuri.store.db import Database, utcnow

EDITORS = ("owner", "editor")
PERSON_LINK = "/decisions/{ref}"
REVIEW_LINK = "/console/ai/contests"


class Blobs(Protocol):
    def put_bytes(self, data: bytes) -> str: ...


@dataclass(frozen=True)
class SystemInfo:
    name: str
    organization: str
    title: str
    purpose: str
    risk_level: str
    intended_use: str
    limitations: str
    metrics: Mapping[str, float]
    training_data: tuple[TrainingRef, ...]
    reason_codes: Mapping[str, Mapping[str, Any]]
    model_versions: tuple[str, ...]
    ledger_index: int | None
    created_at: dt.datetime


@dataclass(frozen=True)
class ContestInfo:
    id: int
    reference: str  # of the decision contested
    system: str
    status: str  # open | upheld | overturned
    explanation: str
    evidence: tuple[Mapping[str, Any], ...]
    reviewer: str | None  # display name
    deadline_at: dt.datetime
    overdue: bool
    escalated_at: dt.datetime | None
    outcome_reasons: str | None
    decided_at: dt.datetime | None
    corrected_reference: str | None
    steps: tuple[Mapping[str, Any], ...]  # {step, index}: the ledger entries of each step
    created_at: dt.datetime


@dataclass(frozen=True)
class DecisionView:
    """A decision as its person (and the owner) sees it."""

    reference: str
    system: str
    system_title: str
    organization: str
    model_version: str
    method: str
    output: str
    score: float | None
    base_value: float | None
    contributions: Mapping[str, float]
    reasons: tuple[reasons.Reason, ...]
    inputs: Mapping[str, Any]  # "the data used"
    input_sha256: str
    status: str  # active | corrected
    corrects: str | None  # the reference this decision corrects
    corrected_by: str | None  # the reference of its correction
    contests: tuple[ContestInfo, ...]
    ledger_index: int | None
    created_at: dt.datetime


@dataclass(frozen=True)
class Recorded:
    """A recorded decision: its reference and the access code to give the person (the same on
    a replay of the same idempotency key)."""

    reference: str
    access_code: str
    replayed: bool
    decision: DecisionView


@dataclass(frozen=True)
class Oversight:
    system: str
    figures: oversight.Figures
    overdue: tuple[ContestInfo, ...]
    open_contests: int


class DecisionService:
    def __init__(
        self,
        db: Database,
        events: EventSink,
        blobs: Blobs,
        notifier: Notifier,
        *,
        code_key: bytes,
        holidays: Holidays,
        review_days: int = 10,
    ) -> None:
        self.db = db
        self.events = events
        self.blobs = blobs
        self.notifier = notifier
        self.code_key = code_key
        self.holidays = holidays
        self.review_days = review_days

    # ----- the registry ----------------------------------------------------------------------
    def register_system(
        self,
        name: str,
        *,
        organization: str,
        title: str,
        purpose: str,
        risk_level: str,
        card: systems.ModelCard,
        reason_codes: Mapping[str, Mapping[str, Any]],
        principal: Principal,
    ) -> SystemInfo:
        """Register an AI system of `organization` with its model card; the training data
        versions must exist and have ledger entries."""
        name = systems.clean_name(name)
        systems.check_risk(risk_level)
        card = systems.clean_card(card)
        catalogue = systems.clean_catalogue(reason_codes)
        if not purpose.strip() or not title.strip():
            raise errors.InvalidInput(M.MSG_CARD_FIELD.format(field="a title and a purpose"))
        self._require_owner(principal, organization)
        with self.db.write_session() as s:
            org = s.scalar(select(Organization).where(Organization.name == organization))
            if org is None:
                raise errors.NotFound(errors.MSG_ORG_NOT_FOUND.format(name=organization))
            if s.scalar(select(AiSystem.id).where(AiSystem.name == name)) is not None:
                raise errors.Conflict(M.MSG_SYSTEM_EXISTS.format(name=name))
            refs = [self._training_ref(s, r) for r in card.training_data]
            row = AiSystem(
                name=name,
                organization_id=org.id,
                title=title.strip(),
                purpose=purpose.strip(),
                risk_level=risk_level,
                intended_use=card.intended_use,
                limitations=card.limitations,
                metrics=dict(card.metrics),
                training_data=[r.to_dict() for r in refs],
                reason_codes=catalogue,
                created_by=principal.user_id,
            )
            s.add(row)
            s.flush()
            card_obj = {
                "title": row.title,
                "purpose": row.purpose,
                "risk_level": risk_level,
                "intended_use": row.intended_use,
                "limitations": row.limitations,
                "metrics": row.metrics,
                "training_data": row.training_data,
                "reason_codes": catalogue,
            }
            row.ledger_index = self.events.record(
                s,
                SystemRegistered(
                    actor=principal.ref,
                    time=utcnow(),
                    system=name,
                    organization=organization,
                    risk_level=risk_level,
                    card_sha256=canonical.sha256(card_obj),
                    training_entries=tuple(r.ledger_index for r in refs),
                ),
            )
            return self._system_info(s, row)

    def add_model_version(
        self,
        system: str,
        *,
        version: str,
        kind: str,
        parameters: Mapping[str, Any] | None = None,
        method: str | None = None,
        principal: Principal,
    ) -> SystemInfo:
        """Add a model version: linear and logistic models with their coefficients, intercept
        and baseline (reasons computed here, exactly); trees and others name their method."""
        systems.check_kind(kind)
        params = systems.check_parameters(kind, parameters or {})
        named = {
            "linear": reasons.LINEAR,
            "logistic": reasons.LINEAR,
            "tree": reasons.SAABAS,
        }.get(kind, (method or "").strip())
        if not named:
            raise errors.InvalidInput(M.MSG_NEEDS_EXPLANATION.format(kind=kind))
        version = (version or "").strip()[:100]
        if not version:
            raise errors.InvalidInput(M.MSG_NO_VERSION.format(system=system, version=version))
        with self.db.write_session() as s:
            row = self._system(s, system)
            self._require_owner(principal, self._org_name(s, row))
            dup = select(AiModelVersion.id).where(
                AiModelVersion.system_id == row.id, AiModelVersion.version == version
            )
            if s.scalar(dup) is not None:
                raise errors.Conflict(M.MSG_VERSION_EXISTS.format(version=version, system=system))
            s.add(
                AiModelVersion(
                    system_id=row.id, version=version, kind=kind, method=named, parameters=params
                )
            )
            s.flush()
            return self._system_info(s, row)

    def training_refs(self, refs: Sequence[str]) -> list[TrainingRef]:
        """The training data versions `refs` ("dataset@N"), each checked to exist and to have a
        ledger entry (the model registry links a model version to them)."""
        with self.db.session() as s:
            return [self._training_ref(s, r) for r in refs]

    def systems(self) -> list[SystemInfo]:
        """Every registered system (the registry is public: it names no person)."""
        with self.db.session() as s:
            return [
                self._system_info(s, r) for r in s.scalars(select(AiSystem).order_by(AiSystem.name))
            ]

    def system(self, name: str) -> SystemInfo:
        with self.db.session() as s:
            return self._system_info(s, self._system(s, name))

    # ----- decisions -------------------------------------------------------------------------
    def record(self, draft: DecisionDraft, *, principal: Principal) -> Recorded:
        """Record a decision about a person (idempotent on the system's idempotency key)."""
        key = (draft.idempotency_key or "").strip()
        if not key or len(key) > 200:
            raise errors.InvalidInput(M.MSG_IDEMPOTENCY_REUSED.format(key=key[:40]))
        input_sha = canonical.sha256(dict(draft.inputs))
        with self.db.write_session() as s:
            sysrow = self._system(s, draft.system)
            self._require_owner(principal, self._org_name(s, sysrow))
            old = s.scalar(
                select(AiDecision).where(
                    AiDecision.system_id == sysrow.id, AiDecision.idempotency_key == key
                )
            )
            if old is not None:
                if old.input_sha256 != input_sha or old.output != draft.output:
                    raise errors.Conflict(M.MSG_IDEMPOTENCY_REUSED.format(key=key))
                code = records.access_code(self.code_key, old.reference)
                return Recorded(old.reference, code, True, self._view(s, old, "en"))
            mv = s.scalar(
                select(AiModelVersion).where(
                    AiModelVersion.system_id == sysrow.id,
                    AiModelVersion.version == draft.model_version,
                )
            )
            if mv is None:
                raise errors.InvalidInput(
                    M.MSG_NO_VERSION.format(system=draft.system, version=draft.model_version)
                )
            ex = records.explain(mv.kind, mv.parameters, draft)
            codes = (
                records.check_codes(draft.reason_codes, sysrow.reason_codes)
                if draft.reason_codes
                else reasons.top_codes(ex.contributions, sysrow.reason_codes)
            )
            if draft.subject_user_id is not None and s.get(User, draft.subject_user_id) is None:
                raise errors.InvalidInput(M.MSG_NO_SUBJECT.format(id=draft.subject_user_id))
            row = self._add_decision(
                s,
                sysrow,
                mv,
                key=key,
                inputs=dict(draft.inputs),
                input_sha=input_sha,
                output=str(draft.output)[:200],
                score=draft.score if draft.score is not None else ex.score,
                ex=ex,
                codes=codes,
                groups={str(k): str(v) for k, v in (draft.groups or {}).items()},
                subject_user_id=draft.subject_user_id,
                corrects_id=None,
                actor=principal.ref,
            )
            code = records.access_code(self.code_key, row.reference)
            row.code_sha256 = records.code_hash(code)
            return Recorded(row.reference, code, False, self._view(s, row, "en"))

    def view(
        self, reference: str, *, code: str | None = None, principal: Principal, lang: str = "en"
    ) -> DecisionView:
        """The decision, its reasons in words, the data used and its contests, for the person
        it is about (by code or account) and the system's owners; not found to anyone else."""
        with self.db.session() as s:
            row = self._person_decision(s, reference, code, principal, owners_too=True)
            return self._view(s, row, lang)

    def decisions(self, system: str, *, principal: Principal) -> list[DecisionView]:
        """A system's decisions, newest first (its owners, admins and auditors)."""
        with self.db.session() as s:
            sysrow = self._system(s, system)
            self._require_overseer(principal, self._org_name(s, sysrow))
            rows = s.scalars(
                select(AiDecision)
                .where(AiDecision.system_id == sysrow.id)
                .order_by(AiDecision.id.desc())
                .limit(500)
            )
            return [self._view(s, r, "en") for r in rows]

    def mine(self, *, principal: Principal, lang: str = "en") -> list[DecisionView]:
        """The decisions that name the logged-in caller as their subject."""
        if principal.kind != "user" or principal.user_id is None:
            raise errors.NotAuthenticated(M.MSG_NO_DECISION)
        with self.db.session() as s:
            rows = s.scalars(
                select(AiDecision)
                .where(AiDecision.subject_user_id == principal.user_id)
                .order_by(AiDecision.id.desc())
            )
            return [self._view(s, r, lang) for r in rows]

    # ----- contests --------------------------------------------------------------------------
    def file_contest(
        self,
        reference: str,
        *,
        code: str | None = None,
        explanation: str,
        evidence: Sequence[tuple[str, bytes]] = (),
        principal: Principal,
        now: dt.datetime | None = None,
    ) -> ContestInfo:
        """The person contests a decision with an explanation and evidence files; a reviewer
        outside the owner organisation is assigned when one exists."""
        text = rules.clean_explanation(explanation)
        rules.check_evidence([len(b) for _, b in evidence])
        when = now or utcnow()
        with self.db.write_session() as s:
            row = self._person_decision(s, reference, code, principal, owners_too=False)
            # PostgreSQL: one contest at a time per decision, even from two tabs at once
            s.scalar(select(AiDecision.id).where(AiDecision.id == row.id).with_for_update())
            if row.status == "corrected":
                raise errors.Conflict(M.MSG_CORRECTED)
            busy = select(AiContest.id).where(
                AiContest.decision_id == row.id, AiContest.status == "open"
            )
            if s.scalar(busy) is not None:
                raise errors.Conflict(M.MSG_ALREADY_CONTESTED)
            files: list[dict[str, Any]] = []
            for name, data in evidence:
                digest = self.blobs.put_bytes(data)
                files.append({"name": str(name)[:200], "sha256": digest, "size": len(data)})
            due = rules.deadline(when, self.review_days, self.holidays)
            c = AiContest(
                decision_id=row.id,
                explanation=text,
                evidence=files,
                status="open",
                deadline_at=due,
                steps=[],
                created_at=when,
            )
            s.add(c)
            s.flush()
            actor = self._person_actor(principal, row)
            idx = self.events.record(
                s,
                ContestFiled(
                    actor=actor,
                    time=utcnow(),
                    decision_id=row.id,
                    contest_id=c.id,
                    explanation_sha256=hashlib.sha256(text.encode()).hexdigest(),
                    evidence_sha256=tuple(f["sha256"] for f in files),
                    deadline=due.isoformat(),
                ),
            )
            c.steps = [{"step": "filed", "index": idx}]
            sysrow = s.get(AiSystem, row.system_id)
            assert sysrow is not None
            reviewer = self._pick_reviewer(s, self._org_name(s, sysrow))
            if reviewer is not None:
                self._assign(s, c, row, reviewer, "system")
            else:
                for admin in self._admins(s):
                    self._notify(s, admin, "ai.contest.unassigned", M.NOTE_UNASSIGNED, row, c)
            return self._contest_info(s, c, when)

    def assign(self, contest_id: int, *, reviewer: str, principal: Principal) -> ContestInfo:
        """Give an open contest to `reviewer` (an e-mail); admins only."""
        self._require_admin(principal)
        with self.db.write_session() as s:
            c = self._contest(s, contest_id)
            if c.status != "open":
                raise errors.Conflict(M.MSG_CLOSED)
            row = s.get(AiDecision, c.decision_id)
            assert row is not None
            sysrow = s.get(AiSystem, row.system_id)
            assert sysrow is not None
            user = s.scalar(select(User).where(User.email == reviewer.strip().lower()))
            if user is None or not self._eligible(s, user, self._org_name(s, sysrow)):
                raise errors.InvalidInput(M.MSG_NOT_ELIGIBLE.format(email=reviewer))
            self._assign(s, c, row, user.id, principal.ref)
            return self._contest_info(s, c, utcnow())

    def contests(self, *, principal: Principal, status: str | None = "open") -> list[ContestInfo]:
        """Contests assigned to the caller (every contest for admins), nearest deadline first."""
        if principal.kind == "anonymous":
            raise errors.NotAuthenticated(M.MSG_REVIEWERS_ONLY)
        if not principal.is_admin and not self._is_reviewer(principal):
            raise errors.PermissionDenied(M.MSG_REVIEWERS_ONLY)
        with self.db.session() as s:
            q = select(AiContest).order_by(AiContest.deadline_at, AiContest.id)
            if status is not None:
                q = q.where(AiContest.status == status)
            if not principal.is_admin:
                q = q.where(AiContest.reviewer_id == principal.user_id)
            now = utcnow()
            return [self._contest_info(s, c, now) for c in s.scalars(q)]

    def decide(
        self,
        contest_id: int,
        *,
        outcome: str,
        reasons_text: str,
        corrected_output: str | None = None,
        corrected_score: float | None = None,
        principal: Principal,
    ) -> ContestInfo:
        """The assigned reviewer upholds or overturns the decision with written reasons; an
        overturn records a corrected decision linked to the original. The person is told."""
        if principal.kind == "anonymous":
            raise errors.NotAuthenticated(M.MSG_NOT_REVIEWER)
        result = rules.outcome(outcome)
        why = rules.clean_reasons(reasons_text)
        if result == "overturned" and not (corrected_output or "").strip():
            raise errors.InvalidInput(M.MSG_CORRECTION_NEEDED)
        with self.db.write_session() as s:
            c = self._contest(s, contest_id, lock=True)
            row = s.get(AiDecision, c.decision_id)
            assert row is not None
            sysrow = s.get(AiSystem, row.system_id)
            assert sysrow is not None
            org = self._org_name(s, sysrow)
            if principal.role_in(org) is not None:
                raise errors.PermissionDenied(M.MSG_OWNER_REVIEW)
            if principal.user_id is None or c.reviewer_id != principal.user_id:
                raise errors.PermissionDenied(M.MSG_NOT_REVIEWER)
            user = s.get(User, principal.user_id)
            if user is None or not self._eligible(s, user, org):
                raise errors.PermissionDenied(M.MSG_OWNER_REVIEW)
            if c.status != "open":
                raise errors.Conflict(M.MSG_CLOSED)
            now = utcnow()
            c.status, c.outcome_reasons, c.decided_at = result, why, now
            idx = self.events.record(
                s,
                ContestDecided(
                    actor=principal.ref,
                    time=now,
                    decision_id=row.id,
                    contest_id=c.id,
                    outcome=result,
                    reasons_sha256=hashlib.sha256(why.encode()).hexdigest(),
                ),
            )
            steps = [*c.steps, {"step": "decided", "index": idx}]
            if result == "overturned":
                mv = s.get(AiModelVersion, row.model_version_id)
                assert mv is not None
                ex = reasons.Explanation(row.base_value or 0.0, row.contributions, row.method)
                new = self._add_decision(
                    s,
                    sysrow,
                    mv,
                    key=f"{row.idempotency_key[:180]}#contest-{c.id}",
                    inputs=row.inputs,
                    input_sha=row.input_sha256,
                    output=str(corrected_output).strip()[:200],
                    score=corrected_score,
                    ex=ex,
                    codes=list(row.reason_codes),
                    groups=row.groups,
                    subject_user_id=row.subject_user_id,
                    corrects_id=row.id,
                    actor=principal.ref,
                    method=f"human-review (contest {c.id})",
                )
                new.code_sha256 = row.code_sha256  # the person opens it with the same code
                row.status = "corrected"
                c.corrected_decision_id = new.id
                cidx = self.events.record(
                    s,
                    DecisionCorrected(
                        actor=principal.ref,
                        time=now,
                        decision_id=row.id,
                        corrected_id=new.id,
                        contest_id=c.id,
                        record_sha256=self._record_sha(new, mv.version),
                    ),
                )
                steps.append({"step": "corrected", "index": cidx})
            c.steps = steps
            if row.subject_user_id is not None:
                word = {"upheld": ("유지", "upheld"), "overturned": ("번복", "overturned")}[result]
                ko, en = M.NOTE_DECIDED
                self.notifier.notify(
                    s,
                    Notice(
                        row.subject_user_id,
                        "ai.contest.decided",
                        (
                            ko.format(ref=row.reference, outcome=word[0]),
                            en.format(ref=row.reference, outcome=word[1]),
                        ),
                        PERSON_LINK.format(ref=row.reference),
                    ),
                )
            return self._contest_info(s, c, now)

    def escalate_overdue(
        self, *, principal: Principal, now: dt.datetime | None = None
    ) -> list[int]:
        """Escalate the open contests past their deadline (once each): a ledger entry, and a
        notice to the admins and the reviewer. Returns the contests escalated now."""
        self._require_admin(principal)
        when = now or utcnow()
        done = []
        with self.db.write_session() as s:
            q = (
                select(AiContest)
                .where(
                    AiContest.status == "open",
                    AiContest.escalated_at.is_(None),
                    AiContest.deadline_at <= when,
                )
                .order_by(AiContest.id)
                .with_for_update(skip_locked=True)
            )
            for c in s.scalars(q):
                row = s.get(AiDecision, c.decision_id)
                assert row is not None
                c.escalated_at = when
                idx = self.events.record(
                    s,
                    ContestEscalated(
                        actor=principal.ref,
                        time=utcnow(),
                        decision_id=row.id,
                        contest_id=c.id,
                        deadline=c.deadline_at.isoformat(),
                    ),
                )
                c.steps = [*c.steps, {"step": "escalated", "index": idx}]
                to = set(self._admins(s)) | ({c.reviewer_id} if c.reviewer_id else set())
                for uid in sorted(to):
                    self._notify(s, uid, "ai.contest.overdue", M.NOTE_OVERDUE, row, c)
                done.append(c.id)
        return done

    def receipt(
        self,
        reference: str,
        *,
        step: str,
        code: str | None = None,
        principal: Principal,
        ledger: Any,
    ) -> dict[str, Any]:
        """The offline-verifiable ledger receipt of one step ("recorded", or a contest's
        "filed", "assigned", "decided", "corrected", "escalated") of the person's decision."""
        with self.db.session() as s:
            row = self._person_decision(s, reference, code, principal, owners_too=True)
            index: int | None = row.ledger_index if step == "recorded" else None
            if step != "recorded":
                for c in s.scalars(
                    select(AiContest).where(AiContest.decision_id == row.id).order_by(AiContest.id)
                ):
                    for st in c.steps:
                        if st.get("step") == step and st.get("index") is not None:
                            index = int(st["index"])
        if index is None:
            raise errors.NotFound(M.MSG_NO_STEP.format(step=step))
        out: dict[str, Any] = ledger.receipt(index)
        return out

    def evidence_digest(
        self, reference: str, digest: str, *, code: str | None = None, principal: Principal
    ) -> str:
        """The blob digest of one evidence file, if the caller may see the decision."""
        with self.db.session() as s:
            row = self._person_decision(s, reference, code, principal, owners_too=True)
            for c in s.scalars(select(AiContest).where(AiContest.decision_id == row.id)):
                if any(f.get("sha256") == digest for f in c.evidence):
                    return digest
        raise errors.NotFound(M.MSG_NO_DECISION)

    # ----- oversight -------------------------------------------------------------------------
    def oversight(self, system: str, *, principal: Principal) -> Oversight:
        """Decisions, contest and overturn rates per group, and open cases past deadline."""
        now = utcnow()
        with self.db.session() as s:
            sysrow = self._system(s, system)
            self._require_overseer(principal, self._org_name(s, sysrow))
            originals = list(
                s.scalars(
                    select(AiDecision).where(
                        AiDecision.system_id == sysrow.id, AiDecision.corrects_id.is_(None)
                    )
                )
            )
            contests: dict[int, list[AiContest]] = {}
            q = (
                select(AiContest)
                .join(AiDecision, AiDecision.id == AiContest.decision_id)
                .where(AiDecision.system_id == sysrow.id)
                .order_by(AiContest.id)
            )
            for c in s.scalars(q):
                contests.setdefault(c.decision_id, []).append(c)
            cases = []
            for d in originals:
                mine = contests.get(d.id, [])
                last = mine[-1] if mine else None
                cases.append(
                    oversight.Case(
                        groups=d.groups,
                        contested=bool(mine),
                        outcome=last.status if last and last.status != "open" else None,
                    )
                )
            open_ = [c for cs in contests.values() for c in cs if c.status == "open"]
            late = sorted(
                (c for c in open_ if rules.overdue(c.deadline_at, now)), key=lambda c: c.deadline_at
            )
            return Oversight(
                sysrow.name,
                oversight.figures(cases),
                tuple(self._contest_info(s, c, now) for c in late),
                len(open_),
            )

    # ----- helpers ---------------------------------------------------------------------------
    def _add_decision(
        self,
        s: Session,
        sysrow: AiSystem,
        mv: AiModelVersion,
        *,
        key: str,
        inputs: Mapping[str, Any],
        input_sha: str,
        output: str,
        score: float | None,
        ex: reasons.Explanation,
        codes: list[str],
        groups: Mapping[str, str],
        subject_user_id: int | None,
        corrects_id: int | None,
        actor: str,
        method: str | None = None,
    ) -> AiDecision:
        row = AiDecision(
            reference=records.new_reference(),
            code_sha256="",
            system_id=sysrow.id,
            model_version_id=mv.id,
            idempotency_key=key,
            input_sha256=input_sha,
            inputs=dict(inputs),
            output=output,
            score=score,
            base_value=ex.base,
            contributions=dict(ex.contributions),
            reason_codes=codes,
            method=method or ex.method,
            groups=dict(groups),
            subject_user_id=subject_user_id,
            status="active",
            corrects_id=corrects_id,
        )
        s.add(row)
        s.flush()
        row.ledger_index = self.events.record(
            s,
            DecisionRecorded(
                actor=actor,
                time=utcnow(),
                system=sysrow.name,
                decision_id=row.id,
                model_version=mv.version,
                input_sha256=input_sha,
                record_sha256=self._record_sha(row, mv.version),
            ),
        )
        return row

    @staticmethod
    def _record_sha(row: AiDecision, model_version: str) -> str:
        return canonical.sha256(
            {
                "reference": row.reference,
                "model_version": model_version,
                "input_sha256": row.input_sha256,
                "output": row.output,
                "score": row.score,
                "base": row.base_value,
                "contributions": row.contributions,
                "reason_codes": row.reason_codes,
                "method": row.method,
            }
        )

    def _assign(self, s: Session, c: AiContest, row: AiDecision, uid: int, actor: str) -> None:
        c.reviewer_id = uid
        idx = self.events.record(
            s,
            ContestAssigned(
                actor=actor,
                time=utcnow(),
                decision_id=row.id,
                contest_id=c.id,
                reviewer=f"user:{uid}",
            ),
        )
        c.steps = [*c.steps, {"step": "assigned", "index": idx}]
        self._notify(s, uid, "ai.contest.assigned", M.NOTE_ASSIGNED, row, c, link=REVIEW_LINK)

    def _notify(
        self,
        s: Session,
        uid: int,
        kind: str,
        pair: tuple[str, str],
        row: AiDecision,
        c: AiContest,
        link: str = REVIEW_LINK,
    ) -> None:
        due = c.deadline_at.astimezone(rules.KST).strftime("%Y-%m-%d %H:%M KST")
        text = (
            pair[0].format(ref=row.reference, deadline=due),
            pair[1].format(ref=row.reference, deadline=due),
        )
        self.notifier.notify(s, Notice(uid, kind, text, link))

    @staticmethod
    def _admins(s: Session) -> list[int]:
        q = select(User.id).where(User.platform_role == "admin", User.is_active.is_(True))
        return list(s.scalars(q.order_by(User.id)))

    def _pick_reviewer(self, s: Session, owner_org: str) -> int | None:
        """The eligible reviewer with the fewest open contests (lowest id on a tie)."""
        role_holders = set(
            s.scalars(select(User.id).where(User.platform_role == rules.REVIEWER_ROLE))
        ) | set(s.scalars(select(Membership.user_id).where(Membership.role == rules.REVIEWER_ROLE)))
        best: tuple[int, int] | None = None
        for uid in sorted(role_holders):
            user = s.get(User, uid)
            if user is None or not user.is_active or not self._eligible(s, user, owner_org):
                continue
            load = (
                s.scalar(
                    select(func.count(AiContest.id)).where(
                        AiContest.reviewer_id == uid, AiContest.status == "open"
                    )
                )
                or 0
            )
            if best is None or load < best[0]:
                best = (load, uid)
        return best[1] if best else None

    @staticmethod
    def _roles(s: Session, user_id: int) -> dict[str, str]:
        q = (
            select(Organization.name, Membership.role)
            .join(Organization, Organization.id == Membership.organization_id)
            .where(Membership.user_id == user_id)
        )
        return {n: r for n, r in s.execute(q)}

    def _eligible(self, s: Session, user: User, owner_org: str) -> bool:
        return user.is_active and rules.may_review(
            user.platform_role, self._roles(s, user.id), owner_org
        )

    @staticmethod
    def _require_admin(p: Principal) -> None:
        if p.kind == "anonymous":
            raise errors.NotAuthenticated(M.MSG_ADMINS_ONLY)
        if not p.is_admin:
            raise errors.PermissionDenied(M.MSG_ADMINS_ONLY)

    @staticmethod
    def _is_reviewer(p: Principal) -> bool:
        return p.platform_role == rules.REVIEWER_ROLE or rules.REVIEWER_ROLE in p.org_roles.values()

    @staticmethod
    def _require_owner(p: Principal, organization: str) -> None:
        if p.kind == "anonymous":
            raise errors.NotAuthenticated(M.MSG_OWNERS_ONLY.format(organization=organization))
        if not (p.is_admin or p.role_in(organization) in EDITORS):
            raise errors.PermissionDenied(M.MSG_OWNERS_ONLY.format(organization=organization))

    @staticmethod
    def _require_overseer(p: Principal, organization: str) -> None:
        if p.kind == "anonymous":
            raise errors.NotAuthenticated(M.MSG_OVERSIGHT_ONLY)
        if not (p.is_admin or p.platform_role == "auditor" or p.role_in(organization) in EDITORS):
            raise errors.PermissionDenied(M.MSG_OVERSIGHT_ONLY)

    @staticmethod
    def _system(s: Session, name: str) -> AiSystem:
        row = s.scalar(select(AiSystem).where(AiSystem.name == name))
        if row is None:
            raise errors.NotFound(M.MSG_NO_SYSTEM.format(name=name))
        return row

    @staticmethod
    def _org_name(s: Session, row: AiSystem) -> str:
        org = s.get(Organization, row.organization_id)
        return org.name if org else ""

    @staticmethod
    def _contest(s: Session, contest_id: int, *, lock: bool = False) -> AiContest:
        q = select(AiContest).where(AiContest.id == contest_id)
        c = s.scalar(q.with_for_update() if lock else q)
        if c is None:
            raise errors.NotFound(M.MSG_NO_CONTEST)
        return c

    def _person_decision(
        self,
        s: Session,
        reference: str,
        code: str | None,
        principal: Principal,
        *,
        owners_too: bool,
    ) -> AiDecision:
        """The decision `reference`, if the caller is its person (by code or account), or one of
        its system's owners (when `owners_too`); otherwise not found, whatever the reason."""
        row = s.scalar(
            select(AiDecision).where(AiDecision.reference == (reference or "").strip().upper())
        )
        if row is None:
            raise errors.NotFound(M.MSG_NO_DECISION)
        if records.code_matches(code, row.code_sha256):
            return row
        if principal.user_id is not None and row.subject_user_id == principal.user_id:
            return row
        if owners_too and principal.kind != "anonymous":
            sysrow = s.get(AiSystem, row.system_id)
            if sysrow is not None and (
                principal.is_admin or principal.role_in(self._org_name(s, sysrow)) in EDITORS
            ):
                return row
        raise errors.NotFound(M.MSG_NO_DECISION)

    @staticmethod
    def _person_actor(p: Principal, row: AiDecision) -> str:
        """The ledger's actor for the person: their user, or the decision's subject by code."""
        if p.user_id is not None and p.user_id == row.subject_user_id:
            return p.ref
        return f"subject:ai-decision:{row.id}"

    def _training_ref(self, s: Session, ref: str) -> TrainingRef:
        name, number = systems.parse_ref(ref)
        v = s.scalar(
            select(Version)
            .join(Dataset, Dataset.id == Version.dataset_id)
            .where(Dataset.name == name, Version.number == number)
        )
        if v is None:
            raise errors.InvalidInput(
                M.MSG_TRAINING_MISSING.format(ref=ref, dataset=name, version=number)
            )
        if v.ledger_index is None:
            raise errors.InvalidInput(M.MSG_TRAINING_NO_ENTRY.format(ref=ref))
        return TrainingRef(name, number, int(v.ledger_index))

    def _system_info(self, s: Session, row: AiSystem) -> SystemInfo:
        versions = s.scalars(
            select(AiModelVersion.version)
            .where(AiModelVersion.system_id == row.id)
            .order_by(AiModelVersion.id)
        )
        return SystemInfo(
            name=row.name,
            organization=self._org_name(s, row),
            title=row.title,
            purpose=row.purpose,
            risk_level=row.risk_level,
            intended_use=row.intended_use,
            limitations=row.limitations,
            metrics=dict(row.metrics),
            training_data=tuple(
                TrainingRef(t["dataset"], int(t["version"]), int(t["ledger_index"]))
                for t in row.training_data
            ),
            reason_codes=dict(row.reason_codes),
            model_versions=tuple(versions),
            ledger_index=row.ledger_index,
            created_at=row.created_at,
        )

    def _contest_info(self, s: Session, c: AiContest, now: dt.datetime) -> ContestInfo:
        row = s.get(AiDecision, c.decision_id)
        assert row is not None
        sysrow = s.get(AiSystem, row.system_id)
        reviewer = s.get(User, c.reviewer_id) if c.reviewer_id is not None else None
        corrected = s.get(AiDecision, c.corrected_decision_id) if c.corrected_decision_id else None
        return ContestInfo(
            id=c.id,
            reference=row.reference,
            system=sysrow.name if sysrow else "",
            status=c.status,
            explanation=c.explanation,
            evidence=tuple(c.evidence),
            reviewer=reviewer.display_name if reviewer else None,
            deadline_at=c.deadline_at,
            overdue=c.status == "open" and rules.overdue(c.deadline_at, now),
            escalated_at=c.escalated_at,
            outcome_reasons=c.outcome_reasons,
            decided_at=c.decided_at,
            corrected_reference=corrected.reference if corrected else None,
            steps=tuple(c.steps),
            created_at=c.created_at,
        )

    def _view(self, s: Session, row: AiDecision, lang: str) -> DecisionView:
        sysrow = s.get(AiSystem, row.system_id)
        mv = s.get(AiModelVersion, row.model_version_id)
        assert sysrow is not None and mv is not None
        corrects = s.get(AiDecision, row.corrects_id) if row.corrects_id else None
        by = s.scalar(select(AiDecision.reference).where(AiDecision.corrects_id == row.id))
        now = utcnow()
        contests = s.scalars(
            select(AiContest).where(AiContest.decision_id == row.id).order_by(AiContest.id)
        )
        return DecisionView(
            reference=row.reference,
            system=sysrow.name,
            system_title=sysrow.title,
            organization=self._org_name(s, sysrow),
            model_version=mv.version,
            method=row.method,
            output=row.output,
            score=row.score,
            base_value=row.base_value,
            contributions=dict(row.contributions),
            reasons=tuple(
                reasons.render(row.reason_codes, sysrow.reason_codes, row.contributions, lang)
            ),
            inputs=dict(row.inputs),
            input_sha256=row.input_sha256,
            status=row.status,
            corrects=corrects.reference if corrects else None,
            corrected_by=by,
            contests=tuple(self._contest_info(s, c, now) for c in contests),
            ledger_index=row.ledger_index,
            created_at=row.created_at,
        )
