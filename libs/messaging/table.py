"""A read model of a compacted topic: load it from the beginning at start-up, then follow it live.

Used for `catalog.products`: every service that needs the catalog builds its own copy. The
consumer has no group (each process reads every partition), so start-up waits for no rebalance.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Generic, TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from pydantic import TypeAdapter, ValidationError

from libs.settings import kafka_client_kwargs

log = logging.getLogger(__name__)
V = TypeVar("V")
OnChange = Callable[[str, V | None], None]  # (key, value or None for a tombstone)


class TableFollower(Generic[V]):
    def __init__(
        self, bootstrap: str, topic: str, adapter: TypeAdapter[V], on_change: OnChange[V]
    ) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.adapter = adapter
        self.on_change = on_change
        self.loaded = asyncio.Event()
        self.invalid = 0
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, timeout: float = 60.0) -> None:
        """Read the topic to its current end (the start-up load), then keep following it."""
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=50,
            max_partition_fetch_bytes=4 << 20,
            **kafka_client_kwargs(),
        )
        await self._consumer.start()
        partitions = self._consumer.partitions_for_topic(self.topic)
        if not partitions:
            await self._consumer._client.force_metadata_update()  # type: ignore[attr-defined]
            partitions = self._consumer.partitions_for_topic(self.topic) or {0}
        tps = [TopicPartition(self.topic, p) for p in sorted(partitions)]
        self._consumer.assign(tps)
        await self._consumer.seek_to_beginning(*tps)
        ends = await self._consumer.end_offsets(tps)
        self._task = asyncio.create_task(self._run(dict(ends)), name=f"follow-{self.topic}")
        await asyncio.wait_for(self.loaded.wait(), timeout)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer:
            await self._consumer.stop()

    async def _run(self, ends: dict[TopicPartition, int]) -> None:
        assert self._consumer is not None
        pending = {tp for tp, end in ends.items() if end > 0}
        if not pending:
            self.loaded.set()
        while True:
            batches = await self._consumer.getmany(timeout_ms=200, max_records=5000)
            for tp, records in batches.items():
                for record in records:
                    self._apply(record)
                if tp in pending and records and records[-1].offset + 1 >= ends[tp]:
                    pending.discard(tp)
            if pending:
                for tp in list(pending):
                    if await self._consumer.position(tp) >= ends[tp]:
                        pending.discard(tp)
            if not pending and not self.loaded.is_set():
                self.loaded.set()

    def _apply(self, record: ConsumerRecord[bytes, bytes]) -> None:
        key = (record.key or b"").decode()
        if record.value is None:
            self.on_change(key, None)
            return
        try:
            value = self.adapter.validate_json(record.value)
        except ValidationError as exc:
            self.invalid += 1
            log.warning(
                "skipped invalid record %s@%s: %s", self.topic, record.offset, exc.errors()[:1]
            )
            return
        try:
            self.on_change(key, value)
        except Exception:  # a record the read model cannot apply must not stop the follower
            self.invalid += 1
            log.exception("skipped a record the read model rejected: %s@%s", self.topic,
                          record.offset)
