"""Fixtures of the notification tests: a real Mailpit on free ports, and the notification
service's own composition root run in this process on topics and Redis keys of its own, which
are deleted afterwards."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio
import uvicorn
from aiokafka.admin import AIOKafkaAdminClient
from redis.asyncio import Redis

from deploy.local.infra import InfraConfig
from deploy.local.mailpit import mailpit_command, wait_mailpit
from libs.contracts.notifications import Contact
from libs.contracts.orders import Order, OrderLine
from libs.contracts.privacy import ConsentSettings, PrivacyCommand
from libs.contracts.topics import TopicSpec, dlq
from libs.messaging.topics import ensure_topics
from services.notifications.__main__ import NotificationsApp, NotificationsSettings, build
from tests.integration.helpers_platform import free_port, unique


class Mailpit:
    """The mailbox as a test reads it: through Mailpit's HTTP API."""

    def __init__(self, smtp_port: int, http_port: int) -> None:
        self.smtp_port, self.http_port = smtp_port, http_port
        self.http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{http_port}", timeout=10)

    async def to(self, address: str) -> list[dict[str, Any]]:
        resp = await self.http.get("/api/v1/search", params={"query": f'to:"{address}"'})
        resp.raise_for_status()
        return list(resp.json()["messages"])

    async def message(self, message_id: str) -> dict[str, Any]:
        resp = await self.http.get(f"/api/v1/message/{message_id}")
        resp.raise_for_status()
        return dict(resp.json())

    async def wait_for(self, address: str, count: int = 1, timeout: float = 20) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        found: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            found = await self.to(address)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.1)
        return found


@pytest.fixture(scope="session")
def mailpit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    smtp_port, http_port = free_port(), free_port()
    db = tmp_path_factory.mktemp("mailpit") / "mailpit.db"
    proc = subprocess.Popen(mailpit_command(InfraConfig(), smtp_port, http_port, db),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_mailpit(http_port, proc=proc)
        yield smtp_port, http_port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def mailpit(mailpit_server: tuple[int, int]) -> AsyncIterator[Mailpit]:
    box = Mailpit(*mailpit_server)
    yield box
    await box.http.aclose()


@dataclass
class NotifyStack:
    app: NotificationsApp
    settings: NotificationsSettings
    redis: Redis
    bootstrap: str

    async def publish_order(self, order: Order, repeat: int = 1) -> None:
        for _ in range(repeat):
            await self.app.broker.publish(order.model_dump(mode="json"), self.settings.orders_topic,
                                          key=order.order_id.encode())


def make_order(email: str | None, *, currency: str = "EUR", market: str = "EU",
               phone: str | None = None, language: str | None = None,
               country: str | None = None) -> Order:
    oid = unique("ord")
    contact = Contact(email=email, phone=phone, language=language, country=country)
    return Order(
        order_id=oid, cart_id=unique("cart"), owner=f"customer:{unique('c')}",
        lines=[OrderLine(product_id="p1", sku="HEART-1", title="Corazón de cerámica", quantity=2,
                         unit_price=61725, line_total=123450)],
        subtotal=123450, total=123450, currency=currency, market=market,
        created_at=datetime(2026, 12, 2, 10, 0, tzinfo=UTC),
        contact=contact if (email or phone) else None,
    )


async def start_stack(kafka_bootstrap: str, redis_url: str, **overrides: Any) -> NotifyStack:
    tag = unique("t")
    settings = NotificationsSettings(
        kafka_bootstrap_servers=kafka_bootstrap, redis_url=redis_url,
        instance_id=unique("test-notify"), orders_topic=f"test.orders.{tag}",
        requests_topic=f"test.notify.requests.{tag}", rpc_topic=f"test.notifications.rpc.{tag}",
        status_topic=f"test.notifications.status.{tag}", privacy_topic=f"test.privacy.{tag}",
        callbacks_topic=f"test.notifications.callbacks.{tag}",
        shipments_topic=f"test.shipments.{tag}", checkouts_topic=f"test.checkouts.{tag}",
        group_id=f"test-notify-{tag}", redis_prefix=f"test:{tag}:notif:",
        **{"scheduler_interval_s": 0.2, **overrides},
    )
    await ensure_topics(kafka_bootstrap, [TopicSpec(t, partitions=1) for t in topics(settings)])
    app = build(settings)
    await app.broker.start()
    await app.start()
    return NotifyStack(app, settings, Redis.from_url(redis_url), kafka_bootstrap)


def topics(settings: NotificationsSettings) -> list[str]:
    names = [settings.orders_topic, settings.requests_topic, settings.rpc_topic,
             settings.status_topic, settings.privacy_topic, settings.callbacks_topic,
             settings.shipments_topic, settings.checkouts_topic]
    return [*names, *(dlq(n) for n in names)]


async def consent(stack: NotifyStack, subject: str, market: str = "*",
                  **settings: Any) -> None:
    """Record a person's choices as `PUT /v1/users/me/consent` does (a `privacy.requests`
    command), and wait until the service has them."""
    command = PrivacyCommand(request_id=unique("consent"), kind="consent", user_id=subject,
                             market=market, consent=ConsentSettings(**settings))
    await stack.app.broker.publish(command.model_dump(mode="json"), stack.settings.privacy_topic,
                                   key=subject.encode())
    key = f"{stack.settings.redis_prefix}consent:{subject}"
    deadline = time.monotonic() + 15
    while not await stack.redis.hexists(key, market) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert await stack.redis.hexists(key, market), "consent not recorded"


async def stop_stack(stack: NotifyStack) -> None:
    await stack.app.broker.stop()
    await stack.app.stop()
    async for key in stack.redis.scan_iter(match=f"{stack.settings.redis_prefix}*", count=1000):
        await stack.redis.delete(key)
    await stack.redis.aclose()
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        await admin.delete_topics([t for t in topics(stack.settings) if t in existing])
    finally:
        await admin.close()


class SimServer:
    """The provider simulator (deploy/local/provider_sim) served on a free port in this loop."""

    def __init__(self, webhook_url: str | None, inbound_url: str | None = None) -> None:
        from deploy.local.provider_sim.__main__ import SimSettings, config
        from deploy.local.provider_sim.app import create_app

        self.port = free_port()
        self.cfg = config(SimSettings(whatsapp_webhook_url=webhook_url,
                                      twilio_inbound_url=inbound_url))
        self.app = create_app(self.cfg)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port,
                                                    log_config=None, access_log=False))
        self._task: asyncio.Task[None] | None = None
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=10)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._task = asyncio.create_task(self.server.serve())
        deadline = time.monotonic() + 15
        while not self.server.started and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    async def control(self, **settings: Any) -> None:
        (await self.http.post("/_sim/control", json=settings)).raise_for_status()

    async def stop(self) -> None:
        await self.http.aclose()
        self.server.should_exit = True
        if self._task is not None:
            await asyncio.wait_for(self._task, 15)
