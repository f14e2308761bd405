"""Facts that cannot be handled go to `<topic>.dlq` with the error; the consumer moves on."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import BaseModel, TypeAdapter

from libs.contracts.base import DeadLetter
from libs.contracts.topics import TopicSpec, dlq
from libs.messaging.facts import register_fact_handler
from libs.messaging.topics import ensure_topics
from tests.integration.helpers_platform import (
    committed_offset,
    poll,
    read_topic,
    unique,
    wait_until,
)


class Fact(BaseModel):
    id: str
    n: int
    mode: str = "ok"  # ok | crash (always fails) | flaky (fails once, then works)


@dataclass
class Recorder:
    handled: list[str] = field(default_factory=list)
    attempts: Counter[str] = field(default_factory=Counter)

    async def __call__(self, fact: Fact, msg: KafkaMessage) -> None:
        self.attempts[fact.id] += 1
        if fact.mode == "crash":
            raise RuntimeError(f"cannot handle {fact.id}")
        if fact.mode == "flaky" and self.attempts[fact.id] == 1:
            raise ConnectionError("transient")
        self.handled.append(fact.id)


@dataclass
class FactsSetup:
    topic: str
    group: str
    recorder: Recorder
    producer: AIOKafkaProducer


@pytest.fixture
async def facts(kafka_bootstrap: str) -> AsyncIterator[FactsSetup]:
    topic = f"test.facts.{unique('dlq')}"
    await ensure_topics(kafka_bootstrap, [TopicSpec(topic, partitions=1), TopicSpec(dlq(topic), 1)])
    recorder = Recorder()
    group = unique("facts")
    broker = KafkaBroker(kafka_bootstrap, logger=None)
    register_fact_handler(broker, topic=topic, adapter=TypeAdapter(Fact), handler=recorder,
                          group_id=group, fetch_max_wait_ms=20)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, linger_ms=0)
    await producer.start()
    await broker.start()
    try:
        yield FactsSetup(topic, group, recorder, producer)
    finally:
        await broker.stop()
        await producer.stop()


async def send(setup: FactsSetup, value: bytes, key: bytes, headers: dict[str, str] | None = None) -> int:
    meta = await setup.producer.send_and_wait(
        setup.topic, value, key=key, headers=[(k, v.encode()) for k, v in (headers or {}).items()])
    return int(meta.offset)


def fact(id_: str, mode: str = "ok") -> bytes:
    return json.dumps({"id": id_, "n": 1, "mode": mode}).encode()


async def test_poison_and_failing_messages_are_dead_lettered_and_the_rest_handled(
    facts: FactsSetup, kafka_bootstrap: str
) -> None:
    offsets = {
        "bad-json": await send(facts, b'{"id": "x", "n": ', b"k-bad",
                               {"x-custom": "bad-json", "correlation_id": "cid-bad"}),
        "g1": await send(facts, fact("g1"), b"k1"),
        "wrong-schema": await send(facts, b'{"id": "w", "n": "many"}', b"k-wrong",
                                   {"x-custom": "wrong-schema"}),
        "g2": await send(facts, fact("g2"), b"k2"),
        "crash": await send(facts, fact("c1", "crash"), b"k-crash", {"x-custom": "crash"}),
        "flaky": await send(facts, fact("f1", "flaky"), b"k-flaky"),
        "g3": await send(facts, fact("g3"), b"k3"),
    }

    assert await wait_until(lambda: "g3" in facts.recorder.handled, timeout=15)
    assert facts.recorder.handled == ["g1", "g2", "f1", "g3"]  # in order, nothing skipped
    assert facts.recorder.attempts["c1"] == 3  # retried in-process, then given up
    assert facts.recorder.attempts["f1"] == 2  # the transient failure was retried, not DLQ'd

    records = await read_topic(kafka_bootstrap, dlq(facts.topic), count=3, timeout=10)
    assert len(records) == 3
    letters = [DeadLetter.model_validate_json(r.value or b"") for r in records]
    by_offset = {letter.offset: (letter, record) for letter, record in zip(letters, records, strict=True)}
    assert set(by_offset) == {offsets["bad-json"], offsets["wrong-schema"], offsets["crash"]}

    letter, record = by_offset[offsets["bad-json"]]
    headers = {k: v.decode() for k, v in record.headers}
    assert letter.original_topic == facts.topic
    assert letter.partition == 0
    assert letter.error_type == "ValidationError"
    assert letter.payload == '{"id": "x", "n": '
    assert record.key == b"k-bad"
    assert headers["x-custom"] == "bad-json"  # original headers are kept
    assert headers["correlation_id"] == "cid-bad"
    assert headers["x-dlq-error-type"] == "ValidationError"
    assert "json" in headers["x-dlq-error"].lower()
    assert headers["x-dlq-original-topic"] == facts.topic
    assert headers["x-dlq-original-offset"] == str(offsets["bad-json"])

    letter, record = by_offset[offsets["wrong-schema"]]
    assert letter.error_type == "ValidationError"
    assert "n" in letter.error
    assert dict(record.headers)["x-custom"] == b"wrong-schema"

    letter, record = by_offset[offsets["crash"]]
    headers = {k: v.decode() for k, v in record.headers}
    assert letter.error_type == "RuntimeError"
    assert headers["x-dlq-error"] == "cannot handle c1"
    assert headers["x-custom"] == "crash"
    assert json.loads(letter.payload)["id"] == "c1"

    # Everything, dead-lettered or handled, is committed: a restart would not replay it.
    committed = await poll(lambda: committed_offset(kafka_bootstrap, facts.group, facts.topic),
                           lambda off: off == offsets["g3"] + 1, timeout=10)
    assert committed == offsets["g3"] + 1


async def test_only_good_messages_means_an_empty_dlq(facts: FactsSetup, kafka_bootstrap: str) -> None:
    for i in range(5):
        await send(facts, fact(f"ok{i}"), f"k{i}".encode())
    assert await wait_until(lambda: len(facts.recorder.handled) == 5, timeout=15)
    assert await read_topic(kafka_bootstrap, dlq(facts.topic), count=1, timeout=0.5) == []
