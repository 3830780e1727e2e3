"""`platform.accounts`: users, memberships, API tokens, web sessions, logins, entitlements."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from datanuri import errors
from datanuri.accounts import lockout
from datanuri.accounts import secrets as sec
from datanuri.accounts import validate as v
from datanuri.accounts.access import AccessControl
from datanuri.accounts.anomaly import Assessment, AuthEvent, Thresholds, device_of, network_of
from datanuri.accounts.guard import AlertInfo, LoginGuard
from datanuri.accounts.messages import (
    MSG_ENROL_NEEDED,
    MSG_LOGIN_BLOCKED,
    MSG_SECOND_FACTOR,
    MSG_TOKEN_BLOCKED,
    MSG_UNVERIFIED,
)
from datanuri.accounts.mfa import requires_second_factor
from datanuri.accounts.models import (
    ApiToken,
    Entitlement,
    LoginAttempt,
    LoginChallenge,
    Membership,
    Organization,
    User,
    WebSession,
)
from datanuri.accounts.policy import DatasetAccess
from datanuri.accounts.principal import ALL_SCOPES, Principal
from datanuri.accounts.records import OrgInfo, org_info
from datanuri.accounts.second_factor import (
    FactorInfo,
    Passed,
    Proof,
    SecondFactors,
    SecondFactorSettings,
    TotpSetup,
)
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


@dataclass(frozen=True)
class LoginContext:
    """Where a login or token use comes from: the client address and its user agent."""

    client: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class LoginStep:
    """What a right password leads to: a principal ("ok"), or a pending login that needs the
    second factor ("second_factor") or its enrolment ("enroll")."""

    status: Literal["ok", "second_factor", "enroll"]
    risk: Assessment
    principal: Principal | None = None
    challenge: str | None = None
    methods: tuple[str, ...] = ()


@dataclass(frozen=True)
class Enrolled:
    """A pending login finished by enrolling a second factor; recovery codes are shown once."""

    principal: Principal
    recovery_codes: tuple[str, ...]


class AccountService:
    def __init__(
        self,
        db: Database,
        events: EventSink,
        access: AccessControl,
        *,
        second_factor: SecondFactorSettings | None = None,
        sealing_key: bytes | None = None,
        thresholds: Thresholds | None = None,
    ) -> None:
        """`sealing_key` seals TOTP seeds at rest; without one, a random key lives only as long
        as this service (seeds enrolled meanwhile cannot be read after a restart)."""
        self.db = db
        self.events = events
        self.access = access
        self.second_factor = second_factor or SecondFactorSettings()
        self.factors = SecondFactors(
            db, events, sealing_key or sec.new_sealing_key(), self.second_factor
        )
        self.guard = LoginGuard(db, access, thresholds or Thresholds())
        # Called with an organisation's name after a change search ranks by (its `official` flag).
        self.org_listeners: list[Callable[[str], None]] = []

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

    def set_official(self, name: str, official: bool, *, principal: Principal) -> OrgInfo:
        """Mark an organisation as an official holder or not (platform admins); search ranks the
        data of official holders higher."""
        with self.db.session() as s:
            self.access.require(s, principal, "manage_search")
            org = s.scalar(select(Organization).where(Organization.name == name))
            if org is None:
                raise errors.NotFound(errors.MSG_ORG_NOT_FOUND.format(name=name))
            org.official = bool(official)
            info = org_info(org)
        for listener in self.org_listeners:
            listener(name)
        return info

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

    def acting_principal(self, actor: str, scopes: frozenset[str] | None = None) -> Principal:
        """The principal a queued job acts for, with the rights its user has now (a job waits;
        a revoked editor's job must not publish): `actor` is the `Principal.name` that started
        it ("system" or "user:<e-mail>"), `scopes` those of the token it used (None: all)."""
        from datanuri.accounts.principal import SYSTEM

        if actor == "system":
            return SYSTEM.using(via="job")
        email = actor.removeprefix("user:")
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.email == email))
            if not actor.startswith("user:") or user is None or not user.is_active:
                raise errors.PermissionDenied(errors.MSG_JOB_ACTOR_GONE.format(actor=actor))
            granted = ALL_SCOPES if scopes is None else frozenset(scopes) & ALL_SCOPES
            return self.principal(s, user, scopes=granted).using(via="job")

    def principal_for(self, email: str) -> Principal:
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.email == v.clean_email(email)))
            if user is None:
                raise errors.NotFound(f"No user with the e-mail {email}.")
            return self.principal(s, user)

    # ----- login ---------------------------------------------------------------------------
    def login(
        self,
        email: str,
        password: str,
        *,
        client: str | None = None,
        user_agent: str | None = None,
    ) -> Principal:
        """Check a password and return the principal; when a second factor (or its enrolment)
        must follow, raise `SecondFactorRequired` naming the pending login (see `begin_login`)."""
        step = self.begin_login(email, password, context=LoginContext(client, user_agent))
        if step.status == "ok":
            assert step.principal is not None
            return step.principal
        msg = MSG_ENROL_NEEDED if step.status == "enroll" else MSG_SECOND_FACTOR
        raise errors.SecondFactorRequired(
            msg[1],
            details={
                "challenge": step.challenge,
                "enroll": step.status == "enroll",
                "methods": list(step.methods),
            },
        )

    def begin_login(self, email: str, password: str, *, context: LoginContext) -> LoginStep:
        """Check a password. Unknown user and wrong password give the same error; repeated
        failures lock the e-mail (and a noisy client address) for a while, and are logged.
        Each check first takes a slot from the lockout counters in one atomic statement
        (`accounts/lockout.py`), so parallel attempts get no more checks than the limit. The
        anomaly detector scores the attempt: a block refuses it; a user with a second factor,
        or one the policy requires to have one, gets a pending login instead of a principal."""
        client = context.client
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
            verified = user is not None and user.email_verified
        ok = sec.verify_password(stored, password or "") and active
        with self.db.session() as s:
            s.add(LoginAttempt(email=email_key, client=client, success=ok, time=now))
            if ok:
                lockout.give_back(s, counters)
            risk, event_id = self.guard.check(s, self._auth_event(email_key, user, ok, context))
        if risk.verdict == "block":
            log.warning("login blocked: email=%r client=%r %s", email_key, client, risk)
            raise errors.PermissionDenied(MSG_LOGIN_BLOCKED[1])
        if not ok:
            log.warning("failed login: email=%r client=%r", email_key, client)
            raise errors.NotAuthenticated(MSG_BAD_LOGIN)
        if not verified:  # signed up, link not followed yet: say so (the password was right)
            raise errors.NotAuthenticated(MSG_UNVERIFIED[1], details={"unverified": True})
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.email == email_key))
            assert user is not None
            me = self.principal(s, user).using(via="web", client=client)
            methods = self.factors.methods(s, user.id)
            if any(m in methods for m in ("totp", "passkey")):
                secret = self.factors.open(s, user.id, "verify", event_id)
                return LoginStep("second_factor", risk, challenge=secret, methods=methods)
            if requires_second_factor(me, self.second_factor.policy):
                secret = self.factors.open(s, user.id, "enroll", event_id)
                return LoginStep("enroll", risk, challenge=secret, methods=("totp", "passkey"))
            # No factor to step up to: let it in (the alert was raised) and learn the device.
            self.guard.confirm(s, event_id)
            return LoginStep("ok", risk, principal=me)

    def finish_login(
        self,
        challenge: str,
        proof: Proof,
        *,
        client: str | None = None,
        user_agent: str | None = None,
    ) -> Principal:
        """Pass the second factor of a pending login (TOTP code, recovery code or passkey). A
        wrong one counts as a failed login attempt for the anomaly detector, so guessing codes
        over many pending logins soon meets the impossible-rate block."""
        try:
            passed = self.factors.verify(challenge, proof)
        except errors.NotAuthenticated:
            with self.db.session() as s:
                user = s.scalar(
                    select(User)
                    .join(LoginChallenge, LoginChallenge.user_id == User.id)
                    .where(LoginChallenge.secret_hash == sec.digest(challenge or ""))
                )
                if user is not None:
                    context = LoginContext(client, user_agent)
                    self.guard.check(s, self._auth_event(user.email, user, False, context))
            raise
        return self._passed(passed, client)

    def pending_methods(self, challenge: str) -> list[str]:
        """The second factors the user of a pending login can pass (none if it is gone)."""
        with self.db.session() as s:
            user_id = s.scalar(
                select(LoginChallenge.user_id).where(
                    LoginChallenge.secret_hash == sec.digest(challenge or "")
                )
            )
            return list(self.factors.methods(s, user_id)) if user_id is not None else []

    def passkey_login_options(self, challenge: str) -> str:
        """WebAuthn options (JSON) to answer a pending login with a passkey."""
        return self.factors.passkey_options(challenge)

    # ----- second factors: enrolment, listing, alerts ----------------------------------------
    def start_enrolment(self, *, principal: Principal) -> str:
        """A pending enrolment for a logged-in user (from a browser session, not a token)."""
        if principal.kind != "user" or principal.user_id is None:
            raise errors.NotAuthenticated("Log in to set up a second factor.")
        if principal.token_id is not None:
            raise errors.PermissionDenied(
                "Set up a second factor from a browser session, not with an API token."
            )
        with self.db.session() as s:
            return self.factors.open(s, principal.user_id, "enroll", None)

    def totp_setup(self, challenge: str) -> TotpSetup:
        """A new TOTP seed for a pending enrolment (shown once, as text and otpauth:// URI)."""
        with self.db.session() as s:
            email = s.scalar(
                select(User.email)
                .join(LoginChallenge, LoginChallenge.user_id == User.id)
                .where(LoginChallenge.secret_hash == sec.digest(challenge or ""))
            )
        return self.factors.totp_setup(challenge, account=email or "datanuri")

    def totp_enrol(
        self, challenge: str, code: str, *, label: str = "authenticator", client: str | None = None
    ) -> Enrolled:
        """Confirm the TOTP seed with a code from the app; finishes the pending login."""
        passed = self.factors.totp_confirm(challenge, code, label=label)
        return Enrolled(self._passed(passed, client), passed.recovery_codes)

    def passkey_registration(self, challenge: str) -> str:
        """WebAuthn options (JSON) to create a passkey for a pending enrolment."""
        return self.factors.passkey_registration(challenge)

    def passkey_enrol(
        self,
        challenge: str,
        credential: dict[str, Any],
        *,
        label: str = "passkey",
        client: str | None = None,
    ) -> Enrolled:
        """Register the passkey the browser created; finishes the pending login."""
        passed = self.factors.passkey_register(challenge, credential, label=label)
        return Enrolled(self._passed(passed, client), passed.recovery_codes)

    def list_second_factors(self, *, principal: Principal) -> list[FactorInfo]:
        """The caller's enrolled second factors (never their secrets)."""
        if principal.kind != "user" or principal.user_id is None:
            raise errors.NotAuthenticated("Log in to see your second factors.")
        return self.factors.list_factors(principal.user_id)

    def seed_totp(self, email: str, secret: str, *, label: str, principal: Principal) -> None:
        """Enrol a known TOTP seed for a user (the demo's users; admins and the CLI only)."""
        with self.db.session() as s:
            self.access.require(s, principal, "manage_users")
            user = s.scalar(select(User).where(User.email == v.clean_email(email)))
            if user is None:
                raise errors.NotFound(f"No user with the e-mail {email}.")
            self.factors.seed_totp(s, user.id, secret, label=label)

    def list_alerts(
        self, *, everyone: bool = False, limit: int = 100, principal: Principal
    ) -> list[AlertInfo]:
        """Security alerts: the caller's own, or every user's (admins and auditors)."""
        return self.guard.list_alerts(principal, everyone=everyone, limit=limit)

    def _passed(self, passed: Passed, client: str | None) -> Principal:
        with self.db.session() as s:
            self.guard.confirm(s, passed.event_id)
            user = s.get(User, passed.user_id)
            if user is None or not user.is_active:
                raise errors.NotAuthenticated(MSG_BAD_LOGIN)
            return self.principal(s, user).using(via="web", client=client)

    @staticmethod
    def _auth_event(email: str, user: User | None, ok: bool, context: LoginContext) -> AuthEvent:
        return AuthEvent(
            time=utcnow(),
            kind="login",
            email=email,
            network=network_of(context.client),
            device=device_of(context.user_agent),
            user_id=user.id if user is not None else None,
            success=ok,
        )

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

    def resolve_token(self, secret: str, *, context: LoginContext | None = None) -> Principal:
        """The principal behind a bearer token; one error for malformed, unknown, revoked and
        expired. With a `context`, the use is checked by the anomaly detector (one token used
        from two networks at once is refused and alerted)."""
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
            risk: Assessment | None = None
            if context is not None:
                event = AuthEvent(
                    time=now,
                    kind="token",
                    email=user.email,
                    network=network_of(context.client),
                    device=device_of(context.user_agent),
                    user_id=user.id,
                    token_id=tok.id,
                )
                risk, _ = self.guard.check(s, event)
            me = self.principal(s, user, scopes=frozenset(tok.scopes), token_id=tok.id)
        if risk is not None and risk.verdict == "block":
            log.warning("token use blocked: token=%s %s", me.token_id, risk)
            raise errors.PermissionDenied(MSG_TOKEN_BLOCKED[1])
        return me

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
            return self.add_entitlement(
                s, user.id, ds, expires_at=expires_at, source=source, principal=principal
            )

    def add_entitlement(
        self,
        s: Session,
        user_id: int,
        ds: DatasetAccess,
        *,
        expires_at: dt.datetime | None,
        source: str,
        principal: Principal,
    ) -> int:
        """Entitle a user inside the caller's transaction, with its ledger entry; the caller has
        checked `principal` (an owner by `grant_entitlement`, a holder approving a request)."""
        ent = Entitlement(
            user_id=user_id,
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
                dataset=ds.name,
                user_id=user_id,
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
