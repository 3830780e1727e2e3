"""The authorization server's tables: clients, pushed requests, codes, tokens, DPoP proof ids."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow


class OAuthClient(Base):
    """A recipient's registered app: who it is, what for, where it may redirect, its public keys."""

    __tablename__ = "oauth_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    purposes: Mapped[list[str]] = mapped_column(JSON)
    redirect_uris: Mapped[list[str]] = mapped_column(JSON)
    jwks: Mapped[dict[str, Any]] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PushedRequest(Base):
    """An authorization request pushed by a client (RFC 9126), used once by `/authorize`."""

    __tablename__ = "oauth_pushed_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)  # the request_uri's random part
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    params: Mapped[dict[str, Any]] = mapped_column()
    expires_at: Mapped[dt.datetime] = mapped_column()
    used_at: Mapped[dt.datetime | None] = mapped_column()


class AuthCode(Base):
    """An authorization code (stored as a SHA-256), single use, bound to the consent it grants."""

    __tablename__ = "oauth_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    consent_id: Mapped[str] = mapped_column(String(64))
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(10))
    expires_at: Mapped[dt.datetime] = mapped_column()
    used_at: Mapped[dt.datetime | None] = mapped_column()


class OAuthToken(Base):
    """An access token and its refresh token (both as SHA-256), bound to a DPoP key (`jkt`).

    Tokens from one code share a `family`: a refresh token used twice revokes the family."""

    __tablename__ = "oauth_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    access_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    family: Mapped[str] = mapped_column(String(64), index=True)
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    consent_id: Mapped[str] = mapped_column(String(64), index=True)
    jkt: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(200), default="")
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    refresh_expires_at: Mapped[dt.datetime | None] = mapped_column()
    rotated_at: Mapped[dt.datetime | None] = mapped_column()  # its refresh token was used
    revoked_at: Mapped[dt.datetime | None] = mapped_column()


class DpopProof(Base):
    """A DPoP proof's (or a client assertion's) `jti` seen recently, as a SHA-256 (RFC 9449
    §11.1, RFC 7523 §3): a second use within its lifetime is a replay."""

    __tablename__ = "oauth_dpop_proofs"

    jti_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
