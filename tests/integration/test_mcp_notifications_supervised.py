"""The notifications MCP server as the mcp_workers process runs it (registered in servers.json,
spawned over stdio), talking over real Kafka to the notification service's own composition root:
templates listed, a notification sent to a person the service knows, its status read back."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from services.mcp_workers.settings import McpWorkersSettings, server_specs
from services.mcp_workers.supervisor import McpSupervisor
from tests.integration import notify_fixtures
from tests.integration.helpers_platform import unique
from tests.integration.notify_fixtures import (
    Mailpit,
    NotifyStack,
    make_order,
    start_stack,
    stop_stack,
)

mailpit_server = notify_fixtures.mailpit_server  # the fixtures, used by name below
mailpit = notify_fixtures.mailpit

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(kafka_bootstrap: str, redis_url: str, mailpit: Mailpit) -> AsyncIterator[NotifyStack]:
    s = await start_stack(kafka_bootstrap, redis_url, smtp_port=mailpit.smtp_port,
                          quiet_hours="off")
    yield s
    await stop_stack(s)


async def test_the_worker_supervises_it_and_it_reaches_the_service_over_kafka(
        stack: NotifyStack, mailpit: Mailpit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrap)
    monkeypatch.setenv("MUSEO_NOTIFY_REQUESTS_TOPIC", stack.settings.requests_topic)
    monkeypatch.setenv("MUSEO_NOTIFICATIONS_REQUESTS_TOPIC", stack.settings.rpc_topic)
    monkeypatch.setenv("MUSEO_SHIPMENTS_TOPIC", stack.settings.shipments_topic)
    specs = [s for s in server_specs(McpWorkersSettings()) if s.name == "notifications"]
    assert specs, "notifications is not registered in services/mcp_workers/servers.json"
    email = f"{unique('mcp')}@example.fr"
    order = make_order(email, country="FR")
    await stack.publish_order(order)  # the service now holds this person's verified contact
    await mailpit.wait_for(email)
    supervisor = McpSupervisor(specs)
    await supervisor.start()
    try:
        assert supervisor.status()["notifications"]["state"] == "up"
        assert supervisor.tools("notifications") >= {"send_notification", "get_delivery_status",
                                                     "list_templates", "record_shipment"}
        listed = await supervisor.call_tool("notifications", "list_templates", {})
        kinds = {t["kind"] for t in (listed.structured_content or {})["templates"]}
        assert kinds >= {"order_confirmation", "shipping_update", "abandoned_cart"}
        data: dict[str, Any] = order.model_dump(mode="json", include={
            "order_id", "lines", "total", "currency", "created_at"})
        sent = await supervisor.call_tool("notifications", "send_notification", {
            "kind": "order_confirmation", "subject": order.owner, "data": data,
            "channels": ["email"]})
        assert not sent.is_error, sent.content
        nid = (sent.structured_content or {})["notification_ids"]["email"]
        mails = await mailpit.wait_for(email, 2)
        assert all(m["Subject"] == f"Votre commande {order.order_id} est confirmée" for m in mails)
        state = None
        deadline = time.monotonic() + 15
        while state != "sent" and time.monotonic() < deadline:
            status = await supervisor.call_tool("notifications", "get_delivery_status",
                                                {"notification_id": nid})
            state = ((status.structured_content or {}).get("current") or {}).get("state")
        assert state == "sent"
    finally:
        await supervisor.stop()
