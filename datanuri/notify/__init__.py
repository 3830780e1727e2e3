"""Notification channels behind the `Notifier` seam of `datanuri.accounts.notifications`:
in-app, e-mail and signed webhooks, fanned out in the sender's transaction and delivered
after it commits by `notify.deliver` jobs (see docs/architecture.md, "Notification channels")."""

from __future__ import annotations

from datanuri.accounts.mail import Mailer
from datanuri.accounts.notifications import InAppNotifier
from datanuri.config import Config
from datanuri.notify.channels import FanOutNotifier, MailChannel, WebhookChannel
from datanuri.notify.deliver import DELIVER, Sender
from datanuri.notify.service import NotificationPreferences, WebhookService
from datanuri.notify.settings import ChannelSettings
from datanuri.notify.signing import WebhookVerificationError, verify_signature
from datanuri.notify.urls import UrlPolicy, resolve
from datanuri.store.db import Database

__all__ = [
    "DELIVER",
    "ChannelSettings",
    "Channels",
    "FanOutNotifier",
    "WebhookVerificationError",
    "channel_settings",
    "verify_signature",
]


def channel_settings(config: Config) -> ChannelSettings:
    """The channels' settings from the config."""
    return ChannelSettings(
        base_url=config.base_url,
        urls=UrlPolicy(
            allow_loopback=config.webhook_allow_loopback,
            allow_private=config.webhook_allow_private,
        ),
        webhook_attempts=max(1, config.webhook_attempts),
        mail_attempts=max(1, config.job_max_attempts),
        disable_after=max(1, config.webhook_disable_after),
        timeout=config.webhook_timeout_seconds,
    )


class Channels:
    """The platform's channels: the fan-out notifier services are given, the sender its jobs
    use, the webhook endpoints' service and the users' preferences."""

    def __init__(self, db: Database, mailer: Mailer, settings: ChannelSettings, key: bytes) -> None:
        self.settings = settings
        self.notifier = FanOutNotifier(
            [InAppNotifier(), MailChannel(settings), WebhookChannel(settings)]
        )
        self.sender = Sender(db, mailer, settings, key, resolver=resolve)
        self.webhooks = WebhookService(db, settings, key, resolver=resolve)
        self.preferences = NotificationPreferences(db)
