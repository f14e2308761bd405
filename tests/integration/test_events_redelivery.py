"""The user_events consumer killed (SIGKILL) mid-stream and restarted: no event lost, none
counted twice. Runs the real service process against the real Kafka and Redis."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer
from redis.asyncio import Redis

from libs.contracts.events import ProductDetail, UserEvent
from libs.contracts.topics import TopicSpec
from libs.messaging.topics import ensure_topics
from services.user_events.domain import from_redis
from tests.integration.helpers_platform import free_port, unique

VISITORS, PER_VISITOR = 20, 150  # 3,000 events


def start_service(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "services.user_events"],
                            env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


async def wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        assert proc.poll() is None, "user_events exited"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=1) as r:
                if 'museo_worker_ready{service="user_events"} 1.0' in r.read().decode():
                    return
        except OSError:
            pass
        await asyncio.sleep(0.2)
    raise TimeoutError("user_events not ready")


async def counts(redis: Redis, visitors: list[str]) -> dict[str, int]:
    out = {}
    for v in visitors:
        profile = from_redis(await redis.hgetall(f"profile:{v}"))  # type: ignore[misc]
        out[v] = profile.event_count if profile else 0
    return out


async def test_killed_consumer_loses_nothing_and_counts_nothing_twice(
        kafka_bootstrap: str, redis_url: str) -> None:
    topic = unique("events-raw")
    await ensure_topics(kafka_bootstrap, [TopicSpec(topic, partitions=3),
                                          TopicSpec(f"{topic}.dlq", partitions=1)])
    port = free_port()
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url,
           "MUSEO_EVENTS_TOPIC": topic, "MUSEO_EVENTS_GROUP_ID": unique("ue"),
           "MUSEO_PRIVACY_TOPIC": unique("privacy"), "MUSEO_REQUESTS_TOPIC": unique("ue-req"),
           "MUSEO_FOLLOW_CATALOG": "false", "MUSEO_MAX_BATCH": "40",
           "MUSEO_METRICS_PORT": str(port)}
    await ensure_topics(kafka_bootstrap, [TopicSpec(env["MUSEO_PRIVACY_TOPIC"], partitions=1),
                                          TopicSpec(env["MUSEO_REQUESTS_TOPIC"], partitions=1)])
    visitors = [unique("v") for _ in range(VISITORS)]
    start = datetime.now(UTC) - timedelta(hours=1)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all",
                                enable_idempotence=True, linger_ms=5)
    await producer.start()
    try:
        for i in range(PER_VISITOR):
            for v in visitors:
                event = UserEvent(event_id=f"{v}-{i}", event_type="detail-page-view",
                                  visitor_id=v, event_time=start + timedelta(seconds=i),
                                  product_details=[ProductDetail(id=str(20000 + i % 50))])
                await producer.send(topic, event.model_dump_json().encode(), key=v.encode())
        await producer.flush()
    finally:
        await producer.stop()
    redis = Redis.from_url(redis_url)
    proc = start_service(env)
    try:
        await wait_ready(port, proc)
        for _ in range(300):  # kill once some, but not all, events are folded
            folded = sum((await counts(redis, visitors)).values())
            if folded >= 300:
                break
            await asyncio.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        killed_at = sum((await counts(redis, visitors)).values())
        assert 0 < killed_at < VISITORS * PER_VISITOR, killed_at
        proc = start_service(env)
        await wait_ready(port, proc)
        final: dict[str, int] = {}
        for _ in range(600):
            final = await counts(redis, visitors)
            if sum(final.values()) >= VISITORS * PER_VISITOR:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # anything counted twice would show up now
        final = await counts(redis, visitors)
        assert final == {v: PER_VISITOR for v in visitors}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(20)
        await redis.aclose()
