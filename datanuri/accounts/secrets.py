"""Password hashing (Argon2id via argon2-cffi) and random secrets stored only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
_dummy_hash: str | None = None
TOKEN_PREFIX = "dn_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _dummy() -> str:
    """Verified against when the e-mail is unknown, so "no such user" costs as long as "wrong
    password". Made on first use: hashing at import would slow every CLI command by ~0.1 s."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("datanuri-dummy-password")
    return _dummy_hash


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-effort check; a missing hash still runs one verification."""
    try:
        return _hasher.verify(password_hash or _dummy(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A fresh API token: recognisable prefix + 256 random bits."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret (tokens, session ids): enough, since they cannot be guessed."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
