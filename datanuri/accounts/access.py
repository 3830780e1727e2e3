"""`AccessControl`: the one place services ask the policy, look up entitlements and write the
access log. Services call `require(...)`; handlers never check permissions themselves.

It knows datasets only as `DatasetAccess` values: the catalog builds them from its rows and
hands over a `DatasetFinder`, so accounts never imports the catalog.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from datanuri import errors
from datanuri.accounts.models import AccessLogEntry, Entitlement
from datanuri.accounts.policy import Action, DatasetAccess, Decision, decide
from datanuri.accounts.principal import Principal
from datanuri.store.db import Database, utcnow


class DatasetFinder(Protocol):
    """Finds a dataset by name (str) or id (int), or returns None."""

    def __call__(self, s: Session, key: str | int, /) -> DatasetAccess | None: ...


class AccessControl:
    def __init__(self, db: Database, *, find_dataset: DatasetFinder) -> None:
        self.db = db
        self.find_dataset = find_dataset

    def dataset(self, s: Session, key: str | int) -> DatasetAccess:
        """The access facts of dataset `key` (name or id); "not found" if there is none."""
        found = self.find_dataset(s, key)
        if found is None:
            raise errors.NotFound(errors.MSG_DATASET_NOT_FOUND.format(name=key))
        return found

    def decide(
        self,
        s: Session,
        p: Principal,
        action: Action,
        *,
        dataset: DatasetAccess | None = None,
        org: str | None = None,
    ) -> Decision:
        if dataset is not None:
            entitled = (
                action == "read_rows"
                and dataset.access_level == "restricted"
                and p.user_id is not None
                and self.entitled(s, p.user_id, dataset.id)
            )
            return decide(
                p,
                action,
                org=dataset.organization,
                access_level=dataset.access_level,
                metadata_public=dataset.metadata_public,
                entitled=entitled,
            )
        return decide(p, action, org=org)

    def require(
        self,
        s: Session,
        p: Principal,
        action: Action,
        *,
        dataset: DatasetAccess | None = None,
        org: str | None = None,
    ) -> None:
        """Raise the right error unless `p` may do `action`."""
        d = self.decide(s, p, action, dataset=dataset, org=org)
        if d.allowed:
            return
        name = dataset.name if dataset is not None else ""
        if d.hide and dataset is not None:
            raise errors.NotFound(errors.MSG_DATASET_NOT_FOUND.format(name=name))
        if d.reason == "personal" and dataset is not None:
            raise errors.PermissionDenied(errors.MSG_PERSONAL_NO_ROWS.format(name=name))
        if d.login_helps:
            raise errors.NotAuthenticated(
                d.reason + " Log in, or send an API token (Authorization: Bearer ...)."
            )
        raise errors.PermissionDenied(d.reason)

    def can(
        self,
        s: Session,
        p: Principal,
        action: Action,
        *,
        dataset: DatasetAccess | None = None,
        org: str | None = None,
    ) -> bool:
        return self.decide(s, p, action, dataset=dataset, org=org).allowed

    @staticmethod
    def entitled(s: Session, user_id: int, dataset_id: int) -> bool:
        """An unrevoked, unexpired entitlement exists now (checked on every request)."""
        now = utcnow()
        q = select(Entitlement.id).where(
            Entitlement.user_id == user_id,
            Entitlement.dataset_id == dataset_id,
            Entitlement.revoked_at.is_(None),
            or_(Entitlement.expires_at.is_(None), Entitlement.expires_at > now),
        )
        return s.scalar(q.limit(1)) is not None

    def log(
        self, p: Principal, dataset: DatasetAccess, version: int | None, action: str, allowed: bool
    ) -> None:
        """Record a read or download (or a refused one) in its own transaction."""
        ds = dataset
        with self.db.session() as s:
            s.add(
                AccessLogEntry(
                    principal=p.name,
                    user_id=p.user_id,
                    organization=ds.organization,
                    dataset=ds.name,
                    version=version,
                    action=action,
                    route=p.via,
                    client=p.client,
                    allowed=allowed,
                )
            )

    def read_log(
        self,
        p: Principal,
        *,
        dataset: str | None = None,
        organization: str | None = None,
        limit: int = 100,
    ) -> list[dict[str, object]]:
        """Access log entries `p` may see: all for admins and auditors, else their organisations'."""
        with self.db.session() as s:
            q = (
                select(AccessLogEntry)
                .order_by(AccessLogEntry.id.desc())
                .limit(max(1, min(limit, 1000)))
            )
            if dataset:
                organization = self.dataset(s, dataset).organization
                q = q.where(AccessLogEntry.dataset == dataset)
            if organization:
                self.require(s, p, "read_access_log", org=organization)
                q = q.where(AccessLogEntry.organization == organization)
            elif p.is_admin or p.platform_role == "auditor":
                self.require(s, p, "read_access_log")
            else:
                orgs = [o for o, r in p.org_roles.items() if r in ("owner", "editor")]
                if not orgs:
                    self.require(s, p, "read_access_log")
                q = q.where(AccessLogEntry.organization.in_(orgs))
            return [
                {
                    "time": e.time.isoformat(),
                    "principal": e.principal,
                    "organization": e.organization,
                    "dataset": e.dataset,
                    "version": e.version,
                    "action": e.action,
                    "route": e.route,
                    "client": e.client,
                    "allowed": e.allowed,
                }
                for e in s.scalars(q)
            ]
