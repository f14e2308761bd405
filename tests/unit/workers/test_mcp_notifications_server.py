"""The notifications MCP server's tools through the SDK's in-process client, with a stand-in for
its Kafka client (what goes to Kafka is asserted; the real round trip is in
tests/integration/test_mcp_notifications_supervised.py)."""

from __future__ import annotations

from typing import Any

from mcp import Client
from pydantic import BaseModel

from libs.contracts.notification_queries import (
    StatusQuery,
    StatusReply,
    TemplateInfo,
    TemplatesQuery,
    TemplatesReply,
)
from libs.contracts.notifications import NotificationRequest, notification_id
from libs.contracts.shipments import Shipment
from libs.messaging.errors import RequestTimeout
from services.mcp_workers.notifications.kafka_client import KafkaConfig, NotificationsKafka
from services.mcp_workers.notifications.server import build_server

TEMPLATES = TemplatesReply(templates=[
    TemplateInfo(kind="order_confirmation", languages=["en", "es", "fr"], transactional=True,
                 parts=["subject", "text"]),
    TemplateInfo(kind="abandoned_cart", languages=["en", "es", "fr"], transactional=False,
                 parts=["subject", "text"]),
])


class StandIn(NotificationsKafka):
    def __init__(self) -> None:
        super().__init__(KafkaConfig("127.0.0.1:1", "t.notify", "t.rpc", "t.shipments"))
        self.published: list[tuple[str, BaseModel, str]] = []
        self.down = False

    async def ask(self, query: BaseModel, reply: type[Any], key: str | None = None) -> Any:
        if self.down:
            raise RequestTimeout("t.rpc", 6.0)
        if isinstance(query, TemplatesQuery):
            return TEMPLATES
        assert isinstance(query, StatusQuery)
        return StatusReply(notification_id=query.notification_id)

    async def publish(self, topic: str, value: BaseModel, key: str) -> None:
        self.published.append((topic, value, key))


async def test_lists_its_tools_with_output_schemas() -> None:
    async with Client(build_server(StandIn())) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == {"ping", "list_templates", "send_notification", "get_delivery_status",
                          "record_shipment"}
    assert all(t.output_schema is not None for t in tools.values())


async def test_send_queues_a_request_with_the_templates_kind_and_names_its_ids() -> None:
    kafka = StandIn()
    async with Client(build_server(kafka)) as client:
        result = await client.call_tool("send_notification", {
            "kind": "abandoned_cart", "subject": "customer:lucia", "request_id": "r-1",
            "data": {"total": 100}, "channels": ["email"]})
    assert not result.is_error, result.content
    [(topic, request, key)] = kafka.published
    assert (topic, key) == ("t.notify", "customer:lucia")
    assert isinstance(request, NotificationRequest)
    assert (request.trigger, request.transactional, request.data) == ("request:r-1", False,
                                                                      {"total": 100})
    assert result.structured_content == {
        "request_id": "r-1", "trigger": "request:r-1", "status": "accepted",
        "notification_ids": {"email": notification_id("request:r-1", "email")}}


async def test_an_unknown_kind_or_a_silent_service_is_a_clear_error() -> None:
    kafka = StandIn()
    async with Client(build_server(kafka)) as client:
        unknown = await client.call_tool("send_notification", {"kind": "spam",
                                                               "subject": "customer:x"})
        kafka.down = True
        silent = await client.call_tool("list_templates", {})
    assert unknown.is_error and "known: abandoned_cart, order_confirmation" in str(unknown.content)
    assert silent.is_error and "did not answer" in str(silent.content)
    assert kafka.published == []


async def test_record_shipment_checks_the_link_then_publishes_the_fact() -> None:
    kafka = StandIn()
    async with Client(build_server(kafka)) as client:
        bad = await client.call_tool("record_shipment", {
            "order_id": "ord_1", "carrier": "DHL", "tracking_url": "javascript:alert(1)"})
        good = await client.call_tool("record_shipment", {
            "order_id": "ord_1", "carrier": "DHL", "tracking_url": "https://t.example/1",
            "shipment_id": "shp-1"})
    assert bad.is_error and not good.is_error
    [(topic, shipment, key)] = kafka.published
    assert (topic, key) == ("t.shipments", "ord_1") and isinstance(shipment, Shipment)
    assert shipment.shipment_id == "shp-1" and shipment.tracking_url == "https://t.example/1"
