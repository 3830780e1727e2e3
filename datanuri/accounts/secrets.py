"""Password hashing (Argon2id via argon2-cffi), random secrets stored only as hashes, and
AES-256-GCM sealing of the few secrets the server must read back (TOTP seeds)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from datanuri.errors import IntegrityError

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


SEAL_PREFIX = "v1:"
MSG_UNSEAL = (
    "A stored account secret could not be decrypted: the accounts key ({path}) is not the one it "
    "was sealed with. Restore that key file from a backup, or have the user enrol again."
)


def new_sealing_key() -> bytes:
    """A random 256-bit key (for a service given none: lives as long as the process)."""
    return AESGCM.generate_key(bit_length=256)


def load_or_create_key(path: Path) -> bytes:
    """The 256-bit sealing key in `path`, made (readable by the owner only) if it is missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(AESGCM.generate_key(bit_length=256))
    key = path.read_bytes()
    if len(key) != 32:
        raise IntegrityError(f"The accounts key {path} is damaged (not 32 bytes); restore it.")
    return key


def seal(key: bytes, plaintext: str, *, context: str) -> str:
    """Encrypt `plaintext` with AES-256-GCM, bound to `context` (e.g. the user id)."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    return SEAL_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(key: bytes, sealed: str, *, context: str, where: str = "the accounts key") -> str:
    """The plaintext `seal` hid; an integrity error if the key or context is not the right one."""
    try:
        raw = base64.urlsafe_b64decode(sealed.removeprefix(SEAL_PREFIX).encode("ascii"))
        return AESGCM(key).decrypt(raw[:12], raw[12:], context.encode("utf-8")).decode("utf-8")
    except (InvalidTag, ValueError) as exc:
        raise IntegrityError(MSG_UNSEAL.format(path=where)) from exc
