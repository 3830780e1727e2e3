"""Sign-up with a mailed verification link and password reset, on both database backends, with
the real outbox (.eml files) and real link tables."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from datanuri import errors
from datanuri.accounts.mail import Mail, OutboxMailer, outbox_files
from datanuri.accounts.messages import MSG_LINK_BAD, MSG_SIGNUP_OFF, MSG_UNVERIFIED
from datanuri.accounts.models import AccountLink, WebSession
from datanuri.accounts.principal import SYSTEM
from datanuri.accounts.secrets import digest
from datanuri.accounts.selfservice import SelfService
from datanuri.config import Config
from datanuri.errors import ConfigError

PW = "correct horse battery"
NEW_PW = "a brand new passphrase"


def mails(platform) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for p in outbox_files(platform.config.outbox_path)
    ]


def link_in(msg, path: str) -> str:
    """The token of the first link to `path` in a mail's body."""
    body = msg.get_content()
    url = re.search(r"https?://\S+" + re.escape(path) + r"\?token=\S+", body)
    assert url, body
    return parse_qs(urlsplit(url.group(0)).query)["token"][0]


def test_sign_up_mails_a_link_and_the_account_logs_in_only_after_following_it(platform):
    platform.selfservice.sign_up("Lee@Example.org", display_name="이서연", password=PW)
    [msg] = mails(platform)
    assert msg["To"] == "lee@example.org"
    assert "이메일 주소 확인" in msg["Subject"]  # RFC 2047 header decoded back to Korean
    assert msg["Message-ID"] and msg["Date"]
    with pytest.raises(errors.NotAuthenticated) as refused:
        platform.accounts.login("lee@example.org", PW)
    assert refused.value.message == MSG_UNVERIFIED[1]
    assert refused.value.details == {"unverified": True}

    secret = link_in(msg, "/signup/verify")
    assert platform.selfservice.verify_email(secret).email == "lee@example.org"
    me = platform.accounts.login("lee@example.org", PW)
    assert me.email == "lee@example.org" and me.org_roles == {} and me.platform_role is None
    with pytest.raises(errors.NotAuthenticated) as again:  # single use
        platform.selfservice.verify_email(secret)
    assert again.value.message == MSG_LINK_BAD[1]


def test_links_are_stored_only_as_hashes(platform):
    platform.selfservice.sign_up("lee@example.org", display_name="이서연", password=PW)
    secret = link_in(mails(platform)[0], "/signup/verify")
    with platform.db.session() as s:
        stored = s.execute(sa.select(AccountLink.secret_hash, AccountLink.purpose)).all()
    assert stored == [(digest(secret), "verify")]


def test_an_expired_link_does_not_work(platform):
    platform.selfservice.sign_up("lee@example.org", display_name="이서연", password=PW)
    secret = link_in(mails(platform)[0], "/signup/verify")
    with platform.db.session() as s:
        link = s.scalar(sa.select(AccountLink))
        link.expires_at = link.created_at  # it was over the moment it was made
    with pytest.raises(errors.NotAuthenticated):
        platform.selfservice.verify_email(secret)
    with pytest.raises(errors.NotAuthenticated):
        platform.accounts.login("lee@example.org", PW)


def test_resend_replaces_nothing_but_mails_a_new_link(platform):
    ss = platform.selfservice
    ss.sign_up("lee@example.org", display_name="이서연", password=PW)
    ss.resend_verification("lee@example.org")
    ss.resend_verification("nobody@example.org")  # no account: no mail, no error
    first, second = mails(platform)
    assert first["To"] == second["To"] == "lee@example.org"
    ss.verify_email(link_in(second, "/signup/verify"))
    assert platform.accounts.login("lee@example.org", PW).email == "lee@example.org"


def test_signing_up_with_a_taken_address_changes_nothing_and_tells_its_owner(platform):
    platform.accounts.create_user(
        "kim@example.org", display_name="김민지", password=PW, principal=SYSTEM
    )
    platform.selfservice.sign_up("kim@example.org", display_name="공격자", password=NEW_PW)
    [msg] = mails(platform)
    assert "이미 가입된 주소" in msg["Subject"] and "/password/forgot" in msg.get_content()
    assert platform.accounts.login("kim@example.org", PW).email == "kim@example.org"
    with pytest.raises(errors.NotAuthenticated):
        platform.accounts.login("kim@example.org", NEW_PW)


def test_a_later_sign_up_of_an_unverified_address_kills_the_earlier_link(platform):
    ss = platform.selfservice
    ss.sign_up("lee@example.org", display_name="누군가", password="first password!")
    ss.sign_up("lee@example.org", display_name="이서연", password=PW)
    first, second = mails(platform)
    with pytest.raises(errors.NotAuthenticated):
        ss.verify_email(link_in(first, "/signup/verify"))
    assert ss.verify_email(link_in(second, "/signup/verify")).display_name == "이서연"
    assert platform.accounts.login("lee@example.org", PW)


def test_sign_up_checks_its_fields(platform):
    ss = platform.selfservice
    with pytest.raises(errors.InvalidInput, match="10 to 1024"):
        ss.sign_up("lee@example.org", display_name="이서연", password="short")
    with pytest.raises(errors.InvalidInput, match="e-mail address"):
        ss.sign_up("not-an-address", display_name="이서연", password=PW)
    with pytest.raises(errors.InvalidInput, match="name"):
        ss.sign_up("lee@example.org", display_name="  ", password=PW)
    assert mails(platform) == []


