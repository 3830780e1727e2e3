import pytest

from datanuri.accounts.policy import decide
from datanuri.accounts.principal import ANONYMOUS, SYSTEM, Principal


def user(**kw):
    return Principal(kind="user", user_id=1, email="u@example.org", **kw)


MEMBER = user(org_roles={"a": "member"})
EDITOR = user(org_roles={"a": "editor"})
OWNER_B = user(org_roles={"b": "owner"})
ADMIN = user(platform_role="admin")
AUDITOR = user(platform_role="auditor")


@pytest.mark.parametrize(
    "who, level, allowed",
    [
        (ANONYMOUS, "open", True),
        (ANONYMOUS, "restricted", False),
        (MEMBER, "restricted", True),
        (OWNER_B, "restricted", False),
        (AUDITOR, "restricted", False),
        (ADMIN, "restricted", True),
        (EDITOR, "personal", False),
        (ADMIN, "personal", False),
        (SYSTEM, "personal", False),
    ],
)
def test_read_rows(who, level, allowed):
    assert decide(who, "read_rows", org="a", access_level=level).allowed is allowed


def test_entitlement_opens_restricted_rows_only():
    assert decide(OWNER_B, "read_rows", org="a", access_level="restricted", entitled=True).allowed
    assert not decide(OWNER_B, "read_rows", org="a", access_level="personal", entitled=True).allowed


def test_publish_needs_editor_of_that_org():
    assert decide(EDITOR, "publish", org="a").allowed
    assert not decide(EDITOR, "publish", org="b").allowed
    assert not decide(MEMBER, "publish", org="a").allowed
    assert not decide(ADMIN, "publish", org="a").allowed
    d = decide(ANONYMOUS, "publish", org="a")
    assert not d.allowed and d.login_helps


def test_token_scopes_limit_what_a_role_allows():
    read_only = user(org_roles={"a": "editor"}, scopes=frozenset({"read"}))
    d = decide(read_only, "publish", org="a")
    assert not d.allowed and "publish" in d.reason
    assert decide(read_only, "read_rows", org="a", access_level="restricted").allowed


def test_hidden_personal_metadata():
    d = decide(ANONYMOUS, "read_metadata", org="a", access_level="personal", metadata_public=False)
    assert not d.allowed and d.hide
    assert decide(
        MEMBER, "read_metadata", org="a", access_level="personal", metadata_public=False
    ).allowed
    assert decide(
        ANONYMOUS, "read_metadata", org="a", access_level="personal", metadata_public=True
    ).allowed
