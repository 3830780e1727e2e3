"""Managing the channels: webhook endpoints (register with a secret shown once, list, remove,
enable again, ping, read the delivery log) and each user's e-mail preference.

Who may manage an endpoint: a user their own; an organisation's owners the organisation's;
admins (and the machine's CLI) all. An endpoint the caller may not manage is not found.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from datanuri import errors
from datanuri.accounts.models import Organization, User
from datanuri.accounts.principal import Principal
from datanuri.accounts.secrets import seal
from datanuri.notify import messages as M
from datanuri.notify.channels import email_wanted, event_body, message_id, queue_delivery
from datanuri.notify.deliver import sealing_context
from datanuri.notify.models import Delivery, NotificationSetting, WebhookEndpoint
from datanuri.notify.settings import ChannelSettings, clean_kinds
from datanuri.notify.signing import new_secret
from datanuri.notify.urls import Resolver, check_url, resolve
from datanuri.store.db import Database, utcnow

PING = "webhook.ping"
DELIVERY_LIMIT = 50


@dataclass(frozen=True)
class EndpointInfo:
    id: int
    url: str
    kinds: list[str]  # [] = every kind
    description: str
    owner: str  # "user:<id>" or "org:<name>"
    enabled: bool
    failures: int  # failed attempts in a row
    disabled_reason: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class NewEndpoint:
    """A registered endpoint and its secret: shown this once, never again."""

    endpoint: EndpointInfo
    secret: str


@dataclass(frozen=True)
class DeliveryInfo:
    id: int
    endpoint_id: int | None
    message_id: str
    kind: str
    status: str  # pending | delivered | failed
    attempts: int
    response_status: int | None
    last_error: str | None
    created_at: dt.datetime
    last_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None


@dataclass(frozen=True)
class Preferences:
    """A user's channels besides the in-app list (always on)."""

    email: bool


def _delivery_info(d: Delivery) -> DeliveryInfo:
    return DeliveryInfo(
        d.id,
        d.endpoint_id,
        d.message_id,
        d.kind,
        d.status,
        d.attempts,
        d.response_status,
        d.last_error,
        d.created_at,
        d.last_attempt_at,
        d.delivered_at,
    )


def _user_id(principal: Principal) -> int:
    if principal.kind != "user" or principal.user_id is None:
        raise errors.NotAuthenticated(M.LOGIN)
    return principal.user_id


