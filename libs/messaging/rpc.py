"""Request/reply over Kafka for the gateway.

FastStream's `broker.request()` does not work against a real Kafka broker, so the gateway owns
one reply topic per instance, consumed by an assigned (group-less) consumer: no group to join, no
rebalance wait. Outstanding calls wait on futures keyed by correlation id; replies that come after
their caller gave up are dropped and counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from pydantic import BaseModel

from libs.contracts.base import (
    H_CONTENT_TYPE,
    H_CORRELATION_ID,
    H_DEADLINE,
    H_REPLY_TO,
    H_STATUS,
    H_TRACEPARENT,
    ErrorReply,
)
from libs.contracts.principal import H_PRINCIPAL, Principal
from libs.contracts.topics import TopicSpec, reply_topic
from libs.messaging.broker import make_producer
from libs.messaging.codec import dict_to_headers, encode, headers_to_dict
from libs.messaging.errors import BrokerUnavailable, RemoteError, RequestTimeout
from libs.messaging.principal import current_principal, seal
from libs.messaging.topics import delete_topics, ensure_topics
from libs.settings import kafka_client_kwargs
from libs.telemetry import metrics
from libs.telemetry.tracing import inject_headers, tracer

log = logging.getLogger(__name__)
R = TypeVar("R", bound=BaseModel)


class Reply:
    """A raw reply: decoded JSON body plus headers."""

    def __init__(self, body: dict[str, Any], headers: dict[str, str]) -> None:
        self.body = body
        self.headers = headers


class RpcClient:
    def __init__(self, bootstrap: str, instance_id: str, default_timeout: float = 10.0,
                 send_timeout: float | None = None) -> None:
        """`send_timeout` bounds handing a request to Kafka (metadata + produce): with the
        broker down, a caller gets `BrokerUnavailable` then instead of waiting out the reply
        timeout. None keeps the producer's own request timeout."""
        self.bootstrap = bootstrap
        self.send_timeout = send_timeout
        self.reply_topic = reply_topic(instance_id)
        self.default_timeout = default_timeout
        self._pending: dict[str, asyncio.Future[Reply]] = {}
        self._producer: AIOKafkaProducer | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self.late_replies = 0

    async def start(self) -> None:
        await ensure_topics(self.bootstrap, [TopicSpec(self.reply_topic, partitions=1)])
        self._producer = make_producer(
            self.bootstrap, durable=False, linger_ms=0, request_timeout_ms=10000
        )
        await self._producer.start()
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=None,
            enable_auto_commit=False,
            fetch_max_wait_ms=5,
            auto_offset_reset="latest",
            **kafka_client_kwargs(),
        )
        await self._consumer.start()
        tp = TopicPartition(self.reply_topic, 0)
        self._consumer.assign([tp])
        await self._consumer.seek_to_end(tp)
        await self._consumer.position(tp)  # resolve now so no reply sent after start() is missed
        self._task = asyncio.create_task(self._consume(), name="rpc-replies")

    async def stop(self, delete_reply_topic: bool = True) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for fut in self._pending.values():
            if not fut.done():
                fut.cancel()
        if self._consumer:
            await self._consumer.stop()
        if self._producer:
            await self._producer.stop()
        if delete_reply_topic:
            with contextlib.suppress(Exception):
                await delete_topics(self.bootstrap, [self.reply_topic])

    @property
    def ready(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _consume(self) -> None:
        assert self._consumer is not None
        async for record in self._consumer:
            self._on_reply(record)

    def _on_reply(self, record: ConsumerRecord[bytes, bytes]) -> None:
        headers = headers_to_dict(record.headers)
        cid = headers.get(H_CORRELATION_ID)
        fut = self._pending.pop(cid, None) if cid else None
        if fut is None or fut.done():
            self.late_replies += 1
            metrics.LATE_REPLIES.inc()
            log.info("dropped late or unknown reply", extra={"correlation_id": cid})
            return
        try:
            body = json.loads(record.value or b"null")
        except ValueError as exc:
            fut.set_exception(RemoteError("bad_reply", f"undecodable reply: {exc}"))
            return
        fut.set_result(Reply(body, headers))

    async def request_raw(
        self,
        topic: str,
        payload: BaseModel,
        *,
        key: str | None = None,
        timeout: float | None = None,
        correlation_id: str | None = None,
        principal: Principal | None = None,
    ) -> Reply:
        """Publish `payload` to `topic` and wait for the reply; raise on error reply or timeout.

        `principal` (default: the one of the request being handled, if any) travels sealed in
        the `x-museo-principal` header; services read it with `current_principal()`."""
        assert self._producer is not None, "RpcClient.start() first"
        timeout = timeout or self.default_timeout
        cid = correlation_id or uuid.uuid4().hex
        fut: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._pending[cid] = fut
        started = time.perf_counter()
        outcome = "ok"
        with tracer().start_as_current_span(f"{topic} request") as span:
            span.set_attribute("messaging.destination", topic)
            span.set_attribute("messaging.correlation_id", cid)
            headers = inject_headers(
                {
                    H_CORRELATION_ID: cid,
                    H_REPLY_TO: self.reply_topic,
                    H_CONTENT_TYPE: "application/json",
                    H_DEADLINE: str(int((time.time() + timeout) * 1000)),
                }
            )
            if (who := principal or current_principal()) is not None:
                headers[H_PRINCIPAL] = seal(who)
            try:
                sending = self._producer.send_and_wait(
                    topic,
                    encode(payload),
                    key=key.encode() if key else None,
                    headers=dict_to_headers(headers),
                )
                try:
                    await asyncio.wait_for(sending, self.send_timeout)
                except TimeoutError:
                    outcome = "unavailable"
                    raise BrokerUnavailable(topic, self.send_timeout or 0) from None
                reply = await asyncio.wait_for(fut, timeout)
            except TimeoutError:
                outcome = "timeout"
                raise RequestTimeout(topic, timeout) from None
            except BaseException:
                outcome = "error" if outcome == "ok" else outcome
                raise
            finally:
                self._pending.pop(cid, None)
                metrics.RPC_SECONDS.labels(topic, outcome).observe(time.perf_counter() - started)
            if reply.headers.get(H_STATUS) == "error":
                err = ErrorReply.model_validate(reply.body)
                raise RemoteError(err.code, err.message, err.service, err.retryable)
            return reply

    async def request(self, topic: str, payload: BaseModel, reply_model: type[R], **kw: Any) -> R:
        reply = await self.request_raw(topic, payload, **kw)
        return reply_model.model_validate(reply.body)


def reply_traceparent(reply: Reply) -> str | None:
    return reply.headers.get(H_TRACEPARENT)
