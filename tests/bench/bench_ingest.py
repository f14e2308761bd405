"""Ingest throughput: events/s accepted by `POST /v1/events` (202 = acked by Kafka, acks=all) and
folded into Redis profiles by the user_events service, with the count in equal to the count out.

Run: .venv/bin/python tests/bench/bench_ingest.py [events]  (needs Kafka + Redis: make infra-up)
Gateway and user_events run in this process on their own topics; the HTTP client shares the loop.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from redis.asyncio import Redis

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
# The in-process MCP server would install a chatty INFO handler when nothing configured logging.
logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

from deploy.local.infra import InfraConfig  # noqa: E402
from libs.contracts.topics import TopicSpec  # noqa: E402
from libs.messaging.topics import ensure_topics  # noqa: E402
from services.user_events.__main__ import UserEventsSettings, build  # noqa: E402
from services.user_events.domain import Profile, fold, from_redis  # noqa: E402
from tests.integration.helpers_platform import GatewayServer  # noqa: E402
from tests.integration.test_events_ingest import product_viewed  # noqa: E402

KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
REDIS = os.environ.get("REDIS_URL") or InfraConfig().redis_url  # the password is in it
BATCH, CONCURRENCY, VISITORS = 100, 8, 500


def fold_cpu(batches: int = 40, per_profile: int = 20) -> None:
    """CPU only: a batch's events for one profile that already holds 50 recent events, folded
    one `fold` at a time (a deep copy per event) vs `fold_many` (one copy per batch)."""
    import services.user_events.domain as dom
    from libs.contracts.events import ProductDetail, UserEvent

    def event(j: int) -> UserEvent:
        return UserEvent(event_id=uuid.uuid4().hex, event_type="detail-page-view",
                         visitor_id="v", event_time=datetime.now(UTC),
                         product_details=[ProductDetail(id=str(20000 + j), price=1200)])

    warm = Profile()
    for e in [event(j) for j in range(60)]:
        warm = fold(warm, e, e.event_time)
    fold_many = getattr(dom, "fold_many", None)  # absent before the change: measure fold only
    rates = {}
    for name in ("fold per event", "fold_many per batch")[: 2 if fold_many else 1]:
        evs = [[event(j) for j in range(per_profile)] for _ in range(batches)]
        started = time.process_time()
        for batch in evs:
            if fold_many is not None and name == "fold_many per batch":
                fold_many(warm, batch, batch[-1].event_time)
            else:
                p = warm
                for e in batch:
                    p = fold(p, e, e.event_time)
        rates[name] = batches * per_profile / (time.process_time() - started)
    shown = ", ".join(f"{k} {v:,.0f} events/s" for k, v in rates.items())
    print(f"fold CPU, profile with 50 recent events, {per_profile} events/profile/batch: {shown}")


async def main(total: int) -> None:
    run = uuid.uuid4().hex[:8]
    topic = f"bench-events-{run}"
    settings = UserEventsSettings(kafka_bootstrap_servers=KAFKA, redis_url=REDIS,
                                  events_topic=topic, events_group_id=f"bench-ue-{run}",
                                  privacy_topic=f"bench-privacy-{run}",
                                  requests_topic=f"bench-uereq-{run}", follow_catalog=False)
    await ensure_topics(KAFKA, [TopicSpec(topic, 3), TopicSpec(f"{topic}.dlq", 1),
                                TopicSpec(settings.privacy_topic, 1),
                                TopicSpec(settings.requests_topic, 1)])
    worker = build(settings)
    await worker.start()
    await worker.broker.start()
    fold_cpu()
    gateway = GatewayServer(KAFKA, REDIS)
    await gateway.start()
    gateway.app.state.gw.settings.events_topic = topic
    visitors = [f"bench-{run}-{i}" for i in range(VISITORS)]
    batches = [[product_viewed(visitors[(b * BATCH + j) % VISITORS], str(20000 + j % 300))
                for j in range(BATCH)] for b in range(total // BATCH)]
    redis = Redis.from_url(REDIS)
    accepted = 0
    queue: asyncio.Queue[list[dict[str, object]]] = asyncio.Queue()
    for b in batches:
        queue.put_nowait(b)

    async def sender(client: httpx.AsyncClient) -> None:
        nonlocal accepted
        while not queue.empty():
            resp = await client.post("/v1/events", json={"events": queue.get_nowait()})
            assert resp.status_code == 202, resp.text
            accepted += resp.json()["accepted"]

    try:
        started = time.perf_counter()
        async with httpx.AsyncClient(base_url=gateway.base_url, timeout=60) as client:
            await asyncio.gather(*(sender(client) for _ in range(CONCURRENCY)))
        acked = time.perf_counter() - started
        folded = 0
        while time.perf_counter() - started < 300:
            async with redis.pipeline(transaction=False) as pipe:
                for v in visitors:
                    pipe.hget(f"profile:{v}", "profile")
                profiles = [from_redis(r) for r in await pipe.execute()]
            folded = sum(p.event_count for p in profiles if p)
            if folded >= accepted:
                break
            await asyncio.sleep(0.05)
        done = time.perf_counter() - started
        print(f"events sent={total} accepted (202, acks=all)={accepted} "
              f"folded into profiles={folded}  in==out: {accepted == folded == total}")
        print(f"accepted: {accepted / acked:,.0f} events/s ({acked:.2f}s, batches of {BATCH}, "
              f"{CONCURRENCY} concurrent posts)")
        print(f"end to end (accepted and folded): {folded / done:,.0f} events/s ({done:.2f}s)")
    finally:
        keys = [f"profile:{v}" for v in visitors]
        await redis.delete(*keys)
        await redis.aclose()
        await gateway.stop()
        await worker.broker.stop()
        await worker.stop()


if __name__ == "__main__":
    fold_cpu()
    if sys.argv[1:2] == ["fold"]:
        fold_cpu()
    else:
        asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000))
