import datetime as dt

import pytest
import sqlalchemy as sa

from datanuri import errors
from datanuri.accounts.models import ApiToken
from datanuri.accounts.principal import SYSTEM
from datanuri.accounts.secrets import digest
from datanuri.accounts.service import LOCK_AFTER, MSG_BAD_LOGIN, MSG_BAD_TOKEN

PW = "correct horse battery"


@pytest.fixture
def acc(platform):
    platform.accounts.create_organization("org-a", principal=SYSTEM)
    platform.accounts.create_user(
        "kim@example.org", display_name="김민지", password=PW, principal=SYSTEM
    )
    return platform.accounts


def test_password_is_hashed_with_argon2(platform, acc):
    with platform.db.session() as s:
        stored = s.execute(sa.text("SELECT password_hash FROM users")).scalar_one()
    assert stored.startswith("$argon2id$") and PW not in stored


def test_login_same_error_for_unknown_user_and_wrong_password(acc):
    with pytest.raises(errors.NotAuthenticated) as unknown:
        acc.login("nobody@example.org", PW)
    with pytest.raises(errors.NotAuthenticated) as wrong:
        acc.login("kim@example.org", "wrong password!")
    assert unknown.value.message == wrong.value.message == MSG_BAD_LOGIN
    assert acc.login("KIM@example.org ", PW).email == "kim@example.org"


def test_repeated_failures_lock_the_account(acc):
    for _ in range(LOCK_AFTER):
        with pytest.raises(errors.NotAuthenticated):
            acc.login("kim@example.org", "wrong password!", client="10.0.0.9")
    with pytest.raises(errors.PermissionDenied, match="Too many failed logins"):
        acc.login("kim@example.org", PW, client="10.0.0.9")  # even the right password waits


def test_token_stored_only_as_hash_and_refused_after_revoke(platform, acc):
    info, secret = acc.create_token(
        name="script", scopes=["read", "publish"], for_email="kim@example.org", principal=SYSTEM
    )
    with platform.db.session() as s:
        rows = s.execute(sa.select(ApiToken.token_hash, ApiToken.prefix)).all()
    assert rows == [(digest(secret), secret[:10])]
    assert secret not in str(rows)
    p = acc.resolve_token(secret)
    assert p.email == "kim@example.org" and p.scopes == frozenset({"read", "publish"})
    acc.revoke_token(info.id, principal=SYSTEM)
    with pytest.raises(errors.NotAuthenticated, match="not valid"):
        acc.resolve_token(secret)
    size = platform.ledger.size()
    events = [e["entry"]["type"] for e in platform.ledger.entries(size - 2, size)]
    assert events == ["token.created", "token.revoked"]


def test_expired_token_is_refused(platform, acc):
    info, secret = acc.create_token(
        name="short", expires_in_days=1, for_email="kim@example.org", principal=SYSTEM
    )
    with platform.db.session() as s:
        s.get(ApiToken, info.id).expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with pytest.raises(errors.NotAuthenticated) as exc:
        acc.resolve_token(secret)
    assert exc.value.message == MSG_BAD_TOKEN


@pytest.mark.parametrize(
    "bad", ["", "Bearer", "dn_" + "x" * 500, "not-a-token", "dn_\u0000\u202e", "dn_guess"]
)
def test_malformed_or_unknown_tokens(acc, bad):
    with pytest.raises(errors.NotAuthenticated) as exc:
        acc.resolve_token(bad)
    assert exc.value.message == MSG_BAD_TOKEN


@pytest.mark.parametrize(
    "email, name, password, match",
    [
        ("not-an-email", "x", PW, "e-mail address"),
        ("a@b.org", "", PW, "cannot be empty"),
        ("a@b.org", "x" * 201, PW, "at most 200"),
        ("a@b.org", "evil\u202ename", PW, "invisible"),
        ("a@b.org", "x", "short", "at least 10"),
        ("a@b.org", "x", "p" * 2000, "at most 1024"),
        ("kim@example.org", "x", PW, "already exists"),
    ],
)
def test_bad_user_fields(acc, email, name, password, match):
    with pytest.raises((errors.InvalidInput, errors.Conflict), match=match):
        acc.create_user(email, display_name=name, password=password, principal=SYSTEM)


def test_korean_and_unicode_names_are_kept(acc):
    u = acc.create_user(
        "lee@example.org", display_name="  이서연 (Seo-yeon) 🙂 ", password=PW, principal=SYSTEM
    )
    assert u.display_name == "이서연 (Seo-yeon) 🙂"


def test_membership_roles_reach_the_principal(acc):
    acc.add_member("org-a", "kim@example.org", role="editor", principal=SYSTEM)
    assert acc.principal_for("kim@example.org").org_roles == {"org-a": "editor"}
    with pytest.raises(errors.InvalidInput):
        acc.add_member("org-a", "kim@example.org", role="boss", principal=SYSTEM)
    with pytest.raises(errors.NotAuthenticated):
        from datanuri.accounts import ANONYMOUS

        acc.add_member("org-a", "kim@example.org", role="owner", principal=ANONYMOUS)


def test_org_creator_becomes_owner(platform, acc):
    acc.create_user(
        "root@example.org",
        display_name="root",
        password=PW,
        platform_role="admin",
        principal=SYSTEM,
    )
    admin = acc.principal_for("root@example.org")
    platform.accounts.create_organization("org-b", principal=admin)
    assert acc.principal_for("root@example.org").org_roles == {"org-b": "owner"}


def test_parallel_wrong_logins_get_no_more_password_checks_than_the_limit(acc):
    """19 attempts at once (threads, a real database): LOCK_AFTER of them have their password
    checked (401); every other is refused as locked (403) without a check."""
    import threading

    n = 19
    start = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        start.wait()
        try:
            acc.login("kim@example.org", "wrong password!", client=f"10.0.0.{i}")
            result = "ok"
        except errors.NotAuthenticated:
            result = "checked"
        except errors.PermissionDenied:
            result = "locked"
        except Exception as exc:  # noqa: BLE001 - a database error is a failure of the test
            result = f"error: {exc!r}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["checked"] * LOCK_AFTER + ["locked"] * (n - LOCK_AFTER)


def test_successful_login_gives_its_slot_back_and_client_limit_spans_accounts(acc):
    from datanuri.accounts.service import LOCK_AFTER_CLIENT, LOCK_WINDOW, MSG_LOCKED

    for _ in range(LOCK_AFTER - 1):
        with pytest.raises(errors.NotAuthenticated):
            acc.login("kim@example.org", "wrong password!", client="10.0.0.1")
    for _ in range(3):  # successes do not add to the count
        assert acc.login("kim@example.org", PW, client="10.0.0.1").email == "kim@example.org"
    with pytest.raises(errors.NotAuthenticated):
        acc.login("kim@example.org", "wrong password!", client="10.0.0.1")
    with pytest.raises(errors.PermissionDenied):
        acc.login("kim@example.org", PW, client="10.0.0.1")
    # one client guessing across many accounts is locked after LOCK_AFTER_CLIENT failures
    # (the anomaly detector blocks this guessing sooner; the counters still count each try)
    for i in range(LOCK_AFTER_CLIENT):
        with pytest.raises((errors.NotAuthenticated, errors.PermissionDenied)):
            acc.login(f"user{i}@example.org", "guess guess", client="10.9.9.9")
    with pytest.raises(errors.PermissionDenied) as locked:
        acc.login("someone-else@example.org", "guess guess", client="10.9.9.9")
    assert locked.value.message == MSG_LOCKED.format(minutes=int(LOCK_WINDOW.total_seconds() // 60))
