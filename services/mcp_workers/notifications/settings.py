"""Settings of the notifications MCP server, a process of its own (started by the worker or by
an MCP client), read once in `main()`: the broker as every service finds it, and the topics
tests isolate with (MUSEO_NOTIFY_REQUESTS_TOPIC, MUSEO_NOTIFICATIONS_REQUESTS_TOPIC,
MUSEO_SHIPMENTS_TOPIC)."""

from __future__ import annotations

from libs.contracts.notification_queries import NOTIFICATIONS_REQUESTS
from libs.contracts.notifications import NOTIFY_REQUESTS
from libs.contracts.shipments import SHIPMENTS
from libs.settings import ServiceSettings


class NotificationsServerSettings(ServiceSettings):
    service_name: str = "mcp-notifications"
    notify_requests_topic: str = NOTIFY_REQUESTS
    notifications_requests_topic: str = NOTIFICATIONS_REQUESTS
    shipments_topic: str = SHIPMENTS
