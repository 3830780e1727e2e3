"""문의/오류 신고: questions and error reports about a dataset, sent by logged-in users to the
holder, listed for the holder organisation's editors, who answer or close them.

Only logged-in users may send one (an account to answer, and no anonymous spam channel into
an agency); the web rate limit (web/guard.py) bounds how fast a client calls, and a user sends
at most `PER_HOUR` in an hour. The sender sees their own
reports; the editors of the holder see all of the dataset's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datanuri import errors
from datanuri.accounts.access import AccessControl
from datanuri.accounts.models import User
from datanuri.accounts.principal import Principal
from datanuri.catalog.fields import check_text
from datanuri.catalog.models import Dataset, Feedback
from datanuri.store.db import Database, utcnow

Kind = Literal["question", "error"]
Status = Literal["open", "answered", "closed"]
KINDS: dict[str, tuple[str, str]] = {
    "question": ("문의", "Question"),
    "error": ("오류 신고", "Error report"),
}
STATUSES: dict[str, tuple[str, str]] = {
    "open": ("접수", "Open"),
    "answered": ("답변 완료", "Answered"),
    "closed": ("종료", "Closed"),
}
MAX_TEXT = 4_000
MAX_ANSWER = 4_000
PER_HOUR = 10  # feedback one user may send in an hour, on top of the web's per-client limit

MSG_LOGIN = "Log in to send a question or an error report, so the holder can answer you."
MSG_KIND = "A feedback kind is 'question' (문의) or 'error' (오류 신고); got {kind!r}."
MSG_STATUS = "A feedback status is open, answered or closed; got {status!r}."
MSG_EMPTY = "Write what you want to ask or report; the text is empty."
MSG_LONG = "The text is too long ({n:,} characters); keep it to {limit:,}."
MSG_NOT_FOUND = "There is no feedback #{id} on a dataset you manage."
MSG_TOO_MANY = (
    "You sent {n} questions or reports in the last hour, the most we take; try again later."
)


@dataclass(frozen=True)
class FeedbackInfo:
    id: int
    dataset: str
    dataset_title: str
    kind: str
    text: str
    contact: str
    status: str
    answer: str
    sender: str  # the sender's display name, never an id
    created_at: dt.datetime
    updated_at: dt.datetime


def _bounded(text: str, field: str, limit: int) -> str:
    text = check_text(str(text or ""), "description").strip()
    if len(text) > limit:
        raise errors.InvalidInput(MSG_LONG.format(n=len(text), limit=limit))
    return text


def _info(f: Feedback, ds: Dataset, sender: str) -> FeedbackInfo:
    return FeedbackInfo(
        f.id,
        ds.name,
        ds.title,
        f.kind,
        f.text,
        f.contact,
        f.status,
        f.answer,
        sender,
        f.created_at,
        f.updated_at,
    )


class FeedbackService:
    def __init__(self, db: Database, access: AccessControl) -> None:
        self.db = db
        self.access = access

    def send(
        self, name: str, *, kind: str, text: str, contact: str = "", principal: Principal
    ) -> FeedbackInfo:
        """Store a question or error report about dataset `name` from a logged-in user."""
        if principal.user_id is None:
            raise errors.NotAuthenticated(MSG_LOGIN)
        if kind not in KINDS:
            raise errors.InvalidInput(MSG_KIND.format(kind=kind))
        text = _bounded(text, "text", MAX_TEXT)
        if not text:
            raise errors.InvalidInput(MSG_EMPTY)
        contact = check_text(str(contact or ""), "contact_email").strip()
        with self.db.session() as s:
            ds = self._seen(s, name, principal)
            since = utcnow() - dt.timedelta(hours=1)
            recent = s.scalar(
                select(func.count())
                .select_from(Feedback)
                .where(Feedback.user_id == principal.user_id, Feedback.created_at >= since)
            )
            if (recent or 0) >= PER_HOUR:
                raise errors.RateLimited(MSG_TOO_MANY.format(n=recent), retry_after=3600)
            f = Feedback(
                dataset_id=ds.id, user_id=principal.user_id, kind=kind, text=text, contact=contact
            )
            s.add(f)
            s.flush()
            return _info(f, ds, self._sender(s, principal.user_id))

    def for_editor(self, *, principal: Principal, status: str | None = None) -> list[FeedbackInfo]:
        """Feedback on every dataset `principal` may publish to, newest first."""
        with self.db.session() as s:
            q = (
                select(Feedback, Dataset, User.display_name)
                .join(Dataset, Dataset.id == Feedback.dataset_id)
                .join(User, User.id == Feedback.user_id)
                .order_by(Feedback.created_at.desc(), Feedback.id.desc())
            )
            if status is not None:
                q = q.where(Feedback.status == status)
            return [
                _info(f, ds, sender)
                for f, ds, sender in s.execute(q).all()
                if self.access.can(s, principal, "publish", dataset=ds.as_access())
            ]

    def mine(self, name: str, *, principal: Principal) -> list[FeedbackInfo]:
        """What the caller sent about dataset `name`, with the holder's answers."""
        if principal.user_id is None:
            return []
        with self.db.session() as s:
            ds = self._seen(s, name, principal)
            rows = s.scalars(
                select(Feedback)
                .where(Feedback.dataset_id == ds.id, Feedback.user_id == principal.user_id)
                .order_by(Feedback.id.desc())
            ).all()
            sender = self._sender(s, principal.user_id)
            return [_info(f, ds, sender) for f in rows]

    def handle(
        self, feedback_id: int, *, status: str, answer: str | None = None, principal: Principal
    ) -> FeedbackInfo:
        """Mark a feedback answered or closed (or open again), with the holder's answer."""
        if status not in STATUSES:
            raise errors.InvalidInput(MSG_STATUS.format(status=status))
        with self.db.session() as s:
            row = s.execute(
                select(Feedback, Dataset)
                .join(Dataset, Dataset.id == Feedback.dataset_id)
                .where(Feedback.id == feedback_id)
                .with_for_update()
            ).first()
            if row is None or not self.access.can(
                s, principal, "publish", dataset=row[1].as_access()
            ):
                raise errors.NotFound(MSG_NOT_FOUND.format(id=feedback_id))
            f, ds = row
            f.status = status
            if answer is not None:
                f.answer = _bounded(answer, "answer", MAX_ANSWER)
            f.handled_by = principal.ref
            f.updated_at = utcnow()
            s.flush()
            return _info(f, ds, self._sender(s, f.user_id))

    def _seen(self, s: Session, name: str, principal: Principal) -> Dataset:
        ds = s.scalar(select(Dataset).where(Dataset.name == name))
        if ds is None:
            raise errors.NotFound(errors.MSG_DATASET_NOT_FOUND.format(name=name))
        self.access.require(s, principal, "read_metadata", dataset=ds.as_access())
        return ds

    @staticmethod
    def _sender(s: Session, user_id: int) -> str:
        return s.scalar(select(User.display_name).where(User.id == user_id)) or ""
