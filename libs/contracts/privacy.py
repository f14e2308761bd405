"""Privacy contracts: `privacy.requests` commands (erase, consent), export and the audit record.

Consent is kept per user and per market (`"*"` = every market) in Redis hash `consent:{key}`;
the recommender reads it with the profile. The audit record of an erasure holds no personal data:
the request id, when, and how many records of each kind were removed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from libs.contracts.base import Message

PRIVACY_REQUESTS = "privacy.requests"
ALL_MARKETS = "*"


def consent_key(profile_key: str) -> str:
    return f"consent:{profile_key}"


def audit_key(request_id: str) -> str:
    return f"privacy:audit:{request_id}"


NotificationChannel = Literal["email", "sms", "whatsapp"]


class ConsentSettings(BaseModel):
    """None = not asked. `sale_sharing=False` is a CCPA/CPRA opt-out of sale or sharing.

    `marketing` is also what abandoned-cart reminders need (opt-in). `channels` opts a
    notification channel in (True) or out (False) for the market; a channel the market's
    policy marks opt-in (WhatsApp everywhere by default) is used only after a True here."""

    personalization: bool | None = None
    analytics: bool | None = None
    marketing: bool | None = None
    sale_sharing: bool | None = None
    channels: dict[NotificationChannel, bool] | None = None


class PrivacyCommand(Message):
    """Value of a `privacy.requests` record (key = user id)."""

    request_id: str = Field(min_length=1, max_length=64)
    kind: Literal["erase", "consent"]
    user_id: str = Field(min_length=1, max_length=128)
    visitor_ids: list[str] = Field(default_factory=list)  # extra client ids known to the caller
    market: str = ALL_MARKETS
    consent: ConsentSettings | None = None
    requested_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class PrivacyAudit(BaseModel):
    """What stays after an erasure: no id, no content, only what was done and when."""

    request_id: str
    kind: Literal["erase", "consent"]
    requested_at: datetime
    completed_at: datetime
    service: str
    removed: dict[str, int] = Field(default_factory=dict)  # kind of record -> count


class ExportRequest(Message):
    user_id: str = Field(min_length=1, max_length=128)


class ExportReply(Message):
    user_id: str
    profiles: list[dict[str, Any]] = Field(default_factory=list)
    consent: dict[str, ConsentSettings] = Field(default_factory=dict)  # market -> settings
    conversations: list[dict[str, Any]] = Field(default_factory=list)
    baskets: list[dict[str, Any]] = Field(default_factory=list)
    orders: list[dict[str, Any]] = Field(default_factory=list)
