"""Thin transport for workers: validate the request, call a plain function, return the reply.

Every request gets an answer: a validation failure or an exception becomes an `ErrorReply` with
`museo-status: error`, published by FastStream to the request's `reply_to` with the same
correlation id. Requests whose deadline passed are acknowledged without work.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import BaseModel, TypeAdapter, ValidationError

from libs.contracts.base import H_CORRELATION_ID, H_DEADLINE, H_STATUS, ErrorReply
from libs.contracts.principal import H_PRINCIPAL
from libs.messaging.errors import HandlerError
from libs.messaging.principal import principal_var, unseal
from libs.telemetry import metrics
from libs.telemetry.logging import correlation_id_var
from libs.telemetry.tracing import inject_headers, span_from_headers

log = logging.getLogger(__name__)

Handler = Callable[[Any], Awaitable[BaseModel]]
# topic -> JSON schema of what it carries, for the AsyncAPI document (`make docs`).
DOC_SCHEMAS: dict[str, dict[str, Any]] = {}


async def raw_body(msg: Any) -> bytes:
    """Decoder that hands the handler the raw bytes, so bad JSON gets an error reply."""
    return bytes(msg.body)


def _error(service: str, code: str, message: str, retryable: bool = False) -> ErrorReply:
    return ErrorReply(code=code, message=message, service=service, retryable=retryable)


def _validation_message(exc: ValidationError) -> str:
    parts = [
        f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()[:5]
    ]
    return "invalid request: " + "; ".join(parts)


async def dispatch(
    adapter: TypeAdapter[Any], handler: Handler, body: bytes, service: str
) -> tuple[BaseModel, str]:
    """Validate and handle one request; never raises. Returns (reply, status)."""
    try:
        request = adapter.validate_json(body)
    except ValidationError as exc:
        return _error(service, "bad_request", _validation_message(exc)), "error"
    try:
        return await handler(request), "ok"
    except HandlerError as exc:
        return _error(service, exc.code, exc.message, exc.retryable), "error"
    except Exception as exc:  # the caller must get an answer, not a timeout
        log.exception("handler failed")
        return _error(service, "internal", f"{type(exc).__name__}: {exc}", True), "error"


def register_request_handler(
    broker: KafkaBroker,
    *,
    topic: str,
    service: str,
    adapter: TypeAdapter[Any],
    handler: Handler,
    group_id: str,
    description: str | None = None,
    max_workers: int = 16,
) -> None:
    """Subscribe `handler` to `topic` in consumer group `group_id`, `max_workers` at a time.

    Requests are acknowledged on receipt (at most once) so they can be handled concurrently:
    each carries a deadline and its caller is waiting, so a request lost with a crashed worker
    shows up as a clear timeout to that caller. Facts, which must not be lost, go through
    `libs.messaging.facts` instead (commit after handling).
    """
    DOC_SCHEMAS[topic] = adapter.json_schema()

    @broker.subscriber(
        topic,
        group_id=group_id,
        ack_policy=AckPolicy.ACK_FIRST if max_workers > 1 else AckPolicy.ACK,
        max_workers=max_workers,
        decoder=raw_body,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=10,
        title=f"{topic}:{service}",
        description=description or handler.__doc__,
        no_reply=True,  # replies are published below, only to callers still waiting
    )
    async def _on_request(body: bytes, msg: KafkaMessage) -> None:
        headers = dict(msg.headers)
        cid = msg.correlation_id or headers.get(H_CORRELATION_ID, "")
        token = correlation_id_var.set(cid)
        # Only a principal sealed with the internal key counts; anything else is no principal.
        who = principal_var.set(unseal(headers.get(H_PRINCIPAL)))
        started = time.perf_counter()
        try:
            deadline = headers.get(H_DEADLINE)
            if deadline and deadline.isdigit() and int(deadline) < time.time() * 1000:
                log.info("skipped expired request", extra={"topic": topic})
                return
            with span_from_headers(f"{topic} handle", headers):
                reply, status = await dispatch(adapter, handler, body, service)
                out = inject_headers({H_STATUS: status, H_CORRELATION_ID: cid})
            metrics.REQUESTS.labels(service, topic, status).inc()
            if msg.reply_to:
                await publish_reply(broker, msg.reply_to, reply, out, cid)
        finally:
            metrics.REQUEST_SECONDS.labels(service, topic).observe(time.perf_counter() - started)
            principal_var.reset(who)
            correlation_id_var.reset(token)


async def publish_reply(
    broker: KafkaBroker, reply_to: str, reply: BaseModel, headers: dict[str, str], cid: str
) -> None:
    """Bounded in time: a gateway that died (and took its reply topic with it) must not block
    this partition for the producer's whole request timeout."""
    try:
        await asyncio.wait_for(
            broker.publish(
                reply.model_dump(mode="json"), reply_to, headers=headers, correlation_id=cid
            ),
            timeout=2.0,
        )
    except Exception as exc:
        log.warning("reply to %s dropped: %s", reply_to, type(exc).__name__)