class WebhookService:
    """Webhook endpoints and the delivery log, under the owner rules above."""

    def __init__(
        self, db: Database, settings: ChannelSettings, key: bytes, *, resolver: Resolver = resolve
    ) -> None:
        self.db = db
        self.settings = settings
        self.key = key
        self.resolver = resolver

    # ----- rights ---------------------------------------------------------------------------
    @staticmethod
    def _owned_orgs(principal: Principal) -> list[str]:
        return [org for org, role in principal.org_roles.items() if role == "owner"]

    def _manageable(self, principal: Principal) -> ColumnElement[bool] | None:
        """The endpoints `principal` may manage, as a condition (None: all of them)."""
        if principal.is_admin:
            return None
        if principal.kind != "user" or principal.user_id is None:
            raise errors.NotAuthenticated(M.LOGIN)
        orgs = select(Organization.id).where(Organization.name.in_(self._owned_orgs(principal)))
        return or_(
            WebhookEndpoint.user_id == principal.user_id,
            WebhookEndpoint.organization_id.in_(orgs),
        )

    def _select(self, principal: Principal) -> Select[WebhookEndpoint, str]:
        """The endpoints `principal` may manage, each with its organisation's name (or None)."""
        q = select(WebhookEndpoint, Organization.name).outerjoin(
            Organization, Organization.id == WebhookEndpoint.organization_id
        )
        rule = self._manageable(principal)
        return q if rule is None else q.where(rule)

    def _load(
        self, s: Session, endpoint_id: int, principal: Principal
    ) -> tuple[WebhookEndpoint, str | None]:
        found = s.execute(self._select(principal).where(WebhookEndpoint.id == endpoint_id)).first()
        if found is None:
            raise errors.NotFound(M.NO_ENDPOINT.format(id=endpoint_id))
        return found[0], found[1]

    @staticmethod
    def _info(ep: WebhookEndpoint, org: str | None) -> EndpointInfo:
        return EndpointInfo(
            ep.id,
            ep.url,
            list(ep.kinds or []),
            ep.description,
            f"org:{org}" if ep.organization_id is not None else f"user:{ep.user_id}",
            ep.enabled,
            ep.failures,
            ep.disabled_reason,
            ep.created_at,
        )

    # ----- endpoints ------------------------------------------------------------------------
    def create(
        self,
        url: str,
        *,
        kinds: Iterable[str] = (),
        description: str = "",
        organization: str | None = None,
        for_email: str | None = None,
        principal: Principal,
    ) -> NewEndpoint:
        """Register `url` for the caller (or `organization`, which the caller owns; or the user
        `for_email`, for admins) and return it with its new secret."""
        target = check_url(url, self.settings.urls, resolver=self.resolver)
        wanted = clean_kinds(kinds)
        with self.db.session() as s:
            user_id: int | None = None
            org_id: int | None = None
            if organization is not None:
                org_id = s.scalar(select(Organization.id).where(Organization.name == organization))
                if org_id is None:
                    raise errors.NotFound(M.NO_ORG.format(org=organization))
                if not principal.is_admin and principal.role_in(organization) != "owner":
                    _user_id(principal)
                    raise errors.PermissionDenied(M.NOT_OWNER.format(org=organization))
            elif for_email is not None and principal.is_admin:
                user_id = s.scalar(select(User.id).where(User.email == for_email.strip().lower()))
                if user_id is None:
                    raise errors.NotFound(M.NO_ADDRESS)
            else:
                user_id = _user_id(principal)
            owner = (
                WebhookEndpoint.organization_id == org_id
                if org_id is not None
                else WebhookEndpoint.user_id == user_id
            )
            count = s.scalar(select(func.count(WebhookEndpoint.id)).where(owner)) or 0
            if count >= self.settings.max_endpoints:
                raise errors.Conflict(M.TOO_MANY.format(limit=self.settings.max_endpoints))
            secret = new_secret()
            ep = WebhookEndpoint(
                user_id=user_id,
                organization_id=org_id,
                url=target,
                kinds=wanted,
                description=description.strip()[:200],
                secret_sealed="",
                enabled=True,
                failures=0,
                created_by=principal.ref,
            )
            s.add(ep)
            s.flush()
            ep.secret_sealed = seal(self.key, secret, context=sealing_context(ep.id))
            return NewEndpoint(self._info(ep, organization), secret)

    def find(self, *, principal: Principal) -> list[EndpointInfo]:
        """The endpoints the caller may manage, oldest first."""
        with self.db.session() as s:
            q = self._select(principal).order_by(WebhookEndpoint.id)
            return [self._info(ep, org) for ep, org in s.execute(q)]

    def get(self, endpoint_id: int, *, principal: Principal) -> EndpointInfo:
        with self.db.session() as s:
            return self._info(*self._load(s, endpoint_id, principal))

    def delete(self, endpoint_id: int, *, principal: Principal) -> EndpointInfo:
        """Remove an endpoint and its delivery log (its pending deliveries are not sent)."""
        with self.db.session() as s:
            ep, org = self._load(s, endpoint_id, principal)
            info = self._info(ep, org)
            s.execute(delete(Delivery).where(Delivery.endpoint_id == ep.id))
            s.delete(ep)
            return info

    def enable(self, endpoint_id: int, *, principal: Principal) -> EndpointInfo:
        """Turn a disabled endpoint on again, its failure count reset (after fixing it)."""
        with self.db.session() as s:
            ep, org = self._load(s, endpoint_id, principal)
            ep.enabled, ep.failures, ep.disabled_reason = True, 0, None
            return self._info(ep, org)

    def ping(self, endpoint_id: int, *, principal: Principal) -> DeliveryInfo:
        """Queue a signed `webhook.ping` event to the endpoint (sent by a worker; see its log)."""
        with self.db.session() as s:
            ep, _ = self._load(s, endpoint_id, principal)
            if not ep.enabled:
                raise errors.Conflict(M.DISABLED)
            now = utcnow()
            row = Delivery(
                channel="webhook",
                user_id=principal.user_id,
                endpoint_id=ep.id,
                message_id=message_id(uuid.uuid4().hex),
                kind=PING,
                body=event_body(PING, {"endpoint": ep.id}, now),
                status="pending",
                attempts=0,
            )
            queue_delivery(s, row, max_attempts=self.settings.webhook_attempts)
            return _delivery_info(row)

    def deliveries(
        self, endpoint_id: int, *, principal: Principal, limit: int = DELIVERY_LIMIT
    ) -> list[DeliveryInfo]:
        """The endpoint's newest deliveries with their status, attempts and last error."""
        with self.db.session() as s:
            ep, _ = self._load(s, endpoint_id, principal)
            rows = s.scalars(
                select(Delivery)
                .where(Delivery.endpoint_id == ep.id)
                .order_by(Delivery.id.desc())
                .limit(max(1, min(limit, 500)))
            )
            return [_delivery_info(d) for d in rows]


class NotificationPreferences:
    """Each user's own choice of notice channels."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, *, principal: Principal) -> Preferences:
        uid = _user_id(principal)
        with self.db.session() as s:
            return Preferences(email=email_wanted(s, uid))

    def set(self, *, email: bool, principal: Principal) -> Preferences:
        uid = _user_id(principal)
        with self.db.session() as s:
            row = s.get(NotificationSetting, uid)
            if row is None:
                s.add(NotificationSetting(user_id=uid, email=email, updated_at=utcnow()))
            else:
                row.email, row.updated_at = email, utcnow()
            return Preferences(email=email)
