"""Helpers shared by the platform integration tests: in-process gateway and markets worker,
free ports, and reading a topic from its start. Everything talks to the real Kafka and Redis."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from faststream.kafka import KafkaBroker

from libs.contracts.topics import ALL_TOPICS
from libs.messaging.rpc import RpcClient
from libs.messaging.topics import ensure_topics
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from services.markets.__main__ import MarketsSettings, build


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(step)
    return predicate()


class MarketsWorker:
    """The markets service's own composition root (`build`), run in this process."""

    def __init__(self, kafka_bootstrap: str, redis_url: str) -> None:
        self.settings = MarketsSettings(kafka_bootstrap_servers=kafka_bootstrap, redis_url=redis_url,
                                        instance_id=unique("test-markets"))
        self.broker: KafkaBroker | None = None

    async def start(self) -> None:
        await ensure_topics(self.settings.kafka_bootstrap_servers, ALL_TOPICS)
        self.broker = build(self.settings)
        await self.broker.start()

    async def stop(self) -> None:
        if self.broker is not None:
            await self.broker.stop()
            self.broker = None


class GatewayServer:
    """`create_app(settings)` served by uvicorn on a free port, as a task of the running loop."""

    def __init__(self, kafka_bootstrap: str, redis_url: str, **overrides: Any) -> None:
        # Every test gateway shares one Redis and the client IP 127.0.0.1: rate limits are off
        # unless a test turns them on (tests/integration/test_gateway_limits.py does).
        overrides.setdefault("rate_limits_enabled", False)
        self.port = free_port()
        self.settings = GatewaySettings(
            kafka_bootstrap_servers=kafka_bootstrap, redis_url=redis_url, port=self.port,
            instance_id=unique("test-gw"), **overrides,
        )
        self.app = create_app(self.settings)
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_config=None,
            access_log=False, lifespan="on", ws_max_size=self.settings.max_ws_frame_bytes * 2,
        )
        self.server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    @property
    def rpc(self) -> RpcClient:
        return self.app.state.gw.rpc  # type: ignore[no-any-return]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    async def start(self, timeout: float = 20.0) -> None:
        self._task = asyncio.create_task(self.server.serve(), name=f"uvicorn-{self.port}")
        if not await wait_until(lambda: self.server.started or self._task is None or self._task.done(),
                                timeout):
            raise TimeoutError("gateway did not start")
        if self._task.done():
            self._task.result()  # surface the start-up error
            raise RuntimeError("gateway exited during start-up")

    async def stop(self) -> None:
        if self._task is None:
            return
        self.server.should_exit = True
        try:
            await asyncio.wait_for(self._task, 15)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None


async def read_topic(bootstrap: str, topic: str, count: int, timeout: float = 10.0,
                     partition: int = 0) -> list[ConsumerRecord[bytes, bytes]]:
    """Read up to `count` records of one partition from its start, without a consumer group."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False, fetch_max_wait_ms=50)
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        tp = TopicPartition(topic, partition)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        deadline = time.monotonic() + timeout
        while len(records) < count and time.monotonic() < deadline:
            batch = await consumer.getmany(tp, timeout_ms=200)
            records.extend(batch.get(tp, []))
    finally:
        await consumer.stop()
    return records


async def committed_offset(bootstrap: str, group_id: str, topic: str, partition: int = 0) -> int | None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group_id)
    finally:
        await admin.close()
    meta = offsets.get(TopicPartition(topic, partition))
    return None if meta is None else int(meta.offset)


async def group_member_count(bootstrap: str, group_id: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await admin.start()
    try:
        responses = await admin.describe_consumer_groups([group_id])
    finally:
        await admin.close()
    members = 0
    for response in responses:
        for group in response.groups:  # (error, group_id, state, protocol_type, protocol, members)
            members += len(group[5])
    return members


async def poll(fn: Callable[[], Awaitable[Any]], predicate: Callable[[Any], bool],
               timeout: float = 10.0, step: float = 0.1) -> Any:
    """Call `fn` until `predicate(result)` holds or time runs out; return the last result."""
    deadline = time.monotonic() + timeout
    result = await fn()
    while not predicate(result) and time.monotonic() < deadline:
        await asyncio.sleep(step)
        result = await fn()
    return result
