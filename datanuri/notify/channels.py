"""The write side of the channels, inside the sender's transaction: `FanOutNotifier` hands a
notice to every channel; the mail and webhook channels each write delivery rows (the outbox)
and a queued `notify.deliver` job per row. Nothing leaves the server before that transaction
commits: a rolled-back sender leaves no row and no job, and workers send after the commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from datanuri.accounts.models import Organization, User
from datanuri.accounts.notifications import Notice, Notifier
from datanuri.jobs.params import dump_params
from datanuri.jobs.queue import new_job
from datanuri.notify.models import Delivery, NotificationSetting, WebhookEndpoint
from datanuri.notify.settings import ChannelSettings, wants
from datanuri.store.db import utcnow

KIND = "notify.deliver"  # the job kind that sends one delivery row


@dataclass(frozen=True)
class DeliverParams:
    """A `notify.deliver` job's parameters: the delivery row to send."""

    delivery: int


def queue_delivery(s: Session, delivery: Delivery, *, max_attempts: int) -> None:
    """Add `delivery` and a queued job that sends it, both in the transaction of `s` (the job
    row is the queue's own: any worker claims it once this transaction commits)."""
    s.add(delivery)
    s.flush()  # the delivery's id, for the job's parameters
    params = dump_params(DeliverParams(delivery.id))
    s.add(new_job(KIND, params, actor="system", max_attempts=max_attempts))


def message_id(key: str) -> str:
    """The `webhook-id` of an event: derived from its key, so one happening has one id."""
    return "msg_" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]


def event_body(kind: str, payload: Mapping[str, Any], when: dt.datetime) -> str:
    """A webhook's JSON body (the Standard Webhooks shape: type, timestamp, data)."""
    stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    doc = {"type": kind, "timestamp": stamp, "data": dict(payload)}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def email_wanted(s: Session, user_id: int) -> bool:
    """Whether the user takes notices by e-mail (on unless they turned it off)."""
    chosen = s.get(NotificationSetting, user_id)
    return True if chosen is None else chosen.email


class FanOutNotifier:
    """A `Notifier` that hands each notice to every one of its channels, in order."""

    def __init__(self, channels: Iterable[Notifier]) -> None:
        self.channels = list(channels)

    def notify(self, s: Session, notice: Notice) -> None:
        for channel in self.channels:
            channel.notify(s, notice)


class MailChannel:
    """Notices by e-mail, in Korean and English, to users who keep e-mail on (the default)."""

    def __init__(self, settings: ChannelSettings) -> None:
        self.settings = settings

    def notify(self, s: Session, notice: Notice) -> None:
        user = s.get(User, notice.user_id)
        if user is None or not (user.is_active and user.email_verified):
            return  # no mail to an address not confirmed (or an account switched off)
        if not email_wanted(s, notice.user_id):
            return
        content = {"text": list(notice.text), "link": notice.link}
        queue_delivery(
            s,
            Delivery(
                channel="mail",
                user_id=notice.user_id,
                message_id=message_id(uuid.uuid4().hex),
                kind=notice.kind,
                body=json.dumps(content, ensure_ascii=False),
                status="pending",
                attempts=0,
            ),
            max_attempts=self.settings.mail_attempts,
        )


class WebhookChannel:
    """Notices that carry an `Event`, signed and sent to the endpoints that want its kind: the
    recipient's own, and those of the event's organisation (once per event)."""

    def __init__(self, settings: ChannelSettings) -> None:
        self.settings = settings

    def notify(self, s: Session, notice: Notice) -> None:
        event = notice.event
        if event is None:
            return
        owners = [WebhookEndpoint.user_id == notice.user_id]
        if event.org is not None:
            org = select(Organization.id).where(Organization.name == event.org)
            owners.append(WebhookEndpoint.organization_id.in_(org))
        endpoints = s.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.enabled.is_(True), or_(*owners))
            .order_by(WebhookEndpoint.id)
        ).all()
        wanted = [ep for ep in endpoints if wants(ep.kinds or [], event.kind)]
        if not wanted:
            return
        msg_id = message_id(event.key)
        s.flush()
        sent = set(  # by another recipient's notice of the same event
            s.scalars(
                select(Delivery.endpoint_id).where(
                    Delivery.message_id == msg_id,
                    Delivery.endpoint_id.in_([ep.id for ep in wanted]),
                )
            )
        )
        for ep in wanted:
            if ep.id in sent:
                continue
            queue_delivery(
                s,
                Delivery(
                    channel="webhook",
                    user_id=notice.user_id,
                    endpoint_id=ep.id,
                    message_id=msg_id,
                    kind=event.kind,
                    body=event_body(event.kind, event.payload, utcnow()),
                    status="pending",
                    attempts=0,
                ),
                max_attempts=self.settings.webhook_attempts,
            )
