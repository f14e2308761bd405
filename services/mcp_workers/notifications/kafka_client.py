"""How the notifications MCP server talks to the notification service: over Kafka only.

Sends are `NotificationRequest`s published to `notify.requests` (acks=all, idempotent producer:
the tool answers once the broker has the request); questions (status, templates) are requests on
`notifications.requests` answered on this process's own reply topic (`RpcClient`, deleted when
the server stops). Nothing connects until the first tool call that needs Kafka.

Configured from `NotificationsServerSettings` (KAFKA_BOOTSTRAP_SERVERS; MUSEO_NOTIFY_REQUESTS_TOPIC,
MUSEO_NOTIFICATIONS_REQUESTS_TOPIC and MUSEO_SHIPMENTS_TOPIC, with which tests isolate).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer
from pydantic import BaseModel

from libs.contracts.notification_queries import NOTIFICATIONS_REQUESTS
from libs.contracts.notifications import NOTIFY_REQUESTS
from libs.contracts.shipments import SHIPMENTS
from libs.messaging.broker import make_producer
from libs.messaging.rpc import R, RpcClient
from services.mcp_workers.notifications.settings import NotificationsServerSettings


@dataclass(frozen=True)
class KafkaConfig:
    bootstrap: str
    notify_topic: str = NOTIFY_REQUESTS
    rpc_topic: str = NOTIFICATIONS_REQUESTS
    shipments_topic: str = SHIPMENTS

    @classmethod
    def from_settings(cls, settings: NotificationsServerSettings) -> KafkaConfig:
        return cls(settings.kafka_bootstrap_servers, settings.notify_requests_topic,
                   settings.notifications_requests_topic, settings.shipments_topic)


class NotificationsKafka:
    def __init__(self, config: KafkaConfig | None = None, timeout_s: float = 6.0) -> None:
        self.config = config or KafkaConfig.from_settings(NotificationsServerSettings())
        self.timeout_s = timeout_s
        self._rpc: RpcClient | None = None
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    @property
    def started(self) -> bool:
        return self._rpc is not None

    async def _start(self) -> tuple[RpcClient, AIOKafkaProducer]:
        async with self._lock:
            if self._rpc is None or self._producer is None:
                producer = make_producer(self.config.bootstrap, linger_ms=0,
                                         client_id="mcp-notifications")
                await producer.start()
                rpc = RpcClient(self.config.bootstrap, f"mcp-notifications-{uuid.uuid4().hex[:8]}",
                                self.timeout_s, send_timeout=3.0)
                await rpc.start()
                self._producer, self._rpc = producer, rpc
            return self._rpc, self._producer

    async def ask(self, query: BaseModel, reply: type[R], key: str | None = None) -> R:
        rpc, _ = await self._start()
        return await rpc.request(self.config.rpc_topic, query, reply, key=key)

    async def publish(self, topic: str, value: BaseModel, key: str) -> None:
        _, producer = await self._start()
        await asyncio.wait_for(
            producer.send_and_wait(topic, value.model_dump_json().encode(), key=key.encode()),
            self.timeout_s)

    async def stop(self) -> None:
        if self._rpc is not None:
            await self._rpc.stop()
        if self._producer is not None:
            await self._producer.stop()
        self._rpc = self._producer = None
