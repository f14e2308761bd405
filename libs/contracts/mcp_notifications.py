"""Contract of the notifications MCP server: the structured results of its tools.

`get_delivery_status` returns `StatusReply`, `list_templates` `TemplatesReply`
(libs/contracts/notification_queries.py) and `record_shipment` `ShipmentAccepted`
(libs/contracts/shipments.py), exactly as the notification service and the gateway answer them.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: str
    server: str
    kafka: bool = Field(description="whether the Kafka client has started (on first use)")


class SendNotificationResult(BaseModel):
    """The request was accepted on `notify.requests`; delivery happens after. Poll
    `get_delivery_status` with the id of the channel that ends up used."""

    request_id: str
    trigger: str
    status: str = "accepted"
    notification_ids: dict[str, str] = Field(description="channel -> notification id")
