"""Shipment contracts: the `shipments` topic, one record per parcel handed to a carrier
(key = order id, so the shipments of one order stay in order).

Published by the gateway's admin endpoint (`POST /v1/admin/shipments`, scope `orders:write`) and
the notifications MCP server's `record_shipment` tool; the notification service sends the buyer
a shipping update in their language. `shipment_id` is the idempotency key of the update: the same
shipment recorded twice (an admin's retry) notifies once.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import AnyHttpUrl, BaseModel, Field, field_validator

from libs.contracts.base import Message
from libs.contracts.topics import SHIPMENTS  # noqa: F401 - the topic next to its models

ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"


class ShipmentIn(BaseModel):
    """What an admin records: which order left, with which carrier, where to track it."""

    order_id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    carrier: str = Field(min_length=1, max_length=64)
    tracking_url: AnyHttpUrl = Field(description="http(s) only: it is a link in an email")
    tracking_number: str | None = Field(default=None, max_length=64)
    shipment_id: str | None = Field(
        default=None, pattern=ID_PATTERN,
        description="your id for this parcel; sending it again changes nothing (default: new)")

    @field_validator("carrier", "tracking_number")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and (not value.strip() or not value.isprintable()):
            raise ValueError("must be printable text")
        return value.strip() if value else value


class Shipment(Message):
    """Value of a `shipments` record."""

    shipment_id: str = Field(pattern=ID_PATTERN)
    order_id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    carrier: str = Field(min_length=1, max_length=64)
    tracking_url: str = Field(max_length=2000)
    tracking_number: str | None = Field(default=None, max_length=64)
    shipped_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    actor: str | None = Field(default=None, max_length=200, description="who recorded it")


class ShipmentAccepted(BaseModel):
    shipment_id: str
    order_id: str
    status: str = "accepted"
