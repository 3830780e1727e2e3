"""DPoP proofs (RFC 9449) checked by `datanuri.oauth.dpop`, made by the recipient client."""

from __future__ import annotations

import time

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey

from datanuri.cli.mydata_client import new_key
from datanuri.oauth import dpop
from datanuri.oauth import messages as m

URL = "https://datanuri.example/api/v1/mydata/transfers/hospital/visits"


def _proof(key: ECKey, **claims: object) -> str:
    body = {"jti": "j1", "htm": "GET", "htu": URL, "iat": int(time.time()), **claims}
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": key.as_dict(private=False)}
    return jwt.encode(header, body, key)


def test_a_good_proof_gives_the_keys_rfc7638_thumbprint() -> None:
    key = new_key()
    got = dpop.check_proof(
        _proof(key, ath=dpop.token_hash("tok")),
        method="GET",
        url=URL + "?page=2",
        now=int(time.time()),
        access_token="tok",
    )
    assert got.jkt == key.thumbprint() and got.jti == "j1"


@pytest.mark.parametrize(
    ("claims", "method", "url", "message"),
    [
        ({"htm": "POST"}, "GET", URL, m.DPOP_TARGET),
        ({}, "GET", URL.replace("visits", "other"), m.DPOP_TARGET),
        ({"iat": int(time.time()) - 3600}, "GET", URL, m.DPOP_STALE),
        ({"jti": None}, "GET", URL, m.DPOP_CLAIMS),
        ({"ath": "wrong"}, "GET", URL, m.DPOP_ATH),
    ],
)
def test_proofs_for_another_request_or_token_are_refused(
    claims: dict[str, object], method: str, url: str, message: str
) -> None:
    with pytest.raises(dpop.DpopError) as err:
        dpop.check_proof(
            _proof(new_key(), **claims),
            method=method,
            url=url,
            now=int(time.time()),
            access_token="tok" if "ath" in claims else None,
        )
    assert err.value.message == message


def test_missing_symmetric_or_private_key_proofs_are_refused() -> None:
    now = int(time.time())
    with pytest.raises(dpop.DpopError, match="exactly one"):
        dpop.check_proof(None, method="GET", url=URL, now=now)
    secret = OctKey.generate_key(256)
    hs = jwt.encode({"typ": "dpop+jwt", "alg": "HS256"}, {"jti": "x", "iat": now}, secret)
    with pytest.raises(dpop.DpopError):
        dpop.check_proof(hs, method="GET", url=URL, now=now)
    key = new_key()
    leaked = jwt.encode(
        {"typ": "dpop+jwt", "alg": "ES256", "jwk": key.as_dict(private=True)},
        {"jti": "x", "htm": "GET", "htu": URL, "iat": now},
        key,
    )
    with pytest.raises(dpop.DpopError) as err:
        dpop.check_proof(leaked, method="GET", url=URL, now=now)
    assert err.value.message == m.DPOP_HEADER
    other = new_key()  # signed by one key, claiming another's public key
    forged = _proof(other)
    head, _, rest = forged.partition(".")
    real = _proof(key).split(".")[0]
    with pytest.raises(dpop.DpopError):
        dpop.check_proof(real + "." + rest, method="GET", url=URL, now=now)
    assert head != real
