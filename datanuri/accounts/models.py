"""Tables for organisations, users, memberships, API tokens, web sessions, entitlements, logins
and reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from datanuri.store.db import Base, utcnow


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # An official holder (a public agency), set by platform admins; search ranks its data higher.
    official: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    platform_role: Mapped[str | None] = mapped_column(String(20))  # admin | auditor
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # False from self-service sign-up until the e-mail link is followed; such users cannot log in.
    email_verified: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    locked_until: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organization_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # owner | editor | member

    user: Mapped[User] = relationship(back_populates="memberships")
    organization: Mapped[Organization] = relationship()


class ApiToken(Base):
    """An API token; only the SHA-256 of the secret is stored (the secret is shown once)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list[Any]] = mapped_column()
    expires_at: Mapped[dt.datetime | None] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()
    last_used_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Entitlement(Base):
    """A user's right to read a restricted dataset's rows (granted by the market, or by hand)."""

    __tablename__ = "entitlements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    source: Mapped[str] = mapped_column(String(50), default="manual")
    granted_by: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[dt.datetime | None] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LoginAttempt(Base):
    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    client: Mapped[str | None] = mapped_column(String(100), index=True)
    success: Mapped[bool] = mapped_column(Boolean)
    time: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class LoginCounter(Base):
    """Failed logins per e-mail or client address in the current lock window, counted with one
    atomic statement (`accounts/lockout.py`) so parallel attempts cannot pass the limit."""

    __tablename__ = "login_counters"

    key: Mapped[str] = mapped_column(String(440), primary_key=True)  # "email:..." | "client:..."
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[dt.datetime] = mapped_column()


class AccessLogEntry(Base):
    """One read or download of a dataset: who, what, when, which route."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    time: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    principal: Mapped[str] = mapped_column(String(400))
    user_id: Mapped[int | None] = mapped_column(Integer)
    organization: Mapped[str] = mapped_column(String(100), index=True)
    dataset: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))  # preview | download:csv | ...
    route: Mapped[str] = mapped_column(String(20))  # api | cli | ckan | web
    client: Mapped[str | None] = mapped_column(String(100))
    allowed: Mapped[bool] = mapped_column(Boolean)


class SecondFactor(Base):
    """An enrolled second factor: a TOTP secret (sealed with AES-GCM) or a WebAuthn passkey
    (its credential id and public key, which are not secret)."""

    __tablename__ = "second_factors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # totp | passkey
    label: Mapped[str] = mapped_column(String(200))
    secret_sealed: Mapped[str | None] = mapped_column(Text)  # TOTP only
    last_step: Mapped[int | None] = mapped_column(Integer)  # TOTP: last time step used (no replay)
    credential_id: Mapped[str | None] = mapped_column(String(1400), unique=True)  # base64url
    public_key: Mapped[str | None] = mapped_column(Text)  # base64url COSE key
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column()


class RecoveryCode(Base):
    """A one-use recovery code; only its SHA-256 is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LoginChallenge(Base):
    """A login whose password was right, waiting for the second factor (or its enrolment);
    only the SHA-256 of its secret is stored. Also holds a pending WebAuthn challenge."""

    __tablename__ = "login_challenges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # verify | enroll
    webauthn_challenge: Mapped[str | None] = mapped_column(String(200))
    pending_secret: Mapped[str | None] = mapped_column(Text)  # sealed TOTP secret being enrolled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    event_id: Mapped[int | None] = mapped_column(Integer)  # the auth_events row of the login
    expires_at: Mapped[dt.datetime] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuthEventRow(Base):
    """One login attempt or token use as the anomaly detector saw it, with its verdict."""

    __tablename__ = "auth_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    time: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(10))  # login | token
    email: Mapped[str] = mapped_column(String(320), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    network: Mapped[str] = mapped_column(String(64), index=True)
    device: Mapped[str] = mapped_column(String(32))
    success: Mapped[bool] = mapped_column(Boolean)  # the password was right
    trusted: Mapped[bool] = mapped_column(Boolean)  # let through: part of the user's profile
    token_id: Mapped[int | None] = mapped_column(Integer, index=True)
    score: Mapped[int] = mapped_column(Integer, default=0)
    reasons: Mapped[list[Any]] = mapped_column()
    verdict: Mapped[str] = mapped_column(String(10))  # allow | step_up | block


class SecurityAlert(Base):
    """An alert for a user and the admins: a login or token use that was stepped up or blocked."""

    __tablename__ = "security_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    time: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    email: Mapped[str] = mapped_column(String(320))
    event_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # login | token
    network: Mapped[str] = mapped_column(String(64))
    score: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[Any]] = mapped_column()
    verdict: Mapped[str] = mapped_column(String(10))
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column()


class AccountLink(Base):
    """A link mailed to a user: e-mail verification or password reset. Only the SHA-256 of its
    secret is stored; it works once (`used_at`) and until `expires_at`."""

    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))  # verify | reset
    expires_at: Mapped[dt.datetime] = mapped_column()
    used_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
