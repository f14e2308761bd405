"""Recommendation latency through the gateway (HTTP → Kafka → recommend → Kafka → HTTP), p50/p95,
sequential and 32 in flight; and the recommend batch's CPU per request, batched vs one by one.

Run: .venv/bin/python tests/bench/bench_gateway_more.py  (needs Kafka + Redis: make infra-up)
Everything runs in this process on its own topics, with the demo catalog and interactions.
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

# The in-process MCP server would install a chatty INFO handler when nothing configured logging.
logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import tests.integration.test_recs_personalisation as recs  # noqa: E402
from deploy.local.infra import InfraConfig  # noqa: E402
from libs.contracts.recommend import RecommendRequest  # noqa: E402
from services.recommend.domain import benchmark_batching  # noqa: E402
from services.user_events.domain import InMemoryProfileStore, Profile, from_redis  # noqa: E402
from tests.integration.test_events_ingest import product_viewed  # noqa: E402

KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
REDIS = os.environ.get("REDIS_URL") or InfraConfig().redis_url  # the password is in it
USERS, SEQUENTIAL, CONCURRENT = 200, 300, 32


def pct(values: list[float], p: float) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * p))] * 1000


async def timed(client: httpx.AsyncClient, params: dict[str, Any]) -> float:
    started = time.perf_counter()
    resp = await client.get("/v1/recommendations", params=params)
    assert resp.status_code == 200, resp.text
    return time.perf_counter() - started


async def main() -> None:
    recs.N_PRODUCTS = 5000  # the whole demo catalog
    gen = recs.stack.__wrapped__(KAFKA, REDIS)  # type: ignore[attr-defined]
    stack = await gen.__anext__()
    try:
        users = [f"bench-rec-{i}-{time.time_ns()}" for i in range(USERS)]
        async with httpx.AsyncClient(base_url=stack.gateway.base_url, timeout=30) as client:
            events = [product_viewed(u, stack.product_ids[(i * 7 + j) % len(stack.product_ids)])
                      for i, u in enumerate(users) for j in range(5)]
            for s in range(0, len(events), 200):
                await client.post("/v1/events", json=events[s:s + 200], params={"market": "US"})
            await recs.poll(lambda: stack.event_count(users[-1]), lambda n: n >= 5, 30)
            params = [{"visitor_id": u, "market": "US", "limit": 10} for u in users]
            for p in params[:20]:
                await timed(client, p)  # warm-up
            seq = [await timed(client, params[i % USERS]) for i in range(SEQUENTIAL)]
            started = time.perf_counter()
            conc: list[float] = []
            for s in range(0, SEQUENTIAL, CONCURRENT):
                conc += await asyncio.gather(*(timed(client, params[(s + k) % USERS])
                                               for k in range(CONCURRENT)))
            wall = time.perf_counter() - started
        print(f"GET /v1/recommendations sequential: p50={pct(seq, .5):.1f} ms "
              f"p95={pct(seq, .95):.1f} ms mean={statistics.mean(seq) * 1000:.1f} ms (n={len(seq)})")
        print(f"GET /v1/recommendations {CONCURRENT} in flight: p50={pct(conc, .5):.1f} ms "
              f"p95={pct(conc, .95):.1f} ms throughput={len(conc) / wall:,.0f} req/s")
        print(f"live metrics: {stack.recommend.runtime.metrics.values}")
        profiles: list[Profile] = []
        for u in users:
            found = from_redis(await stack.redis.hgetall(f"profile:{u}"))  # type: ignore[misc]
            if found:
                profiles.append(found)
        recommender = stack.recommend.runtime.recommender
        assert recommender is not None
        reqs = [RecommendRequest(visitor_id=u, market="US", limit=10)
                for u in users for _ in range(4)]
        loop_free = await asyncio.to_thread(
            benchmark_batching, reqs, InMemoryProfileStore(profiles), recommender, 64)
        print(f"CPU per request (model + profile decode, {len(reqs)} requests, 4 per user): "
              f"batched(64)={loop_free['batched_cpu_ms_per_request']:.2f} ms, "
              f"one by one={loop_free['single_cpu_ms_per_request']:.2f} ms")
    finally:
        await gen.aclose()


if __name__ == "__main__":
    asyncio.run(main())
