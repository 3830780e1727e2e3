"""Access requests ("이용 신청"): a user asks the holder of a restricted dataset for access, with a
purpose and a period; the holder's editors and owners approve (an entitlement with an expiry)
or refuse (with a reason); the requester may withdraw while it waits.

Each step is recorded in the ledger and notifies the other side in the same transaction as the
change. The purpose and reasons may be personal: the ledger keeps only their SHA-256. Datasets
are known only as `DatasetAccess` values, found through `AccessControl`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from datanuri import canonical, errors
from datanuri.accounts import request_messages as M
from datanuri.accounts import request_rules as rules
from datanuri.accounts.access import AccessControl
from datanuri.accounts.models import Entitlement, Membership, Organization, User
from datanuri.accounts.notifications import Notice, Notifier
from datanuri.accounts.policy import EDITORS, DatasetAccess
from datanuri.accounts.principal import Principal
from datanuri.accounts.request_tables import AccessRequest
from datanuri.accounts.service import AccountService
from datanuri.events import (
    AccessApproved,
    AccessRefused,
    AccessRequested,
    AccessWithdrawn,
    EventSink,
)
from datanuri.store.db import Database, lock_name, utcnow

STATUSES = ("pending", "approved", "refused", "withdrawn", "expired", "revoked")
HOLDER_LINK = "/console/requests"
REQUESTER_LINK = "/account#requests-h"


@dataclass(frozen=True)
class RequestInfo:
    """One access request as its requester and the holder see it (status as of now)."""

    id: int
    dataset: str
    organization: str
    requester: str  # display name
    requester_email: str
    purpose: str
    days: int
    status: str  # one of STATUSES
    reason: str | None
    decided_by: str | None  # display name
    created_at: dt.datetime
    decided_at: dt.datetime | None
    expires_at: dt.datetime | None
    entitlement_id: int | None


@dataclass(frozen=True)
class Standing:
    """A caller's position towards one dataset's rows."""

    state: Literal["open", "personal", "login", "allowed", "pending", "can_request"]
    request: RequestInfo | None = None  # the waiting request ("pending")
    expires_at: dt.datetime | None = None  # when an entitlement ends ("allowed" by one)


class AccessRequests:
    def __init__(
        self,
        db: Database,
        events: EventSink,
        access: AccessControl,
        accounts: AccountService,
        notifier: Notifier,
    ) -> None:
        self.db = db
        self.events = events
        self.access = access
        self.accounts = accounts
        self.notifier = notifier

    # ----- the requester ---------------------------------------------------------------------
    def request(
        self,
        dataset: str,
        *,
        purpose: str,
        days: int = rules.DEFAULT_DAYS,
        principal: Principal,
    ) -> RequestInfo:
        """Ask for access to restricted `dataset` for `days`; the holders are notified."""
        purpose = rules.clean_purpose(purpose)
        rules.check_days(days)
        with self.db.write_session() as s:
            ds = self.access.dataset(s, dataset)
            self.access.require(s, principal, "read_metadata", dataset=ds)
            self.access.require(s, principal, "request_access", dataset=ds)
            assert principal.user_id is not None
            uid = principal.user_id
            if ds.access_level == "personal":
                raise errors.PermissionDenied(M.MSG_PERSONAL[1])
            if ds.access_level != "restricted":
                raise errors.Conflict(M.MSG_NOT_RESTRICTED[1])
            if (
                principal.role_in(ds.organization)
                or principal.is_admin
                or self.access.entitled(s, uid, ds.id)
            ):
                raise errors.Conflict(M.MSG_ALREADY_ALLOWED[1])
            lock_name(s, f"access-request:{ds.id}:{uid}")  # PostgreSQL: one pending at a time
            if self._pending(s, ds.id, uid) is not None:
                raise errors.Conflict(M.MSG_DUPLICATE[1])
            row = AccessRequest(
                dataset_id=ds.id,
                user_id=uid,
                purpose=purpose,
                requested_days=days,
                status="pending",
            )
            s.add(row)
            s.flush()
            self.events.record(
                s,
                AccessRequested(
                    actor=principal.ref,
                    time=utcnow(),
                    dataset=ds.name,
                    request_id=row.id,
                    user_id=uid,
                    purpose_sha256=canonical.sha256_text(purpose),
                    days=days,
                ),
            )
            user = s.get(User, uid)
            name = user.display_name if user else ""
            ko, en = (x.format(user=name, dataset=ds.name, days=days) for x in M.NOTE_NEW)
            for holder in self._holders(s, ds.organization):
                self.notifier.notify(s, Notice(holder, "access.requested", (ko, en), HOLDER_LINK))
            return self._info(s, row, ds)

    def withdraw(self, request_id: int, *, principal: Principal) -> RequestInfo:
        """Withdraw one's own pending request."""
        with self.db.write_session() as s:
            row, ds = self._load(s, request_id, principal)
            if row.user_id != principal.user_id:
                raise errors.PermissionDenied(M.MSG_NOT_YOURS[1])
            self._decide(s, row, ds, "withdrawn", None, principal)
            self.events.record(
                s,
                AccessWithdrawn(
                    actor=principal.ref,
                    time=utcnow(),
                    dataset=ds.name,
                    request_id=row.id,
                    user_id=row.user_id,
                    reason_sha256=None,
                ),
            )
            return self._info(s, row, ds)

    def mine(self, *, principal: Principal) -> list[RequestInfo]:
        """The caller's own requests, newest first."""
        if principal.kind != "user" or principal.user_id is None:
            raise errors.NotAuthenticated(M.MSG_LOGIN[1])
        with self.db.session() as s:
            rows = s.scalars(
                select(AccessRequest)
                .where(AccessRequest.user_id == principal.user_id)
                .order_by(AccessRequest.id.desc())
            )
            return [self._info(s, r, self.access.dataset(s, r.dataset_id)) for r in rows]

    def standing(self, dataset: str, *, principal: Principal) -> Standing:
        """Where the caller stands with `dataset`: whether they can read its rows, have a request
        waiting, or may ask (what the "이용 신청" page shows)."""
        with self.db.session() as s:
            ds = self.access.dataset(s, dataset)
            self.access.require(s, principal, "read_metadata", dataset=ds)
            if ds.access_level != "restricted":
                return Standing("personal" if ds.access_level == "personal" else "open")
            if principal.kind != "user" or principal.user_id is None:
                return Standing("login")
            uid = principal.user_id
            if principal.role_in(ds.organization) or principal.is_admin:
                return Standing("allowed")
            if self.access.entitled(s, uid, ds.id):
                return Standing("allowed", expires_at=self._entitled_until(s, uid, ds.id))
            row = self._pending(s, ds.id, uid)
            if row is not None:
                return Standing("pending", request=self._info(s, row, ds))
            return Standing("can_request")

    # ----- the holder ------------------------------------------------------------------------
    def for_holder(
        self, *, principal: Principal, status: str | None = "pending"
    ) -> list[RequestInfo]:
        """Requests for datasets the caller may decide on (their organisations as editor or
        owner; every organisation for admins), oldest pending first."""
        if status is not None and status not in ("pending", "approved", "refused", "withdrawn"):
            raise errors.InvalidInput(f"Status must be one of {', '.join(STATUSES[:4])}.")
        with self.db.session() as s:
            q = select(AccessRequest).order_by(AccessRequest.id)
            if status is not None:
                q = q.where(AccessRequest.status == status)
            out = []
            for r in s.scalars(q):
                ds = self.access.dataset(s, r.dataset_id)
                if self._may_decide(principal, ds.organization):
                    out.append(self._info(s, r, ds))
            if not out and not self._holds_any(principal):
                self.access.require(s, principal, "decide_access", org="")
            return out

    def approve(
        self,
        request_id: int,
        *,
        expires_on: dt.date | None = None,
        reason: str | None = None,
        principal: Principal,
    ) -> RequestInfo:
        """Approve: entitle the requester until the end of `expires_on` (Korean time), or for the
        requested period; the requester is notified."""
        note = rules.clean_reason(reason, required=False)
        with self.db.write_session() as s:
            row, ds = self._load(s, request_id, principal)
            self.access.require(s, principal, "decide_access", org=ds.organization)
            if ds.access_level != "restricted":
                raise errors.Conflict(M.MSG_NO_LONGER_RESTRICTED[1])
            ends = rules.expiry(expires_on, days=row.requested_days, now=utcnow())
            self._decide(s, row, ds, "approved", note, principal)
            row.expires_at = ends
            row.entitlement_id = self.accounts.add_entitlement(
                s, row.user_id, ds, expires_at=ends, source="request", principal=principal
            )
            self.events.record(
                s,
                AccessApproved(
                    actor=principal.ref,
                    time=utcnow(),
                    dataset=ds.name,
                    request_id=row.id,
                    user_id=row.user_id,
                    reason_sha256=canonical.sha256_text(note) if note else None,
                    expires_at=ends,
                ),
            )
            ko, en = M.NOTE_APPROVED
            fmt = {
                "dataset": ds.name,
                "date_ko": rules.korean_date(ends),
                "date_en": rules.english_date(ends),
            }
            self.notifier.notify(
                s,
                Notice(
                    row.user_id,
                    "access.approved",
                    (ko.format(**fmt), en.format(**fmt)),
                    f"/datasets/{ds.name}",
                ),
            )
            return self._info(s, row, ds)

    def refuse(self, request_id: int, *, reason: str, principal: Principal) -> RequestInfo:
        """Refuse, with a reason the requester is told."""
        why = rules.clean_reason(reason, required=True)
        assert why is not None
        with self.db.write_session() as s:
            row, ds = self._load(s, request_id, principal)
            self.access.require(s, principal, "decide_access", org=ds.organization)
            self._decide(s, row, ds, "refused", why, principal)
            self.events.record(
                s,
                AccessRefused(
                    actor=principal.ref,
                    time=utcnow(),
                    dataset=ds.name,
                    request_id=row.id,
                    user_id=row.user_id,
                    reason_sha256=canonical.sha256_text(why),
                ),
            )
            ko, en = M.NOTE_REFUSED
            self.notifier.notify(
                s,
                Notice(
                    row.user_id,
                    "access.refused",
                    (
                        ko.format(dataset=ds.name, reason=why),
                        en.format(dataset=ds.name, reason=why),
                    ),
                    REQUESTER_LINK,
                ),
            )
            return self._info(s, row, ds)

    # ----- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _may_decide(p: Principal, organization: str) -> bool:
        """The role `decide_access` asks for (its scope is checked where a decision is made)."""
        return p.is_admin or p.role_in(organization) in EDITORS

    @staticmethod
    def _holds_any(p: Principal) -> bool:
        return p.is_admin or any(r in EDITORS for r in p.org_roles.values())

    @staticmethod
    def _entitled_until(s: Session, user_id: int, dataset_id: int) -> dt.datetime | None:
        """The latest end among the user's live entitlements to the dataset (None: no end)."""
        ends = list(
            s.scalars(
                select(Entitlement.expires_at).where(
                    Entitlement.user_id == user_id,
                    Entitlement.dataset_id == dataset_id,
                    Entitlement.revoked_at.is_(None),
                )
            )
        )
        return None if not ends or None in ends else max(e for e in ends if e is not None)

    @staticmethod
    def _pending(s: Session, dataset_id: int, user_id: int) -> AccessRequest | None:
        return s.scalar(
            select(AccessRequest).where(
                AccessRequest.dataset_id == dataset_id,
                AccessRequest.user_id == user_id,
                AccessRequest.status == "pending",
            )
        )

    def _load(
        self, s: Session, request_id: int, principal: Principal
    ) -> tuple[AccessRequest, DatasetAccess]:
        """The request (locked on PostgreSQL) and its dataset; "not found" unless the caller is
        its requester or may decide it, so request ids reveal nothing to others."""
        row = s.scalar(
            select(AccessRequest).where(AccessRequest.id == request_id).with_for_update()
        )
        if row is None:
            raise errors.NotFound(M.MSG_NO_REQUEST[1])
        ds = self.access.dataset(s, row.dataset_id)
        if principal.user_id is not None and row.user_id == principal.user_id:
            return row, ds
        if principal.kind == "anonymous":
            raise errors.NotAuthenticated(M.MSG_LOGIN[1])
        if not self._may_decide(principal, ds.organization):
            raise errors.NotFound(M.MSG_NO_REQUEST[1])
        self.access.require(s, principal, "decide_access", org=ds.organization)  # the scope
        return row, ds

    @staticmethod
    def _decide(
        s: Session,
        row: AccessRequest,
        ds: DatasetAccess,
        status: str,
        reason: str | None,
        principal: Principal,
    ) -> None:
        if row.status != "pending":
            raise errors.Conflict(M.MSG_NOT_PENDING[1])
        row.status = status
        row.reason = reason
        row.decided_by = principal.user_id
        row.decided_at = utcnow()

    @staticmethod
    def _holders(s: Session, organization: str) -> list[int]:
        """The users who may decide requests for `organization`'s datasets (its editors and
        owners)."""
        q = (
            select(Membership.user_id)
            .join(Organization, Organization.id == Membership.organization_id)
            .where(Organization.name == organization, Membership.role.in_(EDITORS))
            .order_by(Membership.user_id)
        )
        return list(s.scalars(q))

    @staticmethod
    def _info(s: Session, row: AccessRequest, ds: DatasetAccess) -> RequestInfo:
        user = s.get(User, row.user_id)
        decider = s.get(User, row.decided_by) if row.decided_by is not None else None
        revoked = False
        if row.entitlement_id is not None:
            ent = s.get(Entitlement, row.entitlement_id)
            revoked = ent is not None and ent.revoked_at is not None
        return RequestInfo(
            id=row.id,
            dataset=ds.name,
            organization=ds.organization,
            requester=user.display_name if user else "",
            requester_email=user.email if user else "",
            purpose=row.purpose,
            days=row.requested_days,
            status=rules.status_now(row.status, row.expires_at, revoked, utcnow()),
            reason=row.reason,
            decided_by=decider.display_name if decider else None,
            created_at=row.created_at,
            decided_at=row.decided_at,
            expires_at=row.expires_at,
            entitlement_id=row.entitlement_id,
        )
