"""A poison event on `events.raw` (dated year 9999: its fold overflows) followed by good ones on
the same partition: the real user_events service folds the good ones, dead-letters the poison
with its error to `events.raw.dlq`-style `<topic>.dlq`, and the partition moves on."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from redis.asyncio import Redis

from libs.contracts.events import ProductDetail, UserEvent
from libs.contracts.topics import TopicSpec
from libs.messaging.topics import ensure_topics
from tests.integration.helpers_platform import free_port, read_topic, unique
from tests.integration.test_events_redelivery import counts, start_service, wait_ready


def viewed(event_id: str, visitor: str, when: datetime) -> UserEvent:
    return UserEvent(event_id=event_id, event_type="detail-page-view", visitor_id=visitor,
                     event_time=when, product_details=[ProductDetail(id="20001")])


async def test_poison_event_goes_to_the_dlq_and_the_partition_moves_on(
        kafka_bootstrap: str, redis_url: str) -> None:
    topic = unique("events-raw")
    privacy, requests = unique("privacy"), unique("ue-req")
    topics = [topic, f"{topic}.dlq", privacy, requests]
    await ensure_topics(kafka_bootstrap, [TopicSpec(t, partitions=1) for t in topics])
    port = free_port()
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url,
           "MUSEO_EVENTS_TOPIC": topic, "MUSEO_EVENTS_GROUP_ID": unique("ue"),
           "MUSEO_PRIVACY_TOPIC": privacy, "MUSEO_REQUESTS_TOPIC": requests,
           "MUSEO_FOLLOW_CATALOG": "false", "MUSEO_METRICS_PORT": str(port)}
    poisoned, good = unique("v-poison"), unique("v-good")
    now = datetime.now(UTC) - timedelta(minutes=5)
    events = [viewed("poison-9999", poisoned, datetime(9999, 12, 31, tzinfo=UTC))]
    events += [viewed(f"good-{i}", good, now + timedelta(seconds=i)) for i in range(5)]
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:  # one partition, poison first: before the fix the whole partition stalled behind it
        for event in events:
            await producer.send_and_wait(topic, event.model_dump_json().encode(), key=b"same-key")
    finally:
        await producer.stop()
    redis = Redis.from_url(redis_url)
    proc = start_service(env)
    try:
        await wait_ready(port, proc)
        folded: dict[str, int] = {}
        for _ in range(300):
            folded = await counts(redis, [good, poisoned])
            if folded[good] >= 5:
                break
            await asyncio.sleep(0.1)
        assert folded == {good: 5, poisoned: 0}
        letters = await read_topic(kafka_bootstrap, f"{topic}.dlq", 1, timeout=30)
        assert len(letters) == 1
        letter = json.loads(letters[0].value)
        assert letter["original_topic"] == topic
        assert letter["error_type"] == "OverflowError"
        assert "poison-9999" in letter["payload"]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(20)
        await redis.delete(f"profile:{good}", f"profile:{poisoned}")
        await redis.aclose()
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
        await admin.start()
        try:
            await admin.delete_topics(topics)
        finally:
            await admin.close()
