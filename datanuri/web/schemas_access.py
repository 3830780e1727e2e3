"""Response models of the access-request and notification API (kept apart from `schemas.py`,
which many routers share)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

RequestStatus = Literal["pending", "approved", "refused", "withdrawn", "expired", "revoked"]


class AccessRequestOut(BaseModel):
    """An access request. `status` is as of now: an approval whose entitlement has ended is
    `expired` (or `revoked`)."""

    id: int
    dataset: str
    organization: str
    requester: str = Field(description="The requester's display name.")
    requester_email: str
    purpose: str
    days: int = Field(description="The period of use asked for, in days.")
    status: RequestStatus
    reason: str | None = Field(description="The holder's reason (always given for a refusal).")
    decided_by: str | None = Field(description="Display name of who decided.")
    created_at: dt.datetime
    decided_at: dt.datetime | None
    expires_at: dt.datetime | None = Field(description="When the granted access ends.")
    entitlement_id: int | None


class NotificationOut(BaseModel):
    id: int
    kind: str
    text_ko: str
    text_en: str
    link: str
    read: bool
    created_at: dt.datetime


class NotificationsOut(BaseModel):
    unread: int
    notifications: list[NotificationOut]
