"""In-app notifications: the `Notifier` seam services send notices through, its in-app
implementation (a row per notice, written in the sender's transaction), and the reading side.

E-mail and signed webhooks are further `Notifier`s (`datanuri.notify`: the platform hands
services a fan-out over all of them); senders do not change. A notice that other systems should
hear of carries an `Event` (a kind and a JSON payload): the webhook channel sends only those.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from datanuri import errors
from datanuri.accounts.principal import Principal
from datanuri.accounts.request_tables import Notification
from datanuri.store.db import Database, utcnow

MSG_LOGIN = "Log in to see your notifications."
LIST_LIMIT = 50


@dataclass(frozen=True)
class Event:
    """What a notice tells other systems (a webhook event): a kind such as
    "desk.request.created", a JSON-serialisable payload, and optionally the organisation whose
    webhook endpoints hear of it too. `key` names the happening: the same `Event` handed in the
    notices of several users reaches an organisation's endpoint once."""

    kind: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    org: str | None = None
    key: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass(frozen=True)
class Notice:
    """One message for one user: a kind, its text as (Korean, English), a link on the site, and
    optionally the `Event` webhooks send for it."""

    user_id: int
    kind: str
    text: tuple[str, str]
    link: str
    event: Event | None = None


class Notifier(Protocol):
    def notify(self, s: Session, notice: Notice) -> None:
        """Send `notice` as part of the transaction of `s` (nothing is sent if it rolls back)."""


class InAppNotifier:
    """Keeps each notice as a `notifications` row the user sees on their account page."""

    def notify(self, s: Session, notice: Notice) -> None:
        s.add(
            Notification(
                user_id=notice.user_id,
                kind=notice.kind,
                text_ko=notice.text[0],
                text_en=notice.text[1],
                link=notice.link,
            )
        )


@dataclass(frozen=True)
class NotificationInfo:
    id: int
    kind: str
    text_ko: str
    text_en: str
    link: str
    read: bool
    created_at: dt.datetime

    def text(self, lang: str) -> str:
        return self.text_ko if lang == "ko" else self.text_en


class Notifications:
    """A user's own notifications: list them, count the unread, mark them read."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _user(principal: Principal) -> int:
        if principal.kind != "user" or principal.user_id is None:
            raise errors.NotAuthenticated(MSG_LOGIN)
        return principal.user_id

    def list(self, *, principal: Principal, limit: int = LIST_LIMIT) -> list[NotificationInfo]:
        """The newest notifications of the caller, unread ones included."""
        uid = self._user(principal)
        with self.db.session() as s:
            rows = s.scalars(
                select(Notification)
                .where(Notification.user_id == uid)
                .order_by(Notification.id.desc())
                .limit(max(1, min(limit, 500)))
            )
            return [
                NotificationInfo(
                    n.id, n.kind, n.text_ko, n.text_en, n.link, n.read_at is not None, n.created_at
                )
                for n in rows
            ]

    def unread(self, *, principal: Principal) -> int:
        if principal.kind != "user" or principal.user_id is None:
            return 0
        with self.db.session() as s:
            q = select(func.count(Notification.id)).where(
                Notification.user_id == principal.user_id, Notification.read_at.is_(None)
            )
            return int(s.scalar(q) or 0)

    def mark_read(self, *, principal: Principal) -> int:
        """Mark all of the caller's notifications read; returns how many were unread."""
        uid = self._user(principal)
        with self.db.session() as s:
            done = s.execute(
                update(Notification)
                .where(Notification.user_id == uid, Notification.read_at.is_(None))
                .values(read_at=utcnow())
            )
            return int(getattr(done, "rowcount", 0) or 0)
