"""The authorization server's service on both databases: registration rules and the seen-once
store behind DPoP and client assertion replay checks."""

from __future__ import annotations

import pytest

from datanuri import errors
from datanuri.accounts import SYSTEM
from datanuri.cli.mydata_client import new_key, public_jwks
from datanuri.oauth import messages as m
from datanuri.oauth.server import remember_once
from tests.helpers import PASSWORD


@pytest.fixture
def owner(platform):
    acc = platform.accounts
    acc.create_user("owner@example.org", display_name="o", password=PASSWORD, principal=SYSTEM)
    acc.create_organization("apps", title="앱", principal=SYSTEM)
    acc.add_member("apps", "owner@example.org", role="owner", principal=SYSTEM)
    acc.create_organization("other", title="다른 곳", principal=SYSTEM)
    return acc.principal_for("owner@example.org")


def _register(platform, who, **over):
    args = {
        "name": "앱",
        "organization": "apps",
        "purposes": ["연구"],
        "redirect_uris": ["https://app.example/cb"],
        "jwks": public_jwks(new_key()),
        **over,
    }
    return platform.oauth.register_client(who, **args)


def test_an_owner_registers_an_app_with_public_keys_only(platform, owner) -> None:
    made = _register(platform, owner)
    assert platform.oauth.client_info(made.client_id) == made
    assert made.organization == "apps" and made.purposes == ["연구"]
    with pytest.raises(errors.PermissionDenied):
        _register(platform, owner, organization="other")
    with pytest.raises(errors.InvalidInput) as err:
        _register(platform, owner, jwks={"keys": [new_key().as_dict(private=True)]})
    assert err.value.message == m.JWKS_PRIVATE
    with pytest.raises(errors.InvalidInput) as err:
        _register(platform, owner, redirect_uris=["http://app.example/cb"])
    assert err.value.message == m.REDIRECT_HTTPS
    assert _register(platform, owner, redirect_uris=["http://127.0.0.1:8765/cb"]).client_id
    with pytest.raises(errors.InvalidInput):
        _register(platform, owner, jwks={"keys": []})


def test_a_proof_id_is_accepted_once(platform) -> None:
    assert remember_once(platform.db, "dpop:k:j1", ttl=60)
    assert not remember_once(platform.db, "dpop:k:j1", ttl=60)
    assert remember_once(platform.db, "dpop:k:j2", ttl=60)


def test_an_unknown_pushed_request_is_not_found(platform) -> None:
    with pytest.raises(errors.NotFound):
        platform.oauth.pending("urn:ietf:params:oauth:request_uri:nope")
    assert platform.oauth.end_consent("no-such-consent") == 0
