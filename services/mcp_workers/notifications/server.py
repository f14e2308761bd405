"""MCP server (official SDK, stdio): notifications for agents and admins.

    python -m services.mcp_workers.notifications

Supervised by the mcp_workers process (registered in services/mcp_workers/servers.json); call it
by hand with `museo mcp call notifications list_templates`. It talks to the notification service
over Kafka only (`kafka_client.py`), never by importing it. Tools:

- `send_notification(kind, subject, data, ...)`: a `NotificationRequest` on `notify.requests`.
  The service sends it only to a person whose verified contact it already holds (from their
  orders); nothing here names an address. Returns the notification id of each channel.
- `get_delivery_status(notification_id)`: the current status and every update.
- `list_templates()`: the message kinds, their languages, transactional or marketing.
- `record_shipment(order_id, carrier, tracking_url, ...)`: a `shipments` fact; the buyer gets
  a shipping update in their language.

Over stdio the caller is trusted as the worker is (like the admin server): run it for operators.
"""

from __future__ import annotations

import logging
import sys
import uuid
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field, ValidationError

from libs.contracts.mcp_notifications import Health, SendNotificationResult
from libs.contracts.notification_queries import (
    StatusQuery,
    StatusReply,
    TemplatesQuery,
    TemplatesReply,
)
from libs.contracts.notifications import Channel, NotificationRequest, notification_id
from libs.contracts.shipments import Shipment, ShipmentAccepted, ShipmentIn
from libs.messaging.errors import BrokerUnavailable, RemoteError, RequestTimeout
from services.mcp_workers.notifications.kafka_client import KafkaConfig, NotificationsKafka
from services.mcp_workers.notifications.settings import NotificationsServerSettings

SERVER_NAME = "museo-notifications"
CHANNELS: tuple[Channel, ...] = ("email", "sms", "whatsapp")
KAFKA_ERRORS = (RemoteError, RequestTimeout, BrokerUnavailable, TimeoutError)


def build_server(kafka: NotificationsKafka | None = None) -> MCPServer:
    """The server with its tools; nothing connects until a tool needs Kafka."""
    server = MCPServer(name=SERVER_NAME, instructions=(
        "Notifications of the Museo shop (email, SMS, WhatsApp; en/es/fr). List the templates "
        "first; send to a person by their subject key (e.g. customer:lucia): the service knows "
        "their verified contact, language and consent. Then poll the delivery status."))
    client = kafka or NotificationsKafka()

    async def templates() -> TemplatesReply:
        try:
            return await client.ask(TemplatesQuery(), TemplatesReply)
        except KAFKA_ERRORS as exc:
            raise ToolError(f"the notification service did not answer: {exc}") from exc

    @server.tool(description="Health check of the notifications server.", structured_output=True)
    async def ping() -> Health:
        return Health(status="ok", server=SERVER_NAME, kafka=client.started)

    @server.tool(description="The message kinds (e.g. order_confirmation, shipping_update, "
                 "abandoned_cart), their languages, and whether each is transactional.",
                 structured_output=True)
    async def list_templates() -> TemplatesReply:
        return await templates()

    @server.tool(description="Send template `kind` to the person `subject` with `data` (the "
                 "template's fields). Channels default to the market's fallback policy. "
                 "Reusing a request_id sends nothing new.", structured_output=True)
    async def send_notification(
        kind: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z_]+$")],
        subject: Annotated[str, Field(min_length=1, max_length=200)],
        data: dict[str, Any] | None = None,
        channels: list[Channel] | None = None,
        market: Annotated[str | None, Field(max_length=8)] = None,
        request_id: Annotated[str | None, Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")] = None,
    ) -> SendNotificationResult:
        known = {t.kind: t for t in (await templates()).templates}
        if kind not in known:
            raise ToolError(f"no template {kind!r}; known: {', '.join(sorted(known))}")
        rid = request_id or uuid.uuid4().hex
        request = NotificationRequest(
            request_id=rid, kind=kind, trigger=f"request:{rid}", subject=subject,
            channels=list(channels or []), market=market,
            transactional=known[kind].transactional, data=data or {})
        try:
            await client.publish(client.config.notify_topic, request, key=subject)
        except KAFKA_ERRORS as exc:
            raise ToolError(f"could not queue the notification: {exc}") from exc
        return SendNotificationResult(
            request_id=rid, trigger=request.trigger,
            notification_ids={ch: notification_id(request.trigger, ch)
                              for ch in (channels or CHANNELS)})

    @server.tool(description="Delivery status of one notification (queued, sent, delivered, "
                 "read, failed, undelivered) with every update received.", structured_output=True)
    async def get_delivery_status(
        notification_id: Annotated[str, Field(min_length=1, max_length=64)],
    ) -> StatusReply:
        try:
            return await client.ask(StatusQuery(notification_id=notification_id), StatusReply,
                                    key=notification_id)
        except KAFKA_ERRORS as exc:
            raise ToolError(f"the notification service did not answer: {exc}") from exc

    @server.tool(description="Record that an order left with a carrier; the buyer gets a "
                 "shipping update with the tracking link, in their language.",
                 structured_output=True)
    async def record_shipment(order_id: str, carrier: str, tracking_url: str,
                              tracking_number: str | None = None,
                              shipment_id: str | None = None) -> ShipmentAccepted:
        try:
            given = ShipmentIn.model_validate({
                "order_id": order_id, "carrier": carrier, "tracking_url": tracking_url,
                "tracking_number": tracking_number, "shipment_id": shipment_id})
        except ValidationError as exc:
            raise ToolError(f"invalid shipment: {exc.errors()[0]['msg']}") from exc
        shipment = Shipment(
            shipment_id=given.shipment_id or f"shp_{uuid.uuid4().hex[:16]}",
            order_id=given.order_id, carrier=given.carrier, tracking_url=str(given.tracking_url),
            tracking_number=given.tracking_number, actor="mcp:notifications")
        try:
            await client.publish(client.config.shipments_topic, shipment, key=shipment.order_id)
        except KAFKA_ERRORS as exc:
            raise ToolError(f"could not record the shipment: {exc}") from exc
        return ShipmentAccepted(shipment_id=shipment.shipment_id, order_id=shipment.order_id)

    return server


async def serve(settings: NotificationsServerSettings) -> None:
    kafka = NotificationsKafka(KafkaConfig.from_settings(settings))
    try:
        await build_server(kafka).run_stdio_async()
    finally:
        await kafka.stop()  # deletes this process's reply topic


def main() -> None:
    settings = NotificationsServerSettings()
    logging.basicConfig(stream=sys.stderr, level=settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    anyio.run(serve, settings)


if __name__ == "__main__":
    main()
