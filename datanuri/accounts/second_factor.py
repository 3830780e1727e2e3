"""`SecondFactors`: enrolled TOTP apps and passkeys, recovery codes, and the pending logins
(challenges) between a right password and a passed second factor. TOTP seeds are sealed with
AES-256-GCM (`secrets.seal`); recovery codes and challenge secrets are stored as SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from datanuri import errors
from datanuri.accounts import mfa, webauthn_keys
from datanuri.accounts import secrets as sec
from datanuri.accounts.messages import (
    MSG_BAD_CODE,
    MSG_CHALLENGE_GONE,
    MSG_NO_PASSKEY,
    MSG_NOT_ENROLLING,
    MSG_TOO_MANY_CODES,
)
from datanuri.accounts.models import LoginChallenge, RecoveryCode, SecondFactor, User
from datanuri.accounts.webauthn_keys import RelyingParty
from datanuri.events import EventSink, SecondFactorEnrolled
from datanuri.store.db import Database, utcnow

Purpose = Literal["verify", "enroll"]
CHALLENGE_TTL = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 5  # wrong codes per pending login; then the password step starts again


@dataclass(frozen=True)
class SecondFactorSettings:
    """Who needs a second factor, and this server as a WebAuthn relying party."""

    policy: str = "publishers"  # off | publishers | everyone (see mfa.requires_second_factor)
    relying_party: RelyingParty = field(
        default_factory=lambda: RelyingParty("localhost", "datanuri", ("http://localhost:8000",))
    )


@dataclass(frozen=True)
class Proof:
    """What the user offers as a second factor: one of a TOTP code, a recovery code, a passkey
    answer (the browser's PublicKeyCredential as JSON)."""

    code: str | None = None
    recovery_code: str | None = None
    passkey: dict[str, Any] | None = None


@dataclass(frozen=True)
class FactorInfo:
    id: int
    kind: str
    label: str
    created_at: str
    last_used_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TotpSetup:
    """A TOTP seed to put in an authenticator app, as text and as an otpauth:// URI."""

    secret: str
    uri: str


@dataclass(frozen=True)
class Passed:
    """A pending login whose second factor was passed (or first enrolled)."""

    user_id: int
    event_id: int | None
    recovery_codes: tuple[str, ...] = ()  # new codes, shown once (first enrolment only)


class SecondFactors:
    def __init__(
        self, db: Database, events: EventSink, key: bytes, settings: SecondFactorSettings
    ) -> None:
        self.db = db
        self.events = events
        self.key = key
        self.settings = settings

    # ----- pending logins ------------------------------------------------------------------
    def open(self, s: Session, user_id: int, purpose: Purpose, event_id: int | None) -> str:
        """Start a pending login for `user_id`; returns its secret (sent to the client once)."""
        secret = sec.new_secret()
        s.add(
            LoginChallenge(
                secret_hash=sec.digest(secret),
                user_id=user_id,
                purpose=purpose,
                event_id=event_id,
                expires_at=utcnow() + CHALLENGE_TTL,
            )
        )
        return secret

    @staticmethod
    def methods(s: Session, user_id: int) -> tuple[str, ...]:
        """The kinds of second factor `user_id` can pass: totp, passkey, recovery."""
        kinds = set(s.scalars(select(SecondFactor.kind).where(SecondFactor.user_id == user_id)))
        has_codes = s.scalar(
            select(RecoveryCode.id)
            .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
            .limit(1)
        )
        return tuple(k for k in ("totp", "passkey") if k in kinds) + (
            ("recovery",) if has_codes is not None else ()
        )

    def verify(self, challenge: str, proof: Proof) -> Passed:
        """Check `proof` for the pending login `challenge`; consumes it when it passes. Wrong
        codes are counted, and after MAX_ATTEMPTS the pending login ends."""
        with self.db.session() as s:
            ch = self._pending(s, challenge, "verify")
            ok = self._check(s, ch, proof)
            if ok:
                passed = Passed(ch.user_id, ch.event_id)
                s.delete(ch)
            else:
                ch.attempts += 1
        if not ok:
            raise errors.NotAuthenticated(MSG_BAD_CODE[1])
        return passed

    def passkey_options(self, challenge: str) -> str:
        """WebAuthn options to sign this pending login with one of the user's passkeys."""
        with self.db.session() as s:
            ch = self._pending(s, challenge, "verify")
            ids = list(
                s.scalars(
                    select(SecondFactor.credential_id).where(
                        SecondFactor.user_id == ch.user_id, SecondFactor.kind == "passkey"
                    )
                )
            )
            if not ids:
                raise errors.InvalidInput(MSG_NO_PASSKEY[1])
            ceremony = webauthn_keys.authentication(
                self.settings.relying_party, [i for i in ids if i]
            )
            ch.webauthn_challenge = ceremony.challenge
            return ceremony.options_json

    # ----- enrolment -----------------------------------------------------------------------
    def totp_setup(self, challenge: str, *, account: str) -> TotpSetup:
        """A new TOTP seed for an enrolling login; kept (sealed) until a code confirms it."""
        secret = mfa.new_totp_secret()
        with self.db.session() as s:
            ch = self._pending(s, challenge, "enroll")
            ch.pending_secret = sec.seal(self.key, secret, context=f"totp:{ch.user_id}")
        return TotpSetup(secret, mfa.totp_uri(secret, account))

    def totp_confirm(self, challenge: str, code: str, *, label: str = "authenticator") -> Passed:
        """Enrol the TOTP seed of `totp_setup` once the app shows a right code for it."""
        with self.db.session() as s:
            ch = self._pending(s, challenge, "enroll")
            if ch.pending_secret is None:
                raise errors.InvalidInput(MSG_NOT_ENROLLING[1])
            secret = self._unseal(ch.pending_secret, ch.user_id)
            step = mfa.totp_step(secret, code, at=utcnow(), after=None)
            if step is None:
                ch.attempts += 1
                failed = True
            else:
                failed = False
                s.add(
                    SecondFactor(
                        user_id=ch.user_id,
                        kind="totp",
                        label=label[:200] or "authenticator",
                        secret_sealed=ch.pending_secret,
                        last_step=step,
                    )
                )
                passed = self._finish_enrolment(s, ch, "totp")
        if failed:
            raise errors.NotAuthenticated(MSG_BAD_CODE[1])
        return passed

    def passkey_registration(self, challenge: str) -> str:
        """WebAuthn options to create a passkey for an enrolling login."""
        with self.db.session() as s:
            ch = self._pending(s, challenge, "enroll")
            user = s.get(User, ch.user_id)
            assert user is not None
            existing = s.scalars(
                select(SecondFactor.credential_id).where(
                    SecondFactor.user_id == user.id, SecondFactor.kind == "passkey"
                )
            )
            ceremony = webauthn_keys.registration(
                self.settings.relying_party,
                user_handle=user_handle(user.id),
                user_name=user.email,
                display_name=user.display_name,
                exclude=[c for c in existing if c],
            )
            ch.webauthn_challenge = ceremony.challenge
            return ceremony.options_json

    def passkey_register(
        self, challenge: str, credential: dict[str, Any], *, label: str = "passkey"
    ) -> Passed:
        """Enrol the passkey the browser created for `passkey_registration`."""
        with self.db.session() as s:
            ch = self._pending(s, challenge, "enroll")
            if ch.webauthn_challenge is None:
                raise errors.InvalidInput(MSG_NOT_ENROLLING[1])
            key = webauthn_keys.verify_registration(
                self.settings.relying_party, credential, ch.webauthn_challenge
            )
            if s.scalar(
                select(SecondFactor.id).where(SecondFactor.credential_id == key.credential_id)
            ):
                raise errors.Conflict("This passkey is already registered.")
            s.add(
                SecondFactor(
                    user_id=ch.user_id,
                    kind="passkey",
                    label=label[:200] or "passkey",
                    credential_id=key.credential_id,
                    public_key=key.public_key,
                    sign_count=key.sign_count,
                )
            )
            return self._finish_enrolment(s, ch, "passkey")

    def seed_totp(self, s: Session, user_id: int, secret: str, *, label: str) -> None:
        """Enrol a known TOTP seed for `user_id` (the demo's users; callers check authority)."""
        if s.scalar(
            select(SecondFactor.id).where(
                SecondFactor.user_id == user_id, SecondFactor.kind == "totp"
            )
        ):
            return
        sealed = sec.seal(self.key, secret, context=f"totp:{user_id}")
        s.add(SecondFactor(user_id=user_id, kind="totp", label=label, secret_sealed=sealed))
        self.events.record(
            s, SecondFactorEnrolled(actor="system", time=utcnow(), user_id=user_id, kind="totp")
        )

    def list_factors(self, user_id: int) -> list[FactorInfo]:
        with self.db.session() as s:
            rows = s.scalars(
                select(SecondFactor)
                .where(SecondFactor.user_id == user_id)
                .order_by(SecondFactor.id)
            )
            return [
                FactorInfo(
                    f.id,
                    f.kind,
                    f.label,
                    f.created_at.isoformat(),
                    f.last_used_at.isoformat() if f.last_used_at else None,
                )
                for f in rows
            ]

    # ----- helpers -------------------------------------------------------------------------
    def _pending(self, s: Session, challenge: str, purpose: Purpose) -> LoginChallenge:
        ch = s.scalar(
            select(LoginChallenge).where(LoginChallenge.secret_hash == sec.digest(challenge or ""))
        )
        if ch is None or ch.expires_at <= utcnow():
            raise errors.NotAuthenticated(MSG_CHALLENGE_GONE[1])
        if ch.attempts >= MAX_ATTEMPTS:
            raise errors.NotAuthenticated(MSG_TOO_MANY_CODES[1])
        if ch.purpose != purpose:
            raise errors.InvalidInput(MSG_NOT_ENROLLING[1])
        return ch

    def _check(self, s: Session, ch: LoginChallenge, proof: Proof) -> bool:
        now = utcnow()
        if proof.code:
            for f in s.scalars(
                select(SecondFactor).where(
                    SecondFactor.user_id == ch.user_id, SecondFactor.kind == "totp"
                )
            ):
                if f.secret_sealed is None:
                    continue
                secret = self._unseal(f.secret_sealed, ch.user_id)
                step = mfa.totp_step(secret, proof.code, at=now, after=f.last_step)
                if step is not None:
                    f.last_step, f.last_used_at = step, now
                    return True
            return False
        if proof.recovery_code:
            code = mfa.normalise_recovery_code(proof.recovery_code)
            row = s.scalar(
                select(RecoveryCode).where(
                    RecoveryCode.user_id == ch.user_id,
                    RecoveryCode.code_hash == sec.digest(code),
                    RecoveryCode.used_at.is_(None),
                )
            )
            if row is None:
                return False
            row.used_at = now
            return True
        if proof.passkey is not None:
            if ch.webauthn_challenge is None:
                return False
            cred_id = webauthn_keys.credential_id_of(proof.passkey)
            key = s.scalar(
                select(SecondFactor).where(
                    SecondFactor.user_id == ch.user_id,
                    SecondFactor.kind == "passkey",
                    SecondFactor.credential_id == cred_id,
                )
            )
            if key is None or key.public_key is None:
                return False
            try:
                count = webauthn_keys.verify_authentication(
                    self.settings.relying_party,
                    proof.passkey,
                    ch.webauthn_challenge,
                    public_key=key.public_key,
                    sign_count=key.sign_count,
                )
            except errors.InvalidInput:
                return False
            key.sign_count, key.last_used_at = count, now
            ch.webauthn_challenge = None  # one answer per challenge
            return True
        return False

    def _finish_enrolment(self, s: Session, ch: LoginChallenge, kind: str) -> Passed:
        """Record the enrolment (in its transaction); the first factor of a user also makes
        their recovery codes (shown once)."""
        self.events.record(
            s,
            SecondFactorEnrolled(
                actor=f"user:{ch.user_id}", time=utcnow(), user_id=ch.user_id, kind=kind
            ),
        )
        codes: list[str] = []
        has_codes = s.scalar(
            select(RecoveryCode.id)
            .where(RecoveryCode.user_id == ch.user_id, RecoveryCode.used_at.is_(None))
            .limit(1)
        )
        if has_codes is None:
            codes = mfa.new_recovery_codes()
            for c in codes:
                s.add(RecoveryCode(user_id=ch.user_id, code_hash=sec.digest(c)))
        s.delete(ch)
        return Passed(ch.user_id, ch.event_id, tuple(codes))

    def _unseal(self, sealed: str, user_id: int) -> str:
        return sec.unseal(self.key, sealed, context=f"totp:{user_id}")


def user_handle(user_id: int) -> bytes:
    """The WebAuthn user handle of a user: opaque bytes, no e-mail."""
    return hashlib.sha256(f"datanuri-user:{user_id}".encode()).digest()
