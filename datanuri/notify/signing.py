"""Standard Webhooks signatures (https://www.standardwebhooks.com), pure: the secret format,
signing a delivery, and `verify_signature` for receivers.

A secret is "whsec_" + base64 of 32 random bytes; the HMAC key is those bytes. A delivery
carries three headers: `webhook-id` (the message id, the same on every retry: receivers use it
to drop duplicates), `webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature`
("v1,<base64 of HMAC-SHA256(key, id + "." + timestamp + "." + body)>", several separated by
spaces while a secret is being rotated). A receiver refuses timestamps further than the
tolerance from its clock, so a captured delivery cannot be replayed later.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping

from datanuri.errors import InvalidInput
from datanuri.notify import messages as M

SECRET_PREFIX = "whsec_"
TOLERANCE = 300  # seconds either side of the receiver's clock


class WebhookVerificationError(InvalidInput):
    """A delivery whose headers or signature do not check out: refuse it."""


def new_secret() -> str:
    """A fresh endpoint secret, shown to its owner once."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key of a "whsec_..." secret (a bare base64 key is accepted too)."""
    try:
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise WebhookVerificationError(M.BAD_SECRET) from exc


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value for one delivery: "v1,<base64 HMAC-SHA256>"."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    mac = hmac.new(secret_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode("ascii")


def signed_headers(
    secret: str, msg_id: str, body: bytes, *, now: float | None = None
) -> dict[str, str]:
    """The three headers of a delivery attempt made at `now` (default: the clock)."""
    stamp = int(time.time() if now is None else now)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign(secret, msg_id, stamp, body),
    }


def verify_signature(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance: int = TOLERANCE,
    now: float | None = None,
) -> str:
    """Check a received delivery: its timestamp within `tolerance` seconds of `now` and one of
    its v1 signatures made with `secret` over exactly `body`. Returns the message id (to drop
    duplicates); raises `WebhookVerificationError` otherwise. Header names are matched without
    regard to case."""
    lower = {k.lower(): v for k, v in headers.items()}
    msg_id = lower.get("webhook-id")
    stamp_text = lower.get("webhook-timestamp")
    given = lower.get("webhook-signature")
    if not msg_id or not stamp_text or not given:
        raise WebhookVerificationError(M.MISSING_HEADERS)
    try:
        stamp = int(stamp_text)
    except ValueError as exc:
        raise WebhookVerificationError(M.BAD_TIMESTAMP) from exc
    clock = time.time() if now is None else now
    if abs(clock - stamp) > tolerance:
        raise WebhookVerificationError(M.STALE.format(tolerance=tolerance))
    expected = sign(secret, msg_id, stamp, body).encode("ascii")
    for candidate in given.split():
        version, _, _ = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(candidate.encode("ascii", "replace"), expected):
            return msg_id
    raise WebhookVerificationError(M.BAD_SIGNATURE)
