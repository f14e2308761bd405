"""Transport of the user-events service: a batch consumer of `events.raw`, the privacy commands
and the export request. Handlers are thin; the work is in `ingest.py` and `privacy.py`.

`events.raw` is consumed at least once: a batch is committed only after its profiles were written
(one MULTI/EXEC), and folding is idempotent by event id, so a crash between the write and the
commit replays events that are then recognised and skipped. Undecodable records go to the DLQ at
once; an event whose fold keeps failing goes there after a few attempts (`ingest_or_dead_letter`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import Counter
from pydantic import TypeAdapter, ValidationError

from libs.contracts.events import UserEvent
from libs.contracts.privacy import PrivacyCommand
from libs.messaging.dlq import send_to_dlq
from libs.messaging.facts import register_fact_handler
from libs.telemetry import metrics
from services.user_events.ingest import Ingestor
from services.user_events.privacy import PrivacyService

log = logging.getLogger(__name__)
EVENTS_IN = Counter("museo_user_events_consumed_total", "events.raw records consumed")
EVENTS_FOLDED = Counter("museo_user_events_folded_total", "events folded into profiles")
_EVENT = TypeAdapter(UserEvent)


async def raw_batch(msg: Any) -> list[ConsumerRecord[bytes, bytes]]:
    """Decoder handing the handler the batch's raw records (headers, offsets, keys)."""
    return list(msg.raw_message)


async def _dead_letter(broker: KafkaBroker, topic: str, record: ConsumerRecord[bytes, bytes],
                       exc: BaseException) -> None:
    headers = {k: v.decode("utf-8", "replace") for k, v in record.headers}
    await send_to_dlq(broker, topic, record.partition, record.offset,
                      record.value or b"", headers, exc, record.key)


async def _decode(broker: KafkaBroker, topic: str, records: list[ConsumerRecord[bytes, bytes]]
                  ) -> list[tuple[ConsumerRecord[bytes, bytes], UserEvent]]:
    decoded = []
    for record in records:
        try:
            decoded.append((record, _EVENT.validate_json(record.value or b"")))
        except ValidationError as exc:
            await _dead_letter(broker, topic, record, exc)
    return decoded


async def ingest_or_dead_letter(
    broker: KafkaBroker, topic: str, ingestor: Ingestor,
    decoded: list[tuple[ConsumerRecord[bytes, bytes], UserEvent]],
    retries: int = 3, backoff_s: float = 0.2,
) -> int:
    """Fold the batch at once; if that fails, fold its events one by one, each retried
    `retries` times, and dead-letter the ones that still fail, so one poison event neither
    halts the partition (a NACKed batch is redelivered forever) nor loses its neighbours.
    Returns how many events were folded. Raises only if a dead letter cannot be written."""
    try:
        return (await ingestor.ingest([event for _, event in decoded])).folded
    except Exception:
        if len(decoded) == 1 and retries <= 1:
            raise
        log.warning("batch of %d failed to fold; folding one by one", len(decoded),
                    exc_info=True, extra={"topic": topic})
    folded = 0
    for record, event in decoded:
        for attempt in range(1, retries + 1):
            try:
                folded += (await ingestor.ingest([event])).folded
                break
            except Exception as exc:
                if attempt == retries:
                    await _dead_letter(broker, topic, record, exc)
                else:
                    await asyncio.sleep(backoff_s * attempt)
    return folded


def register_event_consumer(broker: KafkaBroker, ingestor: Ingestor, *, topic: str,
                            group_id: str, max_records: int = 500) -> None:
    @broker.subscriber(
        topic,
        group_id=group_id,
        batch=True,
        max_records=max_records,
        batch_timeout_ms=20,
        decoder=raw_batch,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        auto_offset_reset="earliest",
        title=f"{topic}:{group_id}",
        description="Fold Web Pixels and conversation events into per-user profiles in Redis.",
    )
    async def _on_events(records: Any, msg: KafkaMessage) -> None:
        decoded = await _decode(broker, topic, records)
        folded = await ingest_or_dead_letter(broker, topic, ingestor, decoded)
        EVENTS_IN.inc(len(records))
        EVENTS_FOLDED.inc(folded)
        duplicates = len(decoded) - folded
        if duplicates:
            metrics.DUPLICATES.labels(topic).inc(duplicates)


def register_privacy_consumer(broker: KafkaBroker, privacy: PrivacyService, *, topic: str,
                              group_id: str) -> None:
    async def handle(command: PrivacyCommand, _msg: KafkaMessage) -> None:
        """Erase a user's personal data or record their consent for a market."""
        await privacy.handle(command)

    register_fact_handler(broker, topic=topic, adapter=TypeAdapter(PrivacyCommand),
                          handler=handle, group_id=group_id)
