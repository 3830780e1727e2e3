"""The sending side: the `notify.deliver` job kind sends one delivery row after the sender's
transaction committed, by e-mail (the configured `Mailer`) or as a signed webhook call.

A failed attempt is logged on the row (attempt count, HTTP status, error) and raised as
`DeliveryFailed`, so the job queue tries again after its backoff (retry base, doubled per
attempt) until the row's job runs out of attempts. Each failed webhook attempt counts against
its endpoint; `disable_after` failures in a row disable it (a success resets the count).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from datanuri.accounts.mail import Mail, Mailer
from datanuri.accounts.models import User
from datanuri.accounts.secrets import unseal
from datanuri.errors import DatanuriError
from datanuri.jobs.kinds import JobContext, JobKind, JobOutput
from datanuri.notify import messages as M
from datanuri.notify.channels import KIND, DeliverParams
from datanuri.notify.models import Delivery, WebhookEndpoint
from datanuri.notify.settings import ChannelSettings, after_attempt
from datanuri.notify.signing import signed_headers
from datanuri.notify.urls import Resolver, check_target, pinned, resolve
from datanuri.store.db import Database, utcnow

USER_AGENT = "datanuri-webhooks/1"
MAIL_SUBJECT = ("[datanuri] 새 알림", "[datanuri] New notification")
MAIL_FOOTER = (
    "알림 메일을 받지 않으려면 계정 설정에서 끄세요:",
    "To stop these e-mails, turn them off in your account settings:",
)
ERROR_LIMIT = 500  # characters of an error kept on the row


class DeliveryFailed(Exception):
    """One attempt failed in a way worth retrying (not a `DatanuriError`: the queue retries)."""


def sealing_context(endpoint_id: int) -> str:
    """What an endpoint's sealed secret is bound to (a secret cannot move to another row)."""
    return f"webhook-endpoint:{endpoint_id}"


def render_mail(to: str, text: tuple[str, str], link: str, base_url: str) -> Mail:
    """A notice as one bilingual message: Korean first, then English, each with its link."""
    url = base_url.rstrip("/") + link if link.startswith("/") else link
    body = (
        f"{text[0]}\n{url}\n\n----\n{text[1]}\n{url}\n\n"
        f"{MAIL_FOOTER[0]} {base_url.rstrip('/')}/account\n"
        f"{MAIL_FOOTER[1]} {base_url.rstrip('/')}/account\n"
    )
    return Mail(to=to, subject=f"{MAIL_SUBJECT[0]} / {MAIL_SUBJECT[1]}", body=body)


@dataclass(frozen=True)
class Attempt:
    """What one try of a delivery found: success, the HTTP status, and an error to log."""

    ok: bool
    status: int | None = None
    error: str | None = None


