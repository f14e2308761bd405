"""Notification contracts: what to send (`notify.requests`), how it went (`notifications.status`).

A notification is identified by its idempotency key, one per (trigger, channel): the trigger is
the fact that caused it (`order:<id>`, `shipment:<id>`, `request:<id>`), so a redelivered fact
maps to the same key and is never sent twice. Status records carry no contact data (no address,
no phone number): they are keyed by notification id and can be kept and shown freely.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from libs.contracts.base import Message
from libs.contracts.topics import (  # noqa: F401 - the topics next to their models
    NOTIFICATIONS_CALLBACKS,
    NOTIFICATIONS_STATUS,
    NOTIFY_REQUESTS,
)

Channel = Literal["email", "sms", "whatsapp"]
DeliveryState = Literal["queued", "sent", "delivered", "read", "failed", "undelivered"]
FINAL_STATES: frozenset[str] = frozenset({"read", "failed", "undelivered"})
# How far along a message is; between two updates with the same timestamp, the further wins.
STATE_RANK: dict[str, int] = {
    "queued": 0, "sent": 1, "failed": 2, "undelivered": 2, "delivered": 3, "read": 4,
}


def notification_id(trigger: str, channel: str) -> str:
    """The idempotency key of one (trigger, channel): stable across redeliveries."""
    return "ntf_" + hashlib.sha256(f"{trigger}|{channel}".encode()).hexdigest()[:24]


class Contact(BaseModel):
    """Verified contact data of a recipient (from the principal, never from a request body)."""

    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)  # E.164
    language: str | None = Field(default=None, max_length=16)
    country: str | None = Field(default=None, max_length=2)  # ISO 3166-1 alpha-2
    timezone: str | None = Field(default=None, max_length=64)  # IANA, for quiet hours


class NotificationRequest(Message):
    """Value of a `notify.requests` record: send template `kind` for `trigger` (key = subject)."""

    request_id: str = Field(min_length=1, max_length=64)
    kind: str = Field(min_length=1, max_length=64, pattern=r"^[a-z_]+$")
    trigger: str = Field(min_length=1, max_length=128)
    subject: str = Field(min_length=1, max_length=200, description="owner of the contact data")
    channels: list[Channel] = Field(default_factory=list, description="empty: market policy")
    market: str | None = None
    transactional: bool = True
    data: dict[str, Any] = Field(default_factory=dict)


class DeliveryStatus(Message):
    """Value of a `notifications.status` record (key = notification id)."""

    notification_id: str
    trigger: str
    kind: str
    channel: Channel
    state: DeliveryState
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    attempt: int = 0
    provider: str | None = None
    provider_message_id: str | None = None
    error: str | None = None


class ProviderCallback(Message):
    """Value of a `notifications.callbacks` record: a vendor webhook whose signature the gateway
    verified, forwarded as received (Meta's JSON, or Twilio's form fields) for the service to
    read. Key = the provider's message id when there is one."""

    provider: Literal["twilio", "whatsapp"]
    received_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    payload: dict[str, Any]


class StatusQuery(Message):
    query: Literal["status"] = "status"
    notification_id: str = Field(min_length=1, max_length=64)


class StatusReply(Message):
    notification_id: str
    current: DeliveryStatus | None = None
    history: list[DeliveryStatus] = Field(default_factory=list)


def contact_from_principal(principal: Any, country: str | None = None,
                           language: str | None = None) -> Contact | None:
    """The verified contact data a principal carries: a customer's email claim, a channel's
    phone. Anonymous sessions and machine principals have none, so nothing is sent to them.
    `country` and `language` are preferences (where and in what language they shop), not
    identity, so they may come from the request."""
    if principal is None or principal.kind not in ("customer", "channel"):
        return None
    if not principal.email and not principal.phone:
        return None
    return Contact(email=principal.email, phone=principal.phone, country=country,
                   language=language)
