"""Sending account e-mail (verification and password-reset links): a `Mailer` protocol, an outbox
that writes RFC 5322 .eml files (the demo's and the tests' "mailbox") and an SMTP sender."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol

from datanuri.errors import ServiceUnavailable


@dataclass(frozen=True)
class Mail:
    """One message to one address: a subject and a plain-text body."""

    to: str
    subject: str
    body: str


class Mailer(Protocol):
    """Something that delivers account e-mail."""

    def send(self, mail: Mail) -> None: ...


def build_message(mail: Mail, sender: str) -> EmailMessage:
    """`mail` as an RFC 5322 message (UTF-8 text, encoded headers for Korean subjects)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or "datanuri")
    msg.set_content(mail.body)
    return msg


class OutboxMailer:
    """Writes each message as a .eml file under `directory` instead of sending it: for the demo
    and tests, or a server without a mail relay (an admin forwards the files)."""

    def __init__(self, directory: Path, sender: str) -> None:
        self.directory = directory
        self.sender = sender

    def send(self, mail: Mail) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.directory / f"{stamp}-{secrets.token_hex(4)}.eml"
        data = build_message(mail, self.sender).as_bytes()
        # Written beside it first and renamed, so a reader never sees half a message; owner-only
        # because the message holds a live link.
        tmp = path.with_suffix(".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)


class SmtpMailer:
    """Sends through an SMTP relay (optionally upgraded with STARTTLS)."""

    def __init__(
        self, host: str, port: int, sender: str, *, starttls: bool = False, timeout: float = 20.0
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.timeout = starttls, timeout

    def send(self, mail: Mail) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                smtp.send_message(build_message(mail, self.sender))
        except (OSError, smtplib.SMTPException) as exc:
            raise ServiceUnavailable(
                f"The mail server {self.host}:{self.port} did not take the message ({exc}). "
                "Try again later, or ask an admin to check the SMTP settings."
            ) from exc


def outbox_files(directory: Path) -> list[Path]:
    """The .eml files of an outbox, oldest first."""
    return sorted(directory.glob("*.eml")) if directory.is_dir() else []


def make_mailer(
    transport: str, *, outbox: Path, sender: str, host: str, port: int, starttls: bool
) -> Mailer:
    """The configured mailer: the outbox ("outbox") or an SMTP relay ("smtp")."""
    if transport == "smtp":
        return SmtpMailer(host, port, sender, starttls=starttls)
    return OutboxMailer(outbox, sender)
