"""`LoginGuard`: runs the anomaly detector (`accounts/anomaly.py`) on logins and token uses
against the stored history, records each event with its verdict, and raises alerts for the user
and the admins."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from datanuri import errors
from datanuri.accounts.access import AccessControl
from datanuri.accounts.anomaly import (
    HISTORY_LIMIT,
    WINDOW,
    Assessment,
    AuthEvent,
    Evidence,
    Thresholds,
    assess,
    evidence_from,
)
from datanuri.accounts.models import AuthEventRow, SecurityAlert
from datanuri.accounts.principal import Principal
from datanuri.store.db import Database

TOKEN_QUIET = dt.timedelta(minutes=1)  # a token seen from the same network this recently: no row
RECENT_LIMIT = 500  # rows per recent-window query (more says the same thing)


@dataclass(frozen=True)
class AlertInfo:
    """A security alert as its user and the admins see it."""

    id: int
    time: str
    email: str
    kind: str
    network: str
    score: int
    reasons: tuple[str, ...]
    verdict: str
    acknowledged: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class LoginGuard:
    def __init__(self, db: Database, access: AccessControl, thresholds: Thresholds) -> None:
        self.db = db
        self.access = access
        self.thresholds = thresholds

    def check(self, s: Session, event: AuthEvent) -> tuple[Assessment, int | None]:
        """Assess `event`, record it (in `s`'s transaction) and alert if it was not allowed;
        returns the assessment and the event's row id (None for a quiet token use)."""
        if event.kind == "token" and self._quiet_token_use(s, event):
            return Assessment(0, (), "allow"), None
        result = assess(event, self._evidence(s, event), self.thresholds)
        row = AuthEventRow(
            time=event.time,
            kind=event.kind,
            email=event.email,
            user_id=event.user_id,
            network=event.network,
            device=event.device,
            success=event.success,
            trusted=event.success and result.verdict == "allow",
            token_id=event.token_id,
            score=result.score,
            reasons=list(result.reasons),
            verdict=result.verdict,
        )
        s.add(row)
        s.flush()
        if result.verdict == "block" or (result.verdict == "step_up" and event.success):
            self._alert(s, event, result, row.id)
        return result, row.id

    def confirm(self, s: Session, event_id: int | None) -> None:
        """The second factor was passed after a step-up: the login joins the user's profile."""
        if event_id is not None and (row := s.get(AuthEventRow, event_id)) is not None:
            row.trusted = True

    def list_alerts(self, p: Principal, *, everyone: bool, limit: int = 100) -> list[AlertInfo]:
        """Alerts, newest first: the caller's own, or (admins and auditors) everyone's."""
        if p.kind != "user" and not p.is_admin:
            raise errors.NotAuthenticated("Log in to see your security alerts.")
        with self.db.session() as s:
            q = select(SecurityAlert).order_by(SecurityAlert.id.desc())
            if everyone:
                self.access.require(s, p, "read_security_alerts")
            else:
                q = q.where(SecurityAlert.user_id == (p.user_id or -1))
            rows = s.scalars(q.limit(max(1, min(limit, 1000))))
            return [_alert_info(a) for a in rows]

    # ----- helpers -------------------------------------------------------------------------
    def _quiet_token_use(self, s: Session, event: AuthEvent) -> bool:
        last = s.scalar(
            select(AuthEventRow)
            .where(
                AuthEventRow.kind == "token",
                AuthEventRow.token_id == event.token_id,
                AuthEventRow.trusted.is_(True),
            )
            .order_by(AuthEventRow.time.desc())
            .limit(1)
        )
        return (
            last is not None
            and last.network == event.network
            and event.time - last.time < TOKEN_QUIET
        )

    def _evidence(self, s: Session, event: AuthEvent) -> Evidence:
        since = event.time - WINDOW
        queries = []
        if event.kind == "login":
            if event.user_id is not None:
                queries.append(
                    select(AuthEventRow)
                    .where(
                        AuthEventRow.user_id == event.user_id,
                        AuthEventRow.kind == "login",
                        AuthEventRow.trusted.is_(True),
                    )
                    .order_by(AuthEventRow.time.desc())
                    .limit(HISTORY_LIMIT)
                )
            queries.append(
                select(AuthEventRow)
                .where(
                    AuthEventRow.kind == "login",
                    AuthEventRow.time >= since,
                    or_(AuthEventRow.email == event.email, AuthEventRow.network == event.network),
                )
                .order_by(AuthEventRow.time.desc())
                .limit(RECENT_LIMIT)
            )
        else:
            queries.append(
                select(AuthEventRow)
                .where(
                    AuthEventRow.kind == "token",
                    AuthEventRow.token_id == event.token_id,
                    AuthEventRow.trusted.is_(True),
                    AuthEventRow.time >= since,
                )
                .limit(RECENT_LIMIT)
            )
        rows: dict[int, AuthEvent] = {}
        for q in queries:
            for r in s.scalars(q):
                rows[r.id] = _event_of(r)
        return evidence_from(event, rows.values())

    def _alert(self, s: Session, event: AuthEvent, result: Assessment, event_id: int) -> None:
        """One alert per account (or, for unknown accounts, per network) and verdict per window."""
        who = (
            SecurityAlert.user_id == event.user_id
            if event.user_id is not None
            else (SecurityAlert.user_id.is_(None) & (SecurityAlert.network == event.network))
        )
        recent = s.scalar(
            select(SecurityAlert.id)
            .where(
                who,
                SecurityAlert.verdict == result.verdict,
                SecurityAlert.time >= event.time - WINDOW,
            )
            .limit(1)
        )
        if recent is not None:
            return
        s.add(
            SecurityAlert(
                time=event.time,
                user_id=event.user_id,
                email=event.email,
                event_id=event_id,
                kind=event.kind,
                network=event.network,
                score=result.score,
                reasons=list(result.reasons),
                verdict=result.verdict,
            )
        )


def _event_of(r: AuthEventRow) -> AuthEvent:
    return AuthEvent(
        time=r.time,
        kind="token" if r.kind == "token" else "login",
        email=r.email,
        network=r.network,
        device=r.device,
        user_id=r.user_id,
        success=r.success,
        token_id=r.token_id,
        trusted=r.trusted,
    )


def _alert_info(a: SecurityAlert) -> AlertInfo:
    return AlertInfo(
        a.id,
        a.time.isoformat(),
        a.email,
        a.kind,
        a.network,
        a.score,
        tuple(a.reasons),
        a.verdict,
        a.acknowledged_at is not None,
    )
