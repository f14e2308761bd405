"""Consumer lag of every consumer group, exported by the launcher as Kafka Exporter does.

In a cluster, Strimzi's Kafka Exporter publishes `kafka_consumergroup_lag{consumergroup, topic,
partition}`; locally the launcher computes the same series (committed offset vs end offset) so
one alert rule (deploy/monitoring) serves both. A group with nothing committed yet is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

Key = tuple[str, str, int]  # (group, topic, partition)


def lags(committed: Mapping[tuple[str, TopicPartition], int],
         ends: Mapping[TopicPartition, int]) -> dict[Key, int]:
    """Lag = end offset - committed offset, never negative (a compacted or truncated log)."""
    return {
        (group, tp.topic, tp.partition): max(ends[tp] - offset, 0)
        for (group, tp), offset in committed.items()
        if tp in ends and offset >= 0
    }


async def read_lags(bootstrap: str, timeout_ms: int = 5000,
                    auth: Mapping[str, Any] | None = None) -> dict[Key, int]:
    """`auth`: aiokafka credentials (the 3-broker mode's admin user: it sees every group)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=timeout_ms,
                                **(auth or {}))
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                request_timeout_ms=timeout_ms, **(auth or {}))
    await admin.start()
    try:
        await consumer.start()
        try:
            committed: dict[tuple[str, TopicPartition], int] = {}
            for group, *_ in await admin.list_consumer_groups():
                for tp, meta in (await admin.list_consumer_group_offsets(group)).items():
                    committed[(group, tp)] = meta.offset
            tps = sorted({tp for _, tp in committed})
            ends = await consumer.end_offsets(tps) if tps else {}
            return lags(committed, ends)
        finally:
            await consumer.stop()
    finally:
        await admin.close()


class LagCollector(Collector):
    """Serves the last reading; a background thread refreshes it every `interval_s`."""

    def __init__(self, bootstrap: str, interval_s: float = 15.0,
                 auth: Mapping[str, Any] | None = None) -> None:
        self.bootstrap = bootstrap
        self.interval_s = interval_s
        self.auth = auth
        self.latest: dict[Key, int] = {}
        self._stop = threading.Event()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("kafka_consumergroup_lag", "Messages a consumer group has "
                                   "not committed yet", labels=["consumergroup", "topic",
                                                                "partition"])
        for (group, topic, partition), lag in sorted(self.latest.items()):
            family.add_metric([group, topic, str(partition)], lag)
        yield family

    def start(self) -> None:
        threading.Thread(target=self._run, name="consumer-lag", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            # Kafka down: keep the last reading and try again next round
            with contextlib.suppress(Exception):
                self.latest = asyncio.run(read_lags(self.bootstrap, auth=self.auth))
            self._stop.wait(self.interval_s)
