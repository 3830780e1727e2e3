"""The second factor's pure parts: who must have one (policy), TOTP codes (RFC 6238 via pyotp)
and recovery codes. Storage and ceremonies live in `accounts/second_factor.py`."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Literal

import pyotp
from pyotp.utils import strings_equal

from datanuri.accounts.policy import EDITORS
from datanuri.accounts.principal import Principal

SecondFactorPolicy = Literal["off", "publishers", "everyone"]
POLICIES: tuple[str, ...] = ("off", "publishers", "everyone")
ISSUER = "datanuri"
RECOVERY_CODES = 10
_B32 = "abcdefghijklmnopqrstuvwxyz234567"


def requires_second_factor(p: Principal, policy: str) -> bool:
    """Whether `p` may only log in with a second factor: under "publishers", whoever can publish
    or release data (an organisation's owners and editors) and platform admins (who can make
    themselves owners); under "everyone", every user; under "off", nobody."""
    if policy == "everyone":
        return p.kind == "user"
    if policy != "publishers" or p.kind != "user":
        return False
    return p.platform_role == "admin" or any(r in EDITORS for r in p.org_roles.values())


def new_totp_secret() -> str:
    """A fresh TOTP seed: 160 random bits in base32 (what authenticator apps expect)."""
    return pyotp.random_base32(32)


def totp_uri(secret: str, account: str, *, issuer: str = ISSUER) -> str:
    """The otpauth:// URI an authenticator app reads (as a QR code or typed in)."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def totp_step(secret: str, code: str, *, at: dt.datetime, after: int | None) -> int | None:
    """The time step `code` is valid for at `at` (±1 step of 30 s), if it is later than
    `after` (a code is used once); else None."""
    code = "".join(ch for ch in (code or "") if not ch.isspace())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(at)
    for step in (now - 1, now, now + 1):
        if strings_equal(code, totp.generate_otp(step)) and (after is None or step > after):
            return step
    return None


def new_recovery_codes(n: int = RECOVERY_CODES) -> list[str]:
    """`n` one-use codes of 80 random bits each, written xxxx-xxxx-xxxx-xxxx."""
    out = []
    for _ in range(n):
        raw = "".join(secrets.choice(_B32) for _ in range(16))
        out.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    return out


def normalise_recovery_code(code: str) -> str:
    """A recovery code as typed (any case, spaces, dashes or none) in its canonical form."""
    raw = "".join(ch for ch in (code or "").lower() if ch in _B32)[:16]
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))
