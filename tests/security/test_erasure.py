"""Erasure reaches every store, and what is left cannot name or rebuild the person.

Through the real gateway with the real user-events and recommend workers on real Kafka and
Redis (the `stack` of the personalisation integration tests)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from libs.telemetry.span_file import JsonLinesSpanExporter
from libs.telemetry.tracing import setup_tracing
from tests.integration import test_recs_personalisation as recs
from tests.integration.helpers_platform import poll, unique
from tests.integration.test_events_ingest import product_viewed
from tests.integration.test_recs_personalisation import Stack

stack = recs.stack  # module-scoped: one gateway + workers for this module
pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]


async def _view(stack: Stack, visitor: str, market: str, at: datetime | None = None,
                n: int = 3) -> None:
    events = [product_viewed(visitor, pid, at=at) for pid in stack.product_ids[20:20 + n]]
    resp = await stack.send("POST", "/v1/events", json=events, params={"market": market})
    assert resp.status_code == 202, resp.text
    await poll(lambda: stack.event_count(visitor), lambda c: c >= n, 30)


async def _records_of(bootstrap: str, topic: str, visitor: str) -> list[tuple[bytes, bytes]]:
    """Every (key, value) of `visitor` on the topic, read from the beginning: a replay."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest")  # no group: every partition
    await consumer.start()
    try:
        parts = list(consumer.assignment())
        assert parts, "the events topic has partitions"
        ends = await consumer.end_offsets(parts)
        found: list[tuple[bytes, bytes]] = []
        async def behind() -> bool:
            return any([await consumer.position(p) < ends[p] for p in parts])

        while await behind():
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                found.extend((r.key or b"", r.value or b"") for r in records
                             if r.key == visitor.encode())
        return found
    finally:
        await consumer.stop()


async def test_replaying_events_raw_cannot_rebuild_an_erased_profile(
    stack: Stack, kafka_bootstrap: str
) -> None:
    visitor = unique("replayed")
    await _view(stack, visitor, "US")
    topic = stack.gateway.app.state.gw.settings.events_topic
    history = await _records_of(kafka_bootstrap, topic, visitor)
    assert len(history) >= 1
    resp = await stack.send("DELETE", f"/v1/users/{visitor}")
    assert resp.status_code == 200, resp.text
    assert await stack.event_count(visitor) == 0

    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for key, value in history:  # the log replayed, as a group reset would deliver it
            await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()
    # A new visit after the erasure lands behind the replay on the same partition (same key).
    await asyncio.sleep(1.1)
    await _view(stack, visitor, "US", n=1)
    assert await stack.event_count(visitor) == 1, "only the visit after the erasure is folded"
    tombstones = await stack.redis.hgetall("privacy:tombstones")  # type: ignore[misc]
    assert tombstones and all(visitor.encode() not in k for k in tombstones)


async def test_erasure_anonymises_orders_and_keeps_them_for_bookkeeping(stack: Stack) -> None:
    customer, order_id = unique("buyer"), f"ord_{uuid.uuid4().hex[:16]}"
    order = {"order_id": order_id, "cart_id": "c1", "owner": f"user:{customer}",
             "lines": [{"product_id": "p1", "sku": "S-1", "title": "Mug", "quantity": 1,
                        "unit_price": 295, "line_total": 295}],
             "subtotal": 295, "total": 295, "currency": "GBP", "payment_provider": "stripe",
             "payment_ref": "cs_test_1", "email": f"{customer}@example.com",
             "created_at": datetime.now(UTC).isoformat()}
    await stack.redis.set(f"order:{order_id}", json.dumps(order), ex=3600)
    await stack.redis.lpush(f"orders:user:{customer}", order_id)  # type: ignore[misc]
    resp = await stack.send("DELETE", f"/v1/users/{customer}")
    assert resp.status_code == 200, resp.text
    assert resp.json()["audit"]["removed"]["orders_anonymised"] == 1
    kept = json.loads(await stack.redis.get(f"order:{order_id}") or b"{}")
    assert kept["owner"] == "erased" and "email" not in kept
    assert kept["total"] == 295 and kept["payment_ref"] == "cs_test_1"
    assert customer not in json.dumps(kept)
    assert await stack.redis.exists(f"orders:user:{customer}") == 0
    assert 0 < await stack.redis.ttl(f"order:{order_id}") <= 3600
    await stack.redis.delete(f"order:{order_id}")


async def test_an_old_stored_session_is_not_used_for_a_non_consented_eu_user(
    stack: Stack
) -> None:
    visitor = unique("eu-old")
    await _view(stack, visitor, "EU", at=datetime.now(UTC) - timedelta(days=2))
    viewed = await stack.recs(visitor_id=visitor, market="EU", kind="recently_viewed", limit=5)
    assert viewed["items"] == [], "no consent: two-day-old views are history, not a session"
    rfy = await stack.recs(visitor_id=visitor, market="EU", limit=5)
    assert rfy["personalized"] is False and not rfy["strategy"].startswith("rfy:session")
    fresh = unique("eu-now")
    await _view(stack, fresh, "EU")
    live = await stack.recs(visitor_id=fresh, market="EU", kind="recently_viewed", limit=5)
    assert live["items"], "the live session of the same kind of user still counts"


async def test_trace_files_carry_route_templates_not_user_ids(stack: Stack,
                                                             tmp_path: Path) -> None:
    setup_tracing("tests")
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    trace_file = tmp_path / "spans.jsonl"
    processor = SimpleSpanProcessor(JsonLinesSpanExporter(str(trace_file)))
    provider.add_span_processor(processor)
    secret_id = unique("alice-private")
    try:
        await stack.send("DELETE", f"/v1/users/{secret_id}")
        await stack.get(f"/v1/users/{secret_id}/export")
        await stack.get(f"/v1/orders/{secret_id}")
    finally:
        processor.shutdown()
    lines = trace_file.read_text().splitlines()
    names = [json.loads(line)["name"] for line in lines]
    assert "DELETE /v1/users/{user_id}" in names and "GET /v1/users/{user_id}/export" in names
    assert [line for line in lines if secret_id in line] == []
