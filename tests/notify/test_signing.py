"""Standard Webhooks signatures against a vector computed outside datanuri (OpenSSL:
`printf '%s' 'msg_2Kx7hVq0.1764806400.{...}' | openssl dgst -sha256 -mac HMAC -macopt
hexkey:<key> -binary | base64`), replay protection by the timestamp, and the refusals."""

from __future__ import annotations

import pytest

from datanuri.notify.signing import (
    WebhookVerificationError,
    new_secret,
    secret_key,
    sign,
    signed_headers,
    verify_signature,
)

# The key is the 32 ASCII bytes "datanuri-test-webhook-key-32byte".
SECRET = "whsec_ZGF0YW51cmktdGVzdC13ZWJob29rLWtleS0zMmJ5dGU="
MSG_ID = "msg_2Kx7hVq0"
STAMP = 1764806400
BODY = b'{"type":"desk.request.created","data":{"id":7}}'
EXPECTED = "v1,NGB2AGDuovNGaRZ1Qhi0h9MSQKTShY7Z8bzvsMc64DE="


def headers(signature: str = EXPECTED, stamp: int = STAMP) -> dict[str, str]:
    return {"webhook-id": MSG_ID, "webhook-timestamp": str(stamp), "webhook-signature": signature}


def test_signature_matches_the_openssl_vector():
    assert secret_key(SECRET) == b"datanuri-test-webhook-key-32byte"
    assert sign(SECRET, MSG_ID, STAMP, BODY) == EXPECTED
    assert signed_headers(SECRET, MSG_ID, BODY, now=STAMP + 0.9) == headers()


def test_verify_accepts_the_vector_within_the_tolerance():
    assert verify_signature(SECRET, headers(), BODY, now=STAMP + 299) == MSG_ID
    assert verify_signature(SECRET, headers(), BODY, now=STAMP - 299) == MSG_ID
    # header names in any case; one of several signatures (a secret being rotated)
    upper = {k.upper(): v for k, v in headers(f"v1,bm90IGl0 {EXPECTED}").items()}
    assert verify_signature(SECRET, upper, BODY, now=STAMP) == MSG_ID


@pytest.mark.parametrize(
    ("hdrs", "body", "now", "why"),
    [
        (headers(), BODY, STAMP + 301, "more than 300 seconds"),  # a replay, later
        (headers(), BODY, STAMP - 301, "more than 300 seconds"),  # from the future
        (headers(), BODY + b" ", STAMP, "No webhook signature matches"),  # body changed
        (headers(stamp=STAMP + 1), BODY, STAMP, "No webhook signature matches"),  # time changed
        (headers("v2," + EXPECTED[3:]), BODY, STAMP, "No webhook signature matches"),
        ({"webhook-id": MSG_ID}, BODY, STAMP, "headers are required"),
        (headers() | {"webhook-timestamp": "soon"}, BODY, STAMP, "not a Unix time"),
    ],
)
def test_verify_refuses(hdrs, body, now, why):
    with pytest.raises(WebhookVerificationError, match=why):
        verify_signature(SECRET, hdrs, body, now=now)


def test_a_different_secret_does_not_verify():
    with pytest.raises(WebhookVerificationError):
        verify_signature(new_secret(), headers(), BODY, now=STAMP)


def test_new_secrets_are_32_random_bytes():
    a, b = new_secret(), new_secret()
    assert a != b and a.startswith("whsec_") and len(secret_key(a)) == 32
