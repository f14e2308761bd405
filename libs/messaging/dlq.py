"""Dead-letter topics: a message that cannot be handled goes to `<topic>.dlq` with the error."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from faststream.kafka import KafkaBroker

from libs.contracts.base import DeadLetter
from libs.contracts.topics import dlq
from libs.telemetry import metrics

log = logging.getLogger(__name__)


def dead_letter(
    topic: str, partition: int, offset: int, payload: bytes, exc: BaseException
) -> DeadLetter:
    return DeadLetter(
        original_topic=topic,
        partition=partition,
        offset=offset,
        error=str(exc)[:2000],
        error_type=type(exc).__name__,
        payload=payload.decode("utf-8", "replace"),
        failed_at=dt.datetime.now(dt.UTC).isoformat(),
    )


async def send_to_dlq(
    broker: KafkaBroker,
    topic: str,
    partition: int,
    offset: int,
    payload: bytes,
    headers: dict[str, Any],
    exc: BaseException,
    key: bytes | None = None,
) -> None:
    """Publish the dead letter with the original headers plus `x-dlq-*` ones; raises if Kafka fails,
    so the caller does not commit the original and it is retried rather than lost."""
    letter = dead_letter(topic, partition, offset, payload, exc)
    out_headers = {k: str(v) for k, v in headers.items()}
    out_headers.update(
        {
            "x-dlq-error": letter.error[:500],
            "x-dlq-error-type": letter.error_type,
            "x-dlq-original-topic": topic,
            "x-dlq-original-offset": str(offset),
        }
    )
    await broker.publish(letter.model_dump(mode="json"), dlq(topic), key=key, headers=out_headers)
    metrics.DLQ_MESSAGES.labels(topic).inc()
    log.warning(
        "sent to %s: %s: %s",
        dlq(topic),
        letter.error_type,
        letter.error[:200],
        extra={"topic": topic},
    )
