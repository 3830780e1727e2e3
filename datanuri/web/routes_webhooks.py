"""Webhook endpoints and notification settings over the API (/api/v1/webhooks,
/api/v1/notifications/settings): thin handlers over `datanuri.notify`'s services.

A new endpoint's secret ("whsec_...") is in the creation answer only; receivers check each
delivery with it (`datanuri.notify.verify_signature`, the Standard Webhooks scheme).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from datanuri.web.auth import PublishCaller, ReadCaller
from datanuri.web.deps import PlatformDep, RowId

router = APIRouter(tags=["webhooks"])


class WebhookIn(BaseModel):
    url: str = Field(max_length=2000, description="https URL that receives the events.")
    kinds: list[str] = Field(
        default_factory=list,
        max_length=50,
        description='Event kinds to receive, e.g. "desk.*" (empty: every kind).',
    )
    description: str = Field("", max_length=200)
    organization: str | None = Field(
        None, max_length=100, description="Register for this organisation (its owners only)."
    )


class WebhookOut(BaseModel):
    id: int
    url: str
    kinds: list[str]
    description: str
    owner: str = Field(description='"user:<id>" or "org:<name>".')
    enabled: bool
    failures: int = Field(
        description="Failed attempts in a row (the endpoint is disabled at a limit)."
    )
    disabled_reason: str | None
    created_at: dt.datetime


class NewWebhookOut(WebhookOut):
    secret: str = Field(description="The signing secret: shown this once, keep it safe.")


class DeliveryOut(BaseModel):
    id: int
    endpoint_id: int | None
    message_id: str = Field(description="The webhook-id header (the same on every retry).")
    kind: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    response_status: int | None
    last_error: str | None
    created_at: dt.datetime
    last_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None


class NotificationSettingsIO(BaseModel):
    email: bool = Field(description="Also send notices by e-mail (in-app is always on).")


def _out(info: Any) -> dict[str, Any]:
    return dataclasses.asdict(info)


@router.get("/webhooks", response_model=list[WebhookOut])
def list_webhooks(me: ReadCaller, p: PlatformDep) -> list[dict[str, Any]]:
    """The endpoints the caller manages: their own and their organisations' (owners)."""
    return [_out(e) for e in p.channels.webhooks.find(principal=me)]


@router.post("/webhooks", status_code=201, response_model=NewWebhookOut)
def create_webhook(body: WebhookIn, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Register an endpoint; the answer holds its signing secret, never shown again."""
    made = p.channels.webhooks.create(
        body.url,
        kinds=body.kinds,
        description=body.description,
        organization=body.organization,
        principal=me,
    )
    return {**_out(made.endpoint), "secret": made.secret}


@router.delete("/webhooks/{endpoint_id}", response_model=WebhookOut)
def delete_webhook(endpoint_id: RowId, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Remove an endpoint and its delivery log."""
    return _out(p.channels.webhooks.delete(endpoint_id, principal=me))


@router.post("/webhooks/{endpoint_id}/enable", response_model=WebhookOut)
def enable_webhook(endpoint_id: RowId, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Turn a disabled endpoint on again (its failure count reset)."""
    return _out(p.channels.webhooks.enable(endpoint_id, principal=me))


@router.post("/webhooks/{endpoint_id}/ping", status_code=202, response_model=DeliveryOut)
def ping_webhook(endpoint_id: RowId, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Send a signed `webhook.ping` event; follow it in the endpoint's deliveries."""
    return _out(p.channels.webhooks.ping(endpoint_id, principal=me))


@router.get("/webhooks/{endpoint_id}/deliveries", response_model=list[DeliveryOut])
def webhook_deliveries(
    endpoint_id: RowId,
    me: ReadCaller,
    p: PlatformDep,
    limit: int = Query(50, ge=1, le=500),
) -> list[dict[str, Any]]:
    """The endpoint's newest deliveries: status, attempts, last HTTP status and error."""
    found = p.channels.webhooks.deliveries(endpoint_id, principal=me, limit=limit)
    return [_out(d) for d in found]


@router.get(
    "/notifications/settings", tags=["notifications"], response_model=NotificationSettingsIO
)
def notification_settings(me: ReadCaller, p: PlatformDep) -> dict[str, Any]:
    """The caller's notice channels besides the in-app list."""
    return _out(p.channels.preferences.get(principal=me))


@router.put(
    "/notifications/settings", tags=["notifications"], response_model=NotificationSettingsIO
)
def set_notification_settings(
    body: NotificationSettingsIO, me: PublishCaller, p: PlatformDep
) -> dict[str, Any]:
    """Turn e-mail notices on or off for the caller."""
    return _out(p.channels.preferences.set(email=body.email, principal=me))