def test_sign_up_can_be_switched_off(platform):
    off = SelfService(
        platform.db,
        platform.selfservice.mailer,
        dataclasses.replace(platform.selfservice.settings, signup="off"),
    )
    with pytest.raises(errors.PermissionDenied) as refused:
        off.sign_up("lee@example.org", display_name="이서연", password=PW)
    assert refused.value.message == MSG_SIGNUP_OFF[1]


def test_password_reset_ends_sessions_and_the_old_password(platform):
    platform.accounts.create_user(
        "kim@example.org", display_name="김민지", password=PW, principal=SYSTEM
    )
    session, _ = platform.accounts.create_session(platform.accounts.login("kim@example.org", PW))
    ss = platform.selfservice
    ss.request_reset("nobody@example.org")  # the same silence as for a known address
    ss.request_reset("not an address")
    assert mails(platform) == []
    ss.request_reset("KIM@example.org")
    [msg] = mails(platform)
    secret = link_in(msg, "/password/reset")
    assert ss.reset_link_valid(secret)
    with pytest.raises(errors.InvalidInput):  # a refused password does not spend the link
        ss.reset_password(secret, "short")
    assert ss.reset_password(secret, NEW_PW) == "kim@example.org"
    assert not ss.reset_link_valid(secret)
    with pytest.raises(errors.NotAuthenticated):
        ss.reset_password(secret, "yet another passphrase")
    with pytest.raises(errors.NotAuthenticated):
        platform.accounts.login("kim@example.org", PW)
    assert platform.accounts.login("kim@example.org", NEW_PW).email == "kim@example.org"
    with pytest.raises(errors.NotAuthenticated):
        platform.accounts.resolve_session(session)
    with platform.db.session() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(WebSession)) == 0


def test_a_new_reset_link_spends_the_older_one(platform):
    platform.accounts.create_user(
        "kim@example.org", display_name="김민지", password=PW, principal=SYSTEM
    )
    platform.selfservice.request_reset("kim@example.org")
    platform.selfservice.request_reset("kim@example.org")
    first, second = (link_in(m, "/password/reset") for m in mails(platform))
    assert not platform.selfservice.reset_link_valid(first)
    assert platform.selfservice.reset_link_valid(second)


def test_an_address_gets_at_most_a_few_mails_an_hour(platform):
    platform.accounts.create_user(
        "kim@example.org", display_name="김민지", password=PW, principal=SYSTEM
    )
    limit = platform.selfservice.settings.mails_per_hour
    for _ in range(limit + 3):
        platform.selfservice.request_reset("kim@example.org")
    assert len(mails(platform)) == limit


def test_one_client_cannot_mail_many_addresses(platform):
    ss = platform.selfservice
    for i in range(ss.settings.mails_per_client_hour + 2):
        ss.sign_up(f"u{i}@example.org", display_name="가입자", password=PW, client="10.0.0.7")
    assert len(mails(platform)) == ss.settings.mails_per_client_hour
    ss.sign_up("late@example.org", display_name="가입자", password=PW, client="10.0.0.8")
    assert len(mails(platform)) == ss.settings.mails_per_client_hour + 1


def test_reset_verifies_an_unverified_account(platform):
    platform.selfservice.sign_up("lee@example.org", display_name="이서연", password=PW)
    platform.selfservice.request_reset("lee@example.org")
    reset = [m for m in mails(platform) if "비밀번호" in m["Subject"]][0]
    platform.selfservice.reset_password(link_in(reset, "/password/reset"), NEW_PW)
    assert platform.accounts.login("lee@example.org", NEW_PW).email == "lee@example.org"


def test_links_start_with_the_configured_public_url(tmp_path: Path):
    from datanuri.platform import Platform

    with Platform(Config(data_dir=tmp_path, public_url="https://data.example.kr/")) as p:
        p.selfservice.sign_up("lee@example.org", display_name="이서연", password=PW)
        [msg] = mails(p)
    assert "https://data.example.kr/signup/verify?token=" in msg.get_content()


def test_outbox_writes_owner_only_complete_files(tmp_path: Path):
    box = OutboxMailer(tmp_path / "out", "datanuri <noreply@datanuri.local>")
    box.send(Mail("lee@example.org", "제목", "본문 body"))
    [path] = outbox_files(tmp_path / "out")
    assert path.stat().st_mode & 0o777 == 0o600
    assert list((tmp_path / "out").glob("*.part")) == []
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "제목" and "본문 body" in msg.get_content()  # type: ignore[attr-defined]


def test_config_checks_the_new_switches(tmp_path: Path):
    assert Config().signup == "open" and Config().mail_transport == "outbox"
    assert Config(data_dir=tmp_path).outbox_path == tmp_path / "outbox"
    assert Config.from_mapping({"outbox_dir": str(tmp_path / "x")}).outbox_path == tmp_path / "x"
    assert Config(host="0.0.0.0", port=9000).base_url == "http://0.0.0.0:9000"
    with pytest.raises(ConfigError, match="SIGNUP"):
        Config.from_mapping({"signup": "maybe"})
    with pytest.raises(ConfigError, match="MAIL_TRANSPORT"):
        Config.from_mapping({"mail_transport": "pigeon"})


def test_a_server_started_on_another_address_mails_links_to_it(platform):
    platform.selfservice.use_address("http://10.1.2.3:9000")
    platform.selfservice.sign_up("lee@example.org", display_name="이서연", password=PW)
    assert "http://10.1.2.3:9000/signup/verify?token=" in mails(platform)[0].get_content()
