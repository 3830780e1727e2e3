"""Self-service accounts: sign-up verified by an e-mailed link, and password reset by one.

These act for nobody: the caller is anonymous and the mailed link's secret is the credential, so
the methods take no principal. Links are random, stored as SHA-256, work once and expire.
Answers never say whether an address has an account (no enumeration): sign-up, resend and
"forgot password" behave the same for known and unknown addresses, and each address gets at most
`mails_per_hour` mails."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from datanuri import errors
from datanuri.accounts import lockout
from datanuri.accounts import secrets as sec
from datanuri.accounts import validate as v
from datanuri.accounts.mail import Mail, Mailer
from datanuri.accounts.messages import (
    MSG_BAD_EMAIL,
    MSG_BAD_NAME,
    MSG_LINK_BAD,
    MSG_PASSWORD_RULE,
    MSG_SIGNUP_OFF,
)
from datanuri.accounts.models import AccountLink, LoginChallenge, LoginCounter, User, WebSession
from datanuri.store.db import Database, utcnow

log = logging.getLogger("datanuri.accounts.selfservice")

Purpose = Literal["verify", "reset"]
MAIL_WINDOW = dt.timedelta(hours=1)


@dataclass(frozen=True)
class SelfServiceSettings:
    """Whether anyone may sign up, how long mailed links live, where they point."""

    signup: Literal["open", "off"] = "open"
    verify_ttl: dt.timedelta = dt.timedelta(hours=48)
    reset_ttl: dt.timedelta = dt.timedelta(hours=1)
    public_url: str = "http://127.0.0.1:8000"
    mails_per_hour: int = 5  # to one address
    mails_per_client_hour: int = 30  # asked for by one client address, to any addresses


@dataclass(frozen=True)
class Verified:
    """The account a verification link confirmed."""

    email: str
    display_name: str


def _clean_email(email: str) -> str:
    try:
        return v.clean_email(email)
    except errors.InvalidInput as exc:
        raise errors.InvalidInput(MSG_BAD_EMAIL[1]) from exc


def _check_password(password: str) -> str:
    try:
        return v.check_password(password)
    except errors.InvalidInput as exc:
        raise errors.InvalidInput(MSG_PASSWORD_RULE[1]) from exc


class SelfService:
    def __init__(self, db: Database, mailer: Mailer, settings: SelfServiceSettings) -> None:
        self.db = db
        self.mailer = mailer
        self.settings = settings

    def use_address(self, base_url: str) -> None:
        """Start mailed links with `base_url` (the address a server was started on, when no
        public URL is configured)."""
        self.settings = dataclasses.replace(self.settings, public_url=base_url)

    @property
    def signup_open(self) -> bool:
        return self.settings.signup == "open"

    # ----- sign-up and verification ---------------------------------------------------------
    def sign_up(
        self, email: str, *, display_name: str, password: str, client: str | None = None
    ) -> None:
        """Create an unverified user and mail it a verification link. For an address that has
        a verified account, the owner is told by mail instead; the caller learns nothing."""
        if not self.signup_open:
            raise errors.PermissionDenied(MSG_SIGNUP_OFF[1])
        email = _clean_email(email)
        try:
            name = v.clean_display_name(display_name)
        except errors.InvalidInput as exc:
            raise errors.InvalidInput(MSG_BAD_NAME[1]) from exc
        password_hash = sec.hash_password(_check_password(password))  # paid on every path
        may_mail = self._may_mail(email, client)
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.email == email))
            if user is None:
                user = User(
                    email=email,
                    display_name=name,
                    password_hash=password_hash,
                    email_verified=False,
                )
                s.add(user)
                s.flush()
            elif not user.email_verified:
                # The latest sign-up wins; links sent for earlier passwords stop working.
                user.password_hash, user.display_name = password_hash, name
                self._drop_links(s, user.id, "verify")
            else:
                if may_mail:
                    self.mailer.send(self._already_mail(email))
                return
            mail = self._verify_mail(s, user) if may_mail else None
        if mail is not None:
            self.mailer.send(mail)

    def resend_verification(self, email: str, *, client: str | None = None) -> None:
        """Mail a fresh verification link if `email` has an unverified account."""
        email = _clean_email(email)
        may_mail = self._may_mail(email, client)
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.email == email))
            if user is None or user.email_verified or not user.is_active:
                return
            mail = self._verify_mail(s, user) if may_mail else None
        if mail is not None:
            self.mailer.send(mail)

    def verify_email(self, secret: str) -> Verified:
        """Follow a verification link: the account becomes able to log in."""
        with self.db.session() as s:
            user_id = self._consume(s, secret, "verify")
            user = s.get(User, user_id)
            assert user is not None
            user.email_verified = True
            return Verified(user.email, user.display_name)

    # ----- password reset -------------------------------------------------------------------
    def request_reset(self, email: str, *, client: str | None = None) -> None:
        """Mail a password-reset link if `email` has an active account; otherwise nothing."""
        try:
            email = _clean_email(email)
        except errors.InvalidInput:
            return  # the same answer as for an unknown address
        may_mail = self._may_mail(email, client)
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.email == email))
            if user is None or not user.is_active or not may_mail:
                return
            self._drop_links(s, user.id, "reset")
            secret = self._new_link(s, user.id, "reset", self.settings.reset_ttl)
            mail = Mail(
                email,
                "[datanuri] 비밀번호 재설정 / Set a new password",
                _reset_body(self._link("/password/reset", secret), self.settings.reset_ttl),
            )
        self.mailer.send(mail)

    def reset_link_valid(self, secret: str) -> bool:
        """Whether a reset link would still work (to show its form or say it is spent)."""
        return self.link_valid(secret, "reset")

    def link_valid(self, secret: str, purpose: Purpose) -> bool:
        """Whether a mailed link would still work, without spending it."""
        with self.db.session() as s:
            return self._live(s, secret, purpose) is not None

    def reset_password(self, secret: str, password: str) -> str:
        """Set a new password through a reset link; ends every session and pending login of the
        account, and confirms its address (the link proved the mailbox). Returns the e-mail."""
        password_hash = sec.hash_password(_check_password(password))  # before the link is spent
        with self.db.session() as s:
            user_id = self._consume(s, secret, "reset")
            user = s.get(User, user_id)
            assert user is not None
            user.password_hash = password_hash
            user.email_verified = True
            s.execute(delete(WebSession).where(WebSession.user_id == user_id))
            s.execute(delete(LoginChallenge).where(LoginChallenge.user_id == user_id))
            s.execute(delete(LoginCounter).where(LoginCounter.key == f"email:{user.email}"))
            self._drop_links(s, user_id, "reset")
            log.info("password reset by mailed link: user=%s", user_id)
            return user.email

    # ----- links ------------------------------------------------------------------------------
    def _link(self, path: str, secret: str) -> str:
        return f"{self.settings.public_url.rstrip('/')}{path}?{urlencode({'token': secret})}"

    def _new_link(self, s: Session, user_id: int, purpose: Purpose, ttl: dt.timedelta) -> str:
        secret = sec.new_secret()
        s.add(
            AccountLink(
                secret_hash=sec.digest(secret),
                user_id=user_id,
                purpose=purpose,
                expires_at=utcnow() + ttl,
            )
        )
        return secret

    @staticmethod
    def _drop_links(s: Session, user_id: int, purpose: Purpose) -> None:
        """Spend every unused link of this purpose (a newer one replaces them)."""
        t = AccountLink
        s.execute(
            update(t)
            .where(t.user_id == user_id, t.purpose == purpose, t.used_at.is_(None))
            .values(used_at=utcnow())
        )

    @staticmethod
    def _live(s: Session, secret: str, purpose: Purpose) -> int | None:
        t = AccountLink
        return s.scalar(
            select(t.user_id).where(
                t.secret_hash == sec.digest(secret or ""),
                t.purpose == purpose,
                t.used_at.is_(None),
                t.expires_at > utcnow(),
            )
        )

    @staticmethod
    def _consume(s: Session, secret: str, purpose: Purpose) -> int:
        """Spend a live link in one statement (two concurrent uses: one wins); its user id."""
        t = AccountLink
        now = utcnow()
        user_id = s.execute(
            update(t)
            .where(
                t.secret_hash == sec.digest(secret or ""),
                t.purpose == purpose,
                t.used_at.is_(None),
                t.expires_at > now,
            )
            .values(used_at=now)
            .returning(t.user_id)
        ).scalar()
        if user_id is None:
            raise errors.NotAuthenticated(MSG_LINK_BAD[1])
        return int(user_id)

    def _may_mail(self, email: str, client: str | None) -> bool:
        """Take one of this hour's mails of the address and of the asking client (so no one
        floods a mailbox or sends through us to many), in the lockout's atomic counters."""
        counters = [lockout.Counter(f"mail:{email}", self.settings.mails_per_hour)]
        if client:
            counters.append(
                lockout.Counter(f"mailclient:{client[:100]}", self.settings.mails_per_client_hour)
            )
        with self.db.session() as s:
            allowed = lockout.take_all(s, counters, now=utcnow(), window=MAIL_WINDOW)
            if not allowed:
                s.rollback()  # neither counter moves for a refused mail
        if not allowed:
            log.warning("account mail withheld (too many this hour): %r client=%r", email, client)
        return allowed

    # ----- mails ------------------------------------------------------------------------------
    def _verify_mail(self, s: Session, user: User) -> Mail:
        secret = self._new_link(s, user.id, "verify", self.settings.verify_ttl)
        link = self._link("/signup/verify", secret)
        hours = int(self.settings.verify_ttl.total_seconds() // 3600)
        return Mail(
            user.email,
            "[datanuri] 이메일 주소 확인 / Confirm your e-mail address",
            f"{user.display_name}님, datanuri(데이터누리)에 가입해 주셔서 고맙습니다.\n"
            f"아래 링크를 열어 이메일 주소를 확인하면 로그인할 수 있습니다. 링크는 {hours}시간 동안 "
            "한 번만 쓸 수 있습니다.\n\n"
            f"{link}\n\n"
            "가입한 적이 없다면 이 메일을 무시하세요.\n\n"
            "-- \n"
            "Thank you for signing up to datanuri. Open the link above to confirm your e-mail "
            f"address; then you can log in. It works once, for {hours} hours. If you did not sign "
            "up, ignore this mail.\n",
        )

    def _already_mail(self, email: str) -> Mail:
        login, forgot = self._page("/login"), self._page("/password/forgot")
        return Mail(
            email,
            "[datanuri] 이미 가입된 주소입니다 / You already have an account",
            "이 이메일 주소로 datanuri 가입 신청이 있었지만, 이 주소에는 이미 계정이 있습니다.\n"
            f"로그인: {login}\n비밀번호를 잊었다면: {forgot}\n"
            "본인이 신청하지 않았다면 이 메일을 무시하세요. 계정은 바뀌지 않았습니다.\n\n"
            "-- \n"
            "Someone asked to sign up to datanuri with this address, which already has an "
            "account. Log in at the first link, or set a new password at the second. If it was "
            "not you, ignore this mail: nothing changed.\n",
        )

    def _page(self, path: str) -> str:
        return f"{self.settings.public_url.rstrip('/')}{path}"


def _reset_body(link: str, ttl: dt.timedelta) -> str:
    minutes = int(ttl.total_seconds() // 60)
    return (
        "datanuri(데이터누리) 비밀번호 재설정을 요청하셨습니다.\n"
        f"아래 링크를 열어 새 비밀번호를 정하세요. 링크는 {minutes}분 동안 한 번만 쓸 수 있고, "
        "새 비밀번호를 정하면 이 계정의 모든 로그인이 끝납니다.\n\n"
        f"{link}\n\n"
        "요청하지 않았다면 이 메일을 무시하세요. 비밀번호는 바뀌지 않습니다.\n\n"
        "-- \n"
        "Someone asked to set a new datanuri password for this address. Open the link above to "
        f"choose one; it works once, for {minutes} minutes, and logs out every session of the "
        "account. If it was not you, ignore this mail: your password stays as it is.\n"
    )