class Sender:
    """Sends delivery rows: mail through the mailer, webhooks over HTTP with signatures."""

    def __init__(
        self,
        db: Database,
        mailer: Mailer,
        settings: ChannelSettings,
        key: bytes,
        *,
        resolver: Resolver = resolve,
    ) -> None:
        self.db = db
        self.mailer = mailer
        self.settings = settings
        self.key = key
        self.resolver = resolver

    def deliver(self, delivery_id: int, *, final: bool) -> dict[str, Any]:
        """Try delivery `delivery_id` once (`final`: no retry follows); its summary. Raises
        `DeliveryFailed` after a failed attempt that will be retried."""
        with self.db.session() as s:
            row = s.get(Delivery, delivery_id)
            if row is None or row.status != "pending":
                return {"delivery": delivery_id, "status": row.status if row else "deleted"}
            channel = row.channel
        if channel == "mail":
            return self._mail(delivery_id, final=final)
        return self._webhook(delivery_id, final=final)

    # ----- e-mail ---------------------------------------------------------------------------
    def _mail(self, delivery_id: int, *, final: bool) -> dict[str, Any]:
        with self.db.session() as s:
            row = s.get(Delivery, delivery_id)
            assert row is not None
            user = s.get(User, row.user_id) if row.user_id is not None else None
            content = json.loads(row.body)
            to = user.email if user is not None and user.is_active else None
        if to is None:
            return self._record(delivery_id, Attempt(False, error=M.NO_ADDRESS), final=True)
        mail = render_mail(to, tuple(content["text"]), content["link"], self.settings.base_url)
        try:
            self.mailer.send(mail)
        except (DatanuriError, OSError) as exc:
            error = M.MAIL_FAILED.format(error=getattr(exc, "message", None) or exc)
            return self._record(delivery_id, Attempt(False, error=error), final=final)
        return self._record(delivery_id, Attempt(True), final=final)

    # ----- webhooks -------------------------------------------------------------------------
    def _webhook(self, delivery_id: int, *, final: bool) -> dict[str, Any]:
        with self.db.session() as s:
            row = s.get(Delivery, delivery_id)
            assert row is not None
            ep = s.get(WebhookEndpoint, row.endpoint_id) if row.endpoint_id else None
            if ep is None or not ep.enabled:
                row.status, row.last_error = "failed", M.DISABLED
                return {"delivery": delivery_id, "status": "failed"}
            secret = unseal(self.key, ep.secret_sealed, context=sealing_context(ep.id))
            url, msg_id, body = ep.url, row.message_id, row.body.encode("utf-8")
        return self._record(delivery_id, self.call(url, secret, msg_id, body), final=final)

    def call(self, url: str, secret: str, msg_id: str, body: bytes) -> Attempt:
        """POST `body` to `url`, signed, at the address the SSRF guard checked just now (the
        Host header and TLS name stay the URL's); never follows a redirect."""
        try:
            call = pinned(check_target(url, self.settings.urls, resolver=self.resolver))
        except DatanuriError as exc:
            return Attempt(False, error=exc.message)
        headers = {
            **signed_headers(secret, msg_id, body),
            "host": call.host_header,
            "content-type": "application/json",
            "user-agent": USER_AGENT,
        }
        extensions = {"sni_hostname": call.sni_hostname} if call.sni_hostname else None
        try:
            with httpx.Client(timeout=self.settings.timeout, follow_redirects=False) as client:
                request = client.build_request(
                    "POST", call.url, content=body, headers=headers, extensions=extensions
                )
                answer = client.send(request)
        except httpx.HTTPError as exc:
            return Attempt(False, error=M.NO_ANSWER.format(error=str(exc) or type(exc).__name__))
        if 200 <= answer.status_code < 300:
            return Attempt(True, answer.status_code)
        return Attempt(False, answer.status_code, M.HTTP_STATUS.format(status=answer.status_code))

    # ----- the log --------------------------------------------------------------------------
    def _record(self, delivery_id: int, attempt: Attempt, *, final: bool) -> dict[str, Any]:
        """Log `attempt` on the row (and its endpoint); raise `DeliveryFailed` to be retried."""
        with self.db.write_session() as s:
            row = s.get(Delivery, delivery_id, with_for_update=True, populate_existing=True)
            if row is None or row.status != "pending":
                return {"delivery": delivery_id, "status": row.status if row else "deleted"}
            now = utcnow()
            row.attempts += 1
            row.last_attempt_at = now
            row.response_status = attempt.status
            row.last_error = attempt.error[:ERROR_LIMIT] if attempt.error else None
            ep = None
            if row.endpoint_id is not None:
                ep = s.get(
                    WebhookEndpoint, row.endpoint_id, with_for_update=True, populate_existing=True
                )
            after = after_attempt(
                ok=attempt.ok,
                failures=ep.failures if ep is not None else 0,
                final=final,
                disable_after=self.settings.disable_after if ep is not None else 1 << 30,
            )
            if ep is not None:
                ep.failures = after.failures
                if after.disable and ep.enabled:
                    ep.enabled = False
                    ep.disabled_reason = M.DISABLED_AFTER.format(
                        failures=after.failures, error=row.last_error or "-"
                    )[:ERROR_LIMIT]
            if after.outcome == "delivered":
                row.status, row.delivered_at = "delivered", now
            elif after.outcome == "failed":
                row.status = "failed"
            summary = {"delivery": delivery_id, "status": row.status, "attempts": row.attempts}
        if after.outcome == "retry":
            raise DeliveryFailed(attempt.error or "failed")
        return summary


class HasSender(Protocol):
    @property
    def sender(self) -> Sender: ...


class DeliverServices(Protocol):
    """What a `notify.deliver` job works with (the platform's `channels`)."""

    @property
    def channels(self) -> HasSender: ...


def run_delivery(services: DeliverServices, params: DeliverParams, ctx: JobContext) -> JobOutput:
    """Try the job's delivery once; the queue retries after a `DeliveryFailed`."""
    final = ctx.attempt >= ctx.max_attempts
    return JobOutput(services.channels.sender.deliver(params.delivery, final=final))


DELIVER: JobKind[DeliverServices, DeliverParams] = JobKind(KIND, DeliverParams, run_delivery)
