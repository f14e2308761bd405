"""Consumers of facts (events, orders, catalog): commit after handling, DLQ what cannot be handled.

A record that does not validate goes to `<topic>.dlq` at once; one whose handler keeps failing is
retried a few times in-process and then dead-lettered, so one poison message never blocks the
partition. If the DLQ write itself fails, the error propagates and the record is not committed:
it is redelivered rather than lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import TypeAdapter, ValidationError

from libs.contracts.base import H_CORRELATION_ID
from libs.messaging.dlq import send_to_dlq
from libs.messaging.worker import DOC_SCHEMAS, raw_body
from libs.telemetry.logging import correlation_id_var
from libs.telemetry.tracing import span_from_headers

log = logging.getLogger(__name__)

FactHandler = Callable[[Any, KafkaMessage], Awaitable[None]]


async def handle_fact(
    broker: KafkaBroker,
    topic: str,
    adapter: TypeAdapter[Any],
    handler: FactHandler,
    body: bytes,
    msg: KafkaMessage,
    retries: int = 3,
    backoff_s: float = 0.2,
) -> str:
    """Returns "ok" or "dlq"; raises only when the dead letter could not be written."""
    raw = msg.raw_message
    partition = getattr(raw, "partition", -1)
    offset = getattr(raw, "offset", -1)
    key = getattr(raw, "key", None)
    try:
        fact = adapter.validate_json(body) if body else None
        if fact is None:
            return "ok"  # tombstone on a compacted topic: the handler of such topics reads raw
    except ValidationError as exc:
        await send_to_dlq(broker, topic, partition, offset, body, dict(msg.headers), exc, key)
        return "dlq"
    for attempt in range(1, retries + 1):
        try:
            await handler(fact, msg)
            return "ok"
        except Exception as exc:
            if attempt == retries:
                log.exception("giving up after %d attempts", retries, extra={"topic": topic})
                await send_to_dlq(
                    broker, topic, partition, offset, body, dict(msg.headers), exc, key
                )
                return "dlq"
            await asyncio.sleep(backoff_s * attempt)
    return "ok"


def register_fact_handler(
    broker: KafkaBroker,
    *,
    topic: str,
    adapter: TypeAdapter[Any],
    handler: FactHandler,
    group_id: str,
    description: str | None = None,
    **subscriber_kw: Any,
) -> None:
    DOC_SCHEMAS[topic] = adapter.json_schema()

    @broker.subscriber(
        topic,
        group_id=group_id,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        decoder=raw_body,
        auto_offset_reset="earliest",
        title=f"{topic}:{group_id}",
        description=description or handler.__doc__,
        **subscriber_kw,
    )
    async def _on_fact(body: bytes, msg: KafkaMessage) -> None:
        headers = dict(msg.headers)
        token = correlation_id_var.set(headers.get(H_CORRELATION_ID) or msg.correlation_id)
        try:
            with span_from_headers(f"{topic} consume", headers):
                await handle_fact(broker, topic, adapter, handler, body, msg)
        finally:
            correlation_id_var.reset(token)
