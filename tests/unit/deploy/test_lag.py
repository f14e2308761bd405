"""Consumer lag as the launcher exports it (the Kafka Exporter series the alert rule reads)."""

from __future__ import annotations

from aiokafka import TopicPartition
from prometheus_client import CollectorRegistry, generate_latest

from deploy.local.lag import LagCollector, lags


def test_lag_is_end_minus_committed_and_never_negative() -> None:
    a0, a1 = TopicPartition("events.raw", 0), TopicPartition("events.raw", 1)
    committed = {("user-events", a0): 90, ("user-events", a1): 50, ("recommend", a0): -1,
                 ("gone", TopicPartition("deleted", 0)): 3}
    ends = {a0: 100, a1: 40}
    assert lags(committed, ends) == {("user-events", "events.raw", 0): 10,
                                     ("user-events", "events.raw", 1): 0}


def test_the_collector_serves_the_last_reading_with_kafka_exporter_labels() -> None:
    collector = LagCollector("127.0.0.1:1")
    registry = CollectorRegistry()
    registry.register(collector)
    assert "# TYPE kafka_consumergroup_lag gauge" in generate_latest(registry).decode()
    collector.latest = {("user-events", "events.raw", 2): 7}
    text = generate_latest(registry).decode()
    assert 'kafka_consumergroup_lag{consumergroup="user-events",partition="2",topic="events.raw"} 7.0' in text
