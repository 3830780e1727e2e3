"""Tables of the notification channels: users' e-mail preference, webhook endpoints, and the
delivery outbox (one row per e-mail or webhook call, written in the sender's transaction, and
its log: attempts, last answer, last error)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow


class NotificationSetting(Base):
    """A user's choice of channels besides the in-app list (no row: the defaults)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)  # notices also by e-mail
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WebhookEndpoint(Base):
    """A URL that receives signed events: a user's own (`user_id`) or an organisation's."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    kinds: Mapped[list[Any]] = mapped_column()  # event kinds ("desk.*" patterns); [] = all
    description: Mapped[str] = mapped_column(String(200), default="")
    secret_sealed: Mapped[str] = mapped_column(Text)  # "whsec_..." sealed with the webhooks key
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # failed attempts in a row
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))  # the principal's pseudonymous ref
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """One message on one channel: an e-mail to a user or a call of a webhook endpoint."""

    __tablename__ = "notify_deliveries"
    __table_args__ = (UniqueConstraint("endpoint_id", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))  # mail | webhook
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    endpoint_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    message_id: Mapped[str] = mapped_column(String(64))  # webhook-id, the same on every retry
    kind: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)  # the webhook's JSON body, or the mail's content
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    response_status: Mapped[int | None] = mapped_column(Integer)  # the last HTTP status
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column()
    delivered_at: Mapped[dt.datetime | None] = mapped_column()
