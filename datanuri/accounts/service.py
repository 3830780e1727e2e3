"""`platform.accounts`: users, memberships, API tokens, web sessions, logins, entitlements."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from datanuri import errors
from datanuri.accounts import lockout
from datanuri.accounts import secrets as sec
from datanuri.accounts import validate as v
from datanuri.accounts.access import AccessControl
from datanuri.accounts.models import (
    ApiToken,
    Entitlement,
    LoginAttempt,
    Membership,
    Organization,
    User,
    WebSession,
)
from datanuri.accounts.principal import ALL_SCOPES, Principal
from datanuri.accounts.records import OrgInfo, org_info
from datanuri.events import (
    EntitlementGranted,
    EntitlementRevoked,
    EventSink,
    TokenCreated,
    TokenRevoked,
)
from datanuri.names import check_name
from datanuri.store.db import Database, utcnow

log = logging.getLogger("datanuri.accounts")

MSG_BAD_LOGIN = "The e-mail or password is not right."
MSG_LOCKED = "Too many failed logins. Wait {minutes} minutes and try again, or ask an admin to reset your password."
MSG_BAD_TOKEN = (
    "The API token is not valid (unknown, revoked or expired). "
    "Create a new one with `datanuri tokens create`."
)
MSG_BAD_SESSION = "Your session has ended. Log in again."
MSG_TOKEN_SCOPE = "A token can only {what} tokens if it has the 'admin' scope."
LOCK_AFTER = 5  # failures per e-mail within LOCK_WINDOW
LOCK_AFTER_CLIENT = 20  # failures per client address within LOCK_WINDOW
LOCK_WINDOW = dt.timedelta(minutes=15)
SESSION_TTL = dt.timedelta(hours=12)


@dataclass(frozen=True)
class UserInfo:
    id: int
    email: str
    display_name: str
    platform_role: str | None
    organizations: dict[str, str]
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    expires_at: str | None
    revoked: bool
    created_at: str
    last_used_at: str | None
    user: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class AccountService:
    def __init__(self, db: Database, events: EventSink, access: AccessControl) -> None:
        self.db = db
        self.events = events
        self.access = access

    # ----- users and memberships -----------------------------------------------------------
    def create_user(
        self,
        email: str,
        *,
        display_name: str,
        password: str,
        platform_role: str | None = None,
        principal: Principal,
    ) -> UserInfo:
        with self.db.session() as s:
            self.access.require(s, principal, "manage_users")
            email = v.clean_email(email)
            name = v.clean_display_name(display_name)
            v.check_password(password)
            v.check_choice(platform_role, v.PLATFORM_ROLES, "Platform role")
            if s.scalar(select(User.id).where(User.email == email)) is not None:
                raise errors.Conflict(f"A user with the e-mail {email} already exists.")
            user = User(
                email=email,
                display_name=name,
                password_hash=sec.hash_password(password),
                platform_role=platform_role,
            )
            s.add(user)
            s.flush()
            return self._user_info(user)

    def list_users(self, *, principal: Principal) -> list[UserInfo]:
        with self.db.session() as s:
            self.access.require(s, principal, "manage_users")
            return [self._user_info(u) for u in s.scalars(select(User).order_by(User.email))]

    def get_user(self, user_id: int) -> UserInfo:
        with self.db.session() as s:
            user = s.get(User, user_id)
            if user is None:
                raise errors.NotFound("No such user.")
            return self._user_info(user)

    # ----- organisations ----------------------------------------------------------------
    def create_organization(
        self,
        name: str,
        *,
        title: str | None = None,
        description: str = "",
        principal: Principal,
    ) -> OrgInfo:
        """Create an organisation (admins only); a user who creates one becomes its owner."""
        check_name(name, "organization")
        try:
            with self.db.session() as s:
                self.access.require(s, principal, "create_org")
                org = Organization(
                    name=name, title=(title or name).strip(), description=description
                )
                s.add(org)
                s.flush()
                if principal.kind == "user" and principal.user_id is not None:
                    s.add(
                        Membership(user_id=principal.user_id, organization_id=org.id, role="owner")
                    )
                return org_info(org)
        except SAIntegrityError as exc:
            raise errors.Conflict(f"An organization named {name!r} already exists.") from exc

    def add_member(
        self, organization: str, email: str, *, role: str, principal: Principal
    ) -> UserInfo:
        v.check_choice(role, v.ORG_ROLES, "Role")
        email = v.clean_email(email)
        with self.db.session() as s:
            org = s.scalar(select(Organization).where(Organization.name == organization))
            if org is None:
                raise errors.NotFound(errors.MSG_ORG_NOT_FOUND.format(name=organization))
            self.access.require(s, principal, "manage_org", org=organization)
            user = s.scalar(select(User).where(User.email == email))
            if user is None:
                raise errors.NotFound(
                    f"No user with the e-mail {email}. Create one with `datanuri users create`."
                )
            m = s.scalar(
                select(Membership).where(
                    Membership.user_id == user.id, Membership.organization_id == org.id
                )
            )
            if m is None:
                s.add(Membership(user_id=user.id, organization_id=org.id, role=role))
            else:
                m.role = role
            s.flush()
            s.refresh(user)
            return self._user_info(user)

    # ----- principals ----------------------------------------------------------------------
    def principal(
        self,
        s: Session,
        user: User,
        *,
        scopes: frozenset[str] = ALL_SCOPES,
        token_id: int | None = None,
    ) -> Principal:
        roles = dict(
            s.execute(
                select(Organization.name, Membership.role)
                .join(Membership, Membership.organization_id == Organization.id)
                .where(Membership.user_id == user.id)
            ).all()
        )
        return Principal(
            kind="user",
            user_id=user.id,
            email=user.email,
            platform_role=user.platform_role,
            org_roles=roles,
            scopes=scopes,
            token_id=token_id,
        )

    def principal_for(self, email: str) -> Principal:
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.email == v.clean_email(email)))
            if user is None:
                raise errors.NotFound(f"No user with the e-mail {email}.")
            return self.principal(s, user)

    # ----- login ---------------------------------------------------------------------------
    def login(self, email: str, password: str, *, client: str | None = None) -> Principal:
        """Check a password. Unknown user and wrong password give the same error; repeated
        failures lock the e-mail (and a noisy client address) for a while, and are logged.
        Each check first takes a slot from the lockout counters in one atomic statement
        (`accounts/lockout.py`), so parallel attempts get no more checks than the limit."""
        email_key = (email or "").strip().lower()[:320]
        now = utcnow()
        counters = [lockout.Counter(f"email:{email_key}", LOCK_AFTER)]
        if client:
            counters.append(lockout.Counter(f"client:{client[:100]}", LOCK_AFTER_CLIENT))
        with self.db.session() as s:
            allowed = lockout.take_all(s, counters, now=now, window=LOCK_WINDOW)
            if not allowed:
                s.rollback()  # neither counter moves for a refused attempt
                log.warning("login refused while locked: email=%r client=%r", email_key, client)
                s.add(LoginAttempt(email=email_key, client=client, success=False, time=now))
        if not allowed:
            raise errors.PermissionDenied(
                MSG_LOCKED.format(minutes=int(LOCK_WINDOW.total_seconds() // 60))
            )
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.email == email_key))
            stored = user.password_hash if user is not None else None
            active = user is not None and user.is_active
        ok = sec.verify_password(stored, password or "") and active
        with self.db.session() as s:
            s.add(LoginAttempt(email=email_key, client=client, success=ok, time=now))
            if ok:
                lockout.give_back(s, counters)
        if not ok:
            log.warning("failed login: email=%r client=%r", email_key, client)
            raise errors.NotAuthenticated(MSG_BAD_LOGIN)
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.email == email_key))
            assert user is not None
            return self.principal(s, user).using(via="web", client=client)

    # ----- API tokens ----------------------------------------------------------------------
    def create_token(
        self,
        *,
        name: str,
        scopes: list[str] | tuple[str, ...] = ("read",),
        expires_in_days: int | None = None,
        for_email: str | None = None,
        principal: Principal,
    ) -> tuple[TokenInfo, str]:
        """Create a token for `by` (or, for admins and the CLI, for `for_email`); the secret is returned once."""
        scope_list = v.check_scopes(list(scopes))
        name = v.clean_display_name(name or "token")
        if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
            raise errors.InvalidInput("A token expires after 1 to 3650 days.")
        secret = sec.new_token()
        with self.db.session() as s:
            if for_email is not None:
                if for_email != principal.email:
                    self.access.require(s, principal, "manage_users")
                user = s.scalar(select(User).where(User.email == v.clean_email(for_email)))
                if user is None:
                    raise errors.NotFound(f"No user with the e-mail {for_email}.")
            else:
                if principal.kind != "user" or principal.user_id is None:
                    raise errors.NotAuthenticated("Log in to create a token.")
                if principal.token_id is not None and "admin" not in principal.scopes:
                    raise errors.PermissionDenied(MSG_TOKEN_SCOPE.format(what="create"))
                user = s.get(User, principal.user_id)
                assert user is not None
            expires = utcnow() + dt.timedelta(days=expires_in_days) if expires_in_days else None
            tok = ApiToken(
                user_id=user.id,
                name=name,
                token_hash=sec.digest(secret),
                prefix=secret[:10],
                scopes=scope_list,
                expires_at=expires,
            )
            s.add(tok)
            s.flush()
            self.events.record(
                s,
                TokenCreated(
                    actor=principal.ref,
                    time=utcnow(),
                    token_id=tok.id,
                    user_id=user.id,
                    scopes=tuple(scope_list),
                    expires_at=expires,
                ),
            )
            return self._token_info(tok, user.email), secret

    def list_tokens(self, *, principal: Principal) -> list[TokenInfo]:
        with self.db.session() as s:
            q = (
                select(ApiToken, User.email)
                .join(User, User.id == ApiToken.user_id)
                .order_by(ApiToken.id)
            )
            if not self.access.can(s, principal, "manage_users"):  # an admin's token needs 'admin'
                q = q.where(ApiToken.user_id == (principal.user_id or -1))
            return [self._token_info(t, e) for t, e in s.execute(q).all()]

    def revoke_token(self, token_id: int, *, principal: Principal) -> TokenInfo:
        if principal.token_id is not None and "admin" not in principal.scopes:
            raise errors.PermissionDenied(MSG_TOKEN_SCOPE.format(what="revoke"))
        with self.db.session() as s:
            tok = s.get(ApiToken, token_id)
            mine = tok is not None and tok.user_id == principal.user_id
            if tok is None or not (mine or self.access.can(s, principal, "manage_users")):
                raise errors.NotFound(f"No token {token_id} of yours.")
            if tok.revoked_at is None:
                self.events.record(
                    s,
                    TokenRevoked(actor=principal.ref, time=utcnow(), token_id=tok.id),
                )
                tok.revoked_at = utcnow()
            email = s.scalar(select(User.email).where(User.id == tok.user_id)) or ""
            return self._token_info(tok, email)

    def resolve_token(self, secret: str) -> Principal:
        """The principal behind a bearer token; one error for malformed, unknown, revoked and expired."""
        if not secret or not secret.startswith(sec.TOKEN_PREFIX) or len(secret) > 200:
            raise errors.NotAuthenticated(MSG_BAD_TOKEN)
        now = utcnow()
        with self.db.session() as s:
            tok = s.scalar(select(ApiToken).where(ApiToken.token_hash == sec.digest(secret)))
            if (
                tok is None
                or tok.revoked_at is not None
                or (tok.expires_at is not None and tok.expires_at <= now)
            ):
                raise errors.NotAuthenticated(MSG_BAD_TOKEN)
            user = s.get(User, tok.user_id)
            if user is None or not user.is_active:
                raise errors.NotAuthenticated(MSG_BAD_TOKEN)
            if tok.last_used_at is None or now - tok.last_used_at > dt.timedelta(minutes=1):
                tok.last_used_at = now
            return self.principal(s, user, scopes=frozenset(tok.scopes), token_id=tok.id)

    # ----- web sessions --------------------------------------------------------------------
    def create_session(self, p: Principal) -> tuple[str, str]:
        """Start a browser session for a logged-in user; returns (session secret, CSRF token)."""
        assert p.user_id is not None
        secret, csrf = sec.new_secret(), sec.new_secret()
        with self.db.session() as s:
            s.add(
                WebSession(
                    session_hash=sec.digest(secret),
                    user_id=p.user_id,
                    csrf_token=csrf,
                    expires_at=utcnow() + SESSION_TTL,
                )
            )
        return secret, csrf

    def resolve_session(self, secret: str) -> tuple[Principal, str]:
        with self.db.session() as s:
            ws = s.scalar(
                select(WebSession).where(WebSession.session_hash == sec.digest(secret or ""))
            )
            if ws is None or ws.expires_at <= utcnow():
                raise errors.NotAuthenticated(MSG_BAD_SESSION)
            user = s.get(User, ws.user_id)
            if user is None or not user.is_active:
                raise errors.NotAuthenticated(MSG_BAD_SESSION)
            return self.principal(s, user), ws.csrf_token

    def end_session(self, secret: str) -> None:
        with self.db.session() as s:
            ws = s.scalar(
                select(WebSession).where(WebSession.session_hash == sec.digest(secret or ""))
            )
            if ws is not None:
                s.delete(ws)

    # ----- entitlements --------------------------------------------------------------------
    def grant_entitlement(
        self,
        email: str,
        dataset: str,
        *,
        expires_at: dt.datetime | None = None,
        source: str = "manual",
        principal: Principal,
    ) -> int:
        with self.db.session() as s:
            ds = self.access.dataset(s, dataset)
            self.access.require(s, principal, "manage_org", org=ds.organization)
            user = s.scalar(select(User).where(User.email == v.clean_email(email)))
            if user is None:
                raise errors.NotFound(f"No user with the e-mail {email}.")
            ent = Entitlement(
                user_id=user.id,
                dataset_id=ds.id,
                source=source,
                granted_by=principal.ref,
                expires_at=expires_at,
            )
            s.add(ent)
            s.flush()
            self.events.record(
                s,
                EntitlementGranted(
                    actor=principal.ref,
                    time=utcnow(),
                    dataset=dataset,
                    user_id=user.id,
                    expires_at=expires_at,
                ),
            )
            return ent.id

    def revoke_entitlement(self, entitlement_id: int, *, principal: Principal) -> None:
        with self.db.session() as s:
            ent = s.get(Entitlement, entitlement_id)
            if ent is None:
                raise errors.NotFound(f"No entitlement {entitlement_id}.")
            ds = self.access.dataset(s, ent.dataset_id)
            self.access.require(s, principal, "manage_org", org=ds.organization)
            self.events.record(
                s,
                EntitlementRevoked(actor=principal.ref, time=utcnow(), dataset=ds.name),
            )
            ent.revoked_at = utcnow()

    # ----- helpers -------------------------------------------------------------------------
    def _user_info(self, user: User) -> UserInfo:
        orgs = {m.organization.name: m.role for m in user.memberships}
        return UserInfo(
            user.id,
            user.email,
            user.display_name,
            user.platform_role,
            orgs,
            user.created_at.isoformat(),
        )

    @staticmethod
    def _token_info(t: ApiToken, email: str) -> TokenInfo:
        return TokenInfo(
            t.id,
            t.name,
            t.prefix,
            tuple(t.scopes),
            t.expires_at.isoformat() if t.expires_at else None,
            t.revoked_at is not None,
            t.created_at.isoformat(),
            t.last_used_at.isoformat() if t.last_used_at else None,
            email,
        )
