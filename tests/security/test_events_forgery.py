"""Attack: fold fake purchases into Alice's profile and stitch the attacker's clientId to her
with an anonymous `checkout_completed` naming her customer id; or send internal event types."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from libs.auth.customer import CustomerTokens
from libs.contracts.events import EVENTS_RAW
from tests.security.helpers import bearer


def checkout_completed(client_id: str, customer_id: str) -> dict[str, Any]:
    return {
        "id": f"sh-{uuid.uuid4()}", "name": "checkout_completed", "type": "standard",
        "clientId": client_id, "timestamp": datetime.now(UTC).isoformat(),
        "data": {"checkout": {
            "currencyCode": "GBP", "totalPrice": {"amount": 5.9, "currencyCode": "GBP"},
            "order": {"id": f"gid://shopify/Order/{uuid.uuid4().int % 10**9}",
                      "customer": {"id": f"gid://shopify/Customer/{customer_id}"}},
            "lineItems": [{"quantity": 1, "variant": {
                "id": "gid://shopify/ProductVariant/212121", "sku": "H-1",
                "price": {"amount": 5.9, "currencyCode": "GBP"},
                "product": {"id": "gid://shopify/Product/21212", "title": "Mug"}}}]}},
    }


async def published(bootstrap: str, event_id: str, before: dict[int, int]) -> dict[str, Any]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        parts = [TopicPartition(EVENTS_RAW, p) for p in before]
        consumer.assign(parts)
        for tp in parts:
            consumer.seek(tp, before[tp.partition])
        for _ in range(40):
            batch = await consumer.getmany(timeout_ms=250)
            for records in batch.values():
                for record in records:
                    value = json.loads(record.value or b"{}")
                    if value.get("event_id") == event_id:
                        return value  # type: ignore[no-any-return]
            await asyncio.sleep(0)
        raise AssertionError(f"event {event_id} never reached {EVENTS_RAW}")
    finally:
        await consumer.stop()


async def end_offsets(bootstrap: str) -> dict[int, int]:
    # A producer's partitions_for() fetches the topic's metadata; a consumer's
    # partitions_for_topic() only reads its cache, which names no topic it never subscribed to
    # (it gave None, and only partition 0 was watched).
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        partitions = await producer.partitions_for(EVENTS_RAW)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        ends = await consumer.end_offsets([TopicPartition(EVENTS_RAW, p) for p in partitions])
        return {tp.partition: offset for tp, offset in ends.items()}
    finally:
        await consumer.stop()


async def test_anonymous_event_cannot_claim_a_customer(gateway: str, kafka_bootstrap: str) -> None:
    event = checkout_completed(f"attacker-{uuid.uuid4().hex[:8]}", "alice")
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as http:
        await http.post("/v1/events", json=[])  # topic exists before offsets are read
        before = await end_offsets(kafka_bootstrap)
        resp = await http.post("/v1/events", json=event)
    assert resp.status_code == 202, resp.text
    assert resp.json()["customer_ids_ignored"] == 1
    sent = await published(kafka_bootstrap, event["id"], before)
    assert sent["user_id"] is None and sent["visitor_id"] == event["clientId"]


async def test_a_customer_token_may_claim_only_its_own_id(gateway: str,
                                                          customer_tokens: CustomerTokens) -> None:
    token = customer_tokens.issue("mallory", None)
    async with httpx.AsyncClient(base_url=gateway, timeout=30, headers=bearer(token)) as http:
        resp = await http.post("/v1/events", json=checkout_completed("c-1", "alice"))
    assert resp.status_code == 422, resp.text
    assert "not the signed-in customer" in resp.json()["rejected"][0]["reason"]


async def test_internal_event_types_are_refused_on_the_public_endpoint(gateway: str) -> None:
    turn = {"id": "conv-1", "name": "conversation_turn", "clientId": "x", "timestamp":
            datetime.now(UTC).isoformat(), "conversation_id": "c", "intent_name": "x",
            "intent_type": "purchase", "product_ids": ["P1"], "customer_id": "alice"}
    order = {**turn, "id": "ord-1", "name": "order_completed"}
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as http:
        resp = await http.post("/v1/events", json=[turn, order])
    assert resp.status_code == 422, resp.text
    reasons = [r["reason"] for r in resp.json()["rejected"]]
    assert len(reasons) == 2 and all("internal event type" in r for r in reasons)
