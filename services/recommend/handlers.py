"""`recommend.requests` consumed in batches: every request of a batch is answered on its own
`reply_to` with its `correlation_id` and `museo-status`, like `libs/messaging/worker.py` does for
one message; profiles of the whole batch are loaded in one Redis round trip (`runtime.py`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import BaseModel, TypeAdapter, ValidationError

from libs.contracts.base import H_CORRELATION_ID, H_DEADLINE, H_REPLY_TO, H_STATUS, ErrorReply
from libs.contracts.principal import H_PRINCIPAL
from libs.contracts.recommend import RecommendRequest
from libs.messaging.errors import HandlerError
from libs.messaging.principal import unseal
from libs.messaging.worker import DOC_SCHEMAS
from libs.telemetry import metrics
from libs.telemetry.tracing import inject_headers
from services.recommend.runtime import RecommendRuntime

log = logging.getLogger(__name__)
SERVICE = "recommend"
_ADAPTER = TypeAdapter(RecommendRequest)


async def raw_batch(msg: Any) -> list[ConsumerRecord[bytes, bytes]]:
    return list(msg.raw_message)


class _Pending:
    def __init__(self, record: ConsumerRecord[bytes, bytes]) -> None:
        self.headers = {k: v.decode("utf-8", "replace") for k, v in record.headers}
        self.cid = self.headers.get(H_CORRELATION_ID, "")
        self.reply_to = self.headers.get(H_REPLY_TO, "")
        self.value = record.value or b""

    def expired(self) -> bool:
        deadline = self.headers.get(H_DEADLINE, "")
        return deadline.isdigit() and int(deadline) < time.time() * 1000


def for_principal(pending: _Pending, req: RecommendRequest) -> RecommendRequest:
    """A shopper's request reads the shopper's own profile only, whatever ids it names: the
    gateway sealed who they are in `x-museo-principal`. Machines (the shop's backend with
    `recs:read`, checked by the gateway) and internal callers name the profile themselves."""
    who = unseal(pending.headers.get(H_PRINCIPAL))
    if who is None or not who.is_shopper:
        return req
    anonymous = who.kind == "anonymous"
    return req.model_copy(update={"user_id": None if anonymous else who.subject,
                                  "visitor_id": who.subject if anonymous else None})


def _error(code: str, message: str, retryable: bool = False) -> ErrorReply:
    return ErrorReply(code=code, message=message, service=SERVICE, retryable=retryable)


async def answer_batch(runtime: RecommendRuntime,
                       records: list[ConsumerRecord[bytes, bytes]]) -> list[tuple[_Pending,
                                                                                   BaseModel,
                                                                                   str]]:
    """(request, reply, status) for every live request of the batch; never raises."""
    out: list[tuple[_Pending, BaseModel, str]] = []
    valid: list[tuple[_Pending, RecommendRequest]] = []
    for record in records:
        pending = _Pending(record)
        if pending.expired() or not pending.reply_to:
            continue
        try:
            valid.append((pending, for_principal(pending, _ADAPTER.validate_json(pending.value))))
        except ValidationError as exc:
            msg = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
            out.append((pending, _error("bad_request", f"invalid request: {msg}"), "error"))
    if not valid:
        return out
    try:
        replies = await runtime.recommend([req for _, req in valid])
        out.extend((p, reply, "ok") for (p, _), reply in zip(valid, replies, strict=True))
    except HandlerError as exc:
        out.extend((p, _error(exc.code, exc.message, exc.retryable), "error") for p, _ in valid)
    except Exception as exc:  # every caller gets an answer, never a timeout
        log.exception("recommend batch failed")
        err = _error("internal", f"{type(exc).__name__}: {exc}", True)
        out.extend((p, err, "error") for p, _ in valid)
    return out


def register_batch_handler(broker: KafkaBroker, runtime: RecommendRuntime, *, topic: str,
                           group_id: str, max_records: int = 64) -> None:
    DOC_SCHEMAS[topic] = _ADAPTER.json_schema()

    @broker.subscriber(
        topic,
        group_id=group_id,
        batch=True,
        max_records=max_records,
        batch_timeout_ms=10,
        fetch_max_wait_ms=10,
        decoder=raw_batch,
        ack_policy=AckPolicy.ACK,
        auto_offset_reset="earliest",
        title=f"{topic}:{SERVICE}",
        description="Recommendations for users and visitors, answered in batches.",
    )
    async def _on_batch(records: Any, msg: KafkaMessage) -> None:
        started = time.perf_counter()
        answers = await answer_batch(runtime, records)
        await asyncio.gather(*(
            broker.publish(
                reply.model_dump(mode="json"), p.reply_to, correlation_id=p.cid,
                headers=inject_headers({H_STATUS: status, H_CORRELATION_ID: p.cid}),
            )
            for p, reply, status in answers
        ))
        elapsed = time.perf_counter() - started
        for _, _, status in answers:
            metrics.REQUESTS.labels(SERVICE, topic, status).inc()
            metrics.REQUEST_SECONDS.labels(SERVICE, topic).observe(elapsed / max(len(answers), 1))
