"""DPoP proofs (RFC 9449): check a proof JWT's header, signature and claims with joserfc.

Pure: no database; the caller keeps the seen `jti`s (replay) and compares the key thumbprint
with the one a token is bound to."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from joserfc import jwk, jws
from joserfc.errors import JoseError

from datanuri.oauth import messages as m

#: Asymmetric signature algorithms a proof may use (none of the HMAC ones: the key is public).
ALGORITHMS = ("ES256", "ES384", "PS256", "RS256", "EdDSA", "Ed25519")
#: How far a proof's `iat` may be from now, in seconds, either way.
MAX_SKEW = 60


class DpopError(Exception):
    """A DPoP proof that cannot be accepted; `message` says why (an English catalogue text)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Proof:
    """An accepted proof: the key's RFC 7638 thumbprint (`cnf.jkt`) and the proof's id."""

    jkt: str
    jti: str
    iat: int


def htu_of(url: str) -> str:
    """The URL a proof names: scheme, host and path, without query and fragment (RFC 9449 §4.3)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, "", ""))


def token_hash(access_token: str) -> str:
    """The proof's `ath`: base64url SHA-256 of the access token, no padding."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def check_proof(
    proof: str | None,
    *,
    method: str,
    url: str,
    now: int,
    access_token: str | None = None,
) -> Proof:
    """Verify `proof` for a request `method url` at unix time `now`; with `access_token`, also
    its `ath`. Raises `DpopError`; the replay check on `jti` is the caller's."""
    if not proof or "," in proof:
        raise DpopError(m.DPOP_MISSING)
    try:
        obj = jws.extract_compact(proof.encode("ascii"))
        header = obj.headers()
        if header.get("typ") != "dpop+jwt" or header.get("alg") not in ALGORITHMS:
            raise DpopError(m.DPOP_HEADER)
        key = jwk.import_key(header.get("jwk") or {})
        if key.is_private:
            raise DpopError(m.DPOP_HEADER)
        jws.deserialize_compact(proof, key, algorithms=list(ALGORITHMS))
        claims = json.loads(obj.payload)
    except (JoseError, ValueError, TypeError, UnicodeError) as exc:
        raise DpopError(m.DPOP_SIGNATURE) from exc
    if not isinstance(claims, dict):
        raise DpopError(m.DPOP_SIGNATURE)
    jti, iat = claims.get("jti"), claims.get("iat")
    if not isinstance(jti, str) or not jti or len(jti) > 200:
        raise DpopError(m.DPOP_CLAIMS)
    if not isinstance(iat, int) or abs(now - iat) > MAX_SKEW:
        raise DpopError(m.DPOP_STALE)
    if claims.get("htm") != method.upper() or claims.get("htu") != htu_of(url):
        raise DpopError(m.DPOP_TARGET)
    if access_token is not None and claims.get("ath") != token_hash(access_token):
        raise DpopError(m.DPOP_ATH)
    return Proof(jkt=key.thumbprint(), jti=jti, iat=iat)
