"""The storefront MCP server in `--from-kafka` mode, as a real stdio subprocess driven by the
official SDK client, against the real broker and Redis: catalog from a (test-owned) compacted
topic followed live, baskets isolated per owner, signed links, orders published to Kafka."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from faststream.kafka import KafkaBroker
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from redis.asyncio import Redis

from libs.catalog.samples import sample_products
from libs.contracts.catalog import LocalizedText, Product, Variant
from libs.contracts.orders import CheckoutEvent, Order
from libs.contracts.topics import TopicSpec
from libs.messaging.topics import delete_topics, ensure_topics
from services.markets.__main__ import MarketsSettings
from services.markets.__main__ import build as build_markets
from services.mcp_workers.storefront.seed import seed

ROOT = Path(__file__).resolve().parents[2]
ORDER_TOOLS = {"get_checkout", "complete_checkout", "order_status"}


@pytest.fixture
async def topics(kafka_bootstrap: str, redis_url: str) -> AsyncIterator[dict[str, str]]:
    """Topics and a Redis prefix of the test's own; both removed afterwards."""
    tag = uuid.uuid4().hex[:8]
    names = {"catalog": f"test.catalog.{tag}", "orders": f"test.orders.{tag}",
             "checkouts": f"test.checkouts.{tag}", "markets": f"test.markets.{tag}", "tag": tag}
    yield names
    await delete_topics(kafka_bootstrap, [names["catalog"], names["orders"], names["checkouts"],
                                          names["markets"]])
    redis = Redis.from_url(redis_url)
    keys = [k async for k in redis.scan_iter(match=f"test:{tag}:*", count=1000)]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()


@pytest.fixture
async def markets(kafka_bootstrap: str, redis_url: str,
                  topics: dict[str, str]) -> AsyncIterator[KafkaBroker]:
    """The real markets worker (its composition root) answering on the test's own topic."""
    await ensure_topics(kafka_bootstrap, [TopicSpec(topics["markets"])])
    broker = build_markets(MarketsSettings(
        kafka_bootstrap_servers=kafka_bootstrap, redis_url=redis_url,
        instance_id=f"test-markets-{topics['tag']}", markets_topic=topics["markets"]))
    await broker.start()
    yield broker
    await broker.stop()


def server_params(kafka: str, redis_url: str, topics: dict[str, str]) -> StdioServerParameters:
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka,
        "REDIS_URL": redis_url,
        "MUSEO_CATALOG_TOPIC": topics["catalog"],
        "MUSEO_ORDERS_TOPIC": topics["orders"],
        "MUSEO_CHECKOUTS_TOPIC": topics["checkouts"],
        "MUSEO_MARKETS_TOPIC": topics["markets"],
        "MUSEO_REDIS_PREFIX": f"test:{topics['tag']}:",
        "MUSEO_CHECKOUT_SECRET": "s3cret",
        "MUSEO_PUBLIC_BASE_URL": "http://shop.test",
    }
    return StdioServerParameters(
        command=sys.executable,
        env=env,
        cwd=str(ROOT),
        args=["-m", "services.mcp_workers.storefront.server", "--from-kafka"],
    )


async def call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


def tamper(url: str) -> str:
    """The link's token with the signed total lowered to 1p, signature kept."""
    payload, signature = url.split("token=", 1)[1].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["total"] = 1
    altered = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{altered}.{signature}"


async def read_order(kafka: str, topic: str, order_id: str) -> Order:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=kafka, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=10_000)
        for records in batches.values():
            for record in records:
                if record.key == order_id.encode():
                    return Order.model_validate_json(record.value or b"")
    finally:
        await consumer.stop()
    raise AssertionError(f"order {order_id} not on {topic}")


async def test_seed_publishes_only_new_or_changed_products(
    kafka_bootstrap: str, topics: dict[str, str]
) -> None:
    products = list(sample_products())
    assert await seed(kafka_bootstrap, topics["catalog"], products) == (len(products), 0)
    assert await seed(kafka_bootstrap, topics["catalog"], products) == (0, len(products))
    changed = products[0].model_copy(update={"vendor": "changed"})
    assert await seed(kafka_bootstrap, topics["catalog"], [changed, *products[1:]]) == (
        1,
        len(products) - 1,
    )


async def test_carts_checkout_and_orders_through_kafka_and_redis(
    kafka_bootstrap: str, redis_url: str, topics: dict[str, str]
) -> None:
    await seed(kafka_bootstrap, topics["catalog"], sample_products())
    async with Client(
        server_params(kafka_bootstrap, redis_url, topics), read_timeout_seconds=60
    ) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert names >= ORDER_TOOLS and "search_catalog" in names

        found = await call(client, "search_catalog", query="tazas", language="es")
        assert found["products"][0]["id"] == "P2"

        cart = (
            await call(client, "create_cart", owner="alice", lines=[{"sku": "H-1", "quantity": 2}])
        )["cart"]
        other = await call(client, "get_cart", owner="mallory", cart_id=cart["id"])
        assert other["cart"] is None and other["errors"][0]["code"] == "forbidden"
        stolen = await call(
            client,
            "update_cart",
            owner="mallory",
            cart_id=cart["id"],
            lines=[{"sku": "H-1", "quantity": 9}],
        )
        assert stolen["errors"][0]["code"] == "forbidden"
        too_many = await call(
            client,
            "update_cart",
            owner="alice",
            cart_id=cart["id"],
            lines=[{"sku": "W-1", "quantity": 5}],
        )
        assert too_many["errors"][0]["code"] == "insufficient_stock"

        link = await call(client, "get_checkout_url", owner="alice", cart_id=cart["id"])
        assert link["checkout_url"].startswith(f"http://shop.test/checkout/{cart['id']}?token=")
        assert link["total"] == {"amount": 590, "currency": "GBP"}
        forged = tamper(link["checkout_url"])
        assert (await call(client, "get_checkout", token=forged))["errors"][0]["code"] == (
            "invalid_token"
        )
        refused = await call(client, "complete_checkout", token=forged)
        assert refused["order"] is None and refused["errors"][0]["code"] == "invalid_token"

        token = link["checkout_url"].split("token=", 1)[1]
        preview = await call(client, "get_checkout", token=token)
        assert preview["lines"][0]["quantity"] == 2 and preview["total"]["amount"] == 590
        paid = (await call(client, "complete_checkout", token=token))["order"]
        again = (await call(client, "complete_checkout", token=token))["order"]
        assert again["order_id"] == paid["order_id"]  # paying twice makes one order

        order = await read_order(kafka_bootstrap, topics["orders"], paid["order_id"])
        assert order.owner == "alice" and order.total == 590 and order.lines[0].quantity == 2
        emptied = (await call(client, "get_cart", owner="alice", cart_id=cart["id"]))["cart"]
        assert emptied["status"] == "checked_out" and emptied["lines"] == []

        mine = await call(client, "order_status", owner="alice")
        assert [o["order_id"] for o in mine["orders"]] == [paid["order_id"]]
        theirs = await call(client, "order_status", owner="mallory", order_id=paid["order_id"])
        assert theirs["errors"][0]["code"] == "forbidden"


async def checkout_facts(kafka: str, topic: str, count: int) -> list[CheckoutEvent]:
    """Every partition's records from the start, in the order they were written."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka, group_id=None,
                                auto_offset_reset="earliest")
    await consumer.start()
    records = []
    try:
        deadline = asyncio.get_running_loop().time() + 10
        while len(records) < count and asyncio.get_running_loop().time() < deadline:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
    finally:
        await consumer.stop()
    records.sort(key=lambda r: r.timestamp)
    return [CheckoutEvent.model_validate_json(r.value or b"") for r in records]


async def test_the_order_carries_the_buyers_verified_contact_from_the_checkout_link(
    kafka_bootstrap: str, redis_url: str, topics: dict[str, str], markets: KafkaBroker
) -> None:
    await seed(kafka_bootstrap, topics["catalog"], sample_products())
    async with Client(
        server_params(kafka_bootstrap, redis_url, topics), read_timeout_seconds=60
    ) as client:
        owner = "customer:lucia"
        cart = (await call(client, "create_cart", owner=owner,
                           lines=[{"sku": "H-1", "quantity": 1}]))["cart"]
        link = await call(client, "get_checkout_url", owner=owner, cart_id=cart["id"],
                          country="es", language="es-ES",
                          contact={"email": "lucia@example.com"})
        token = link["checkout_url"].split("token=", 1)[1]
        assert "lucia" not in token  # the contact stays out of the link
        paid = (await call(client, "complete_checkout", token=token))["order"]
        order = await read_order(kafka_bootstrap, topics["orders"], paid["order_id"])
        assert order.contact is not None and order.market == "EU"
        assert order.contact.model_dump(exclude_none=True) == {
            "email": "lucia@example.com", "country": "ES", "language": "es"}

        anon = (await call(client, "create_cart", owner="anon:s1",
                           lines=[{"sku": "H-1", "quantity": 1}]))["cart"]
        bare = await call(client, "get_checkout_url", owner="anon:s1", cart_id=anon["id"])
        paid_anon = (await call(client, "complete_checkout",
                                token=bare["checkout_url"].split("token=", 1)[1]))["order"]
        assert (await read_order(kafka_bootstrap, topics["orders"],
                                 paid_anon["order_id"])).contact is None
        dropped = (await call(client, "create_cart", owner=owner,
                              lines=[{"sku": "H-1", "quantity": 1}]))["cart"]
        await call(client, "cancel_cart", owner=owner, cart_id=dropped["id"])

    facts = await checkout_facts(kafka_bootstrap, topics["checkouts"], 2)
    assert [(f.kind, f.cart_id) for f in facts] == [("started", cart["id"]),
                                                    ("cancelled", dropped["id"])]
    started = facts[0]
    assert started.contact == order.contact and started.market == "EU"
    # A Spanish buyer's checkout is in euros (markets priced it), the reminder's as well.
    assert (started.total, started.currency) == (order.total, "EUR") == (349, "EUR")
    assert started.lines[0].sku == "H-1" and started.lines[0].unit_price == 349


async def test_catalog_changes_are_followed_live(
    kafka_bootstrap: str, redis_url: str, topics: dict[str, str]
) -> None:
    await seed(kafka_bootstrap, topics["catalog"], sample_products())
    async with Client(
        server_params(kafka_bootstrap, redis_url, topics), read_timeout_seconds=60
    ) as client:
        missing = await call(client, "get_product", product_id="NEW-1")
        assert missing["product"] is None
        new = Product(
            id="NEW-1",
            handle="glass-owl",
            title=LocalizedText(en="Glass owl"),
            variants=[Variant(sku="OWL-1", price=900, stock=5)],
        )
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
        await producer.start()
        await producer.send_and_wait(
            topics["catalog"], new.model_dump_json().encode(), key=b"NEW-1"
        )
        for _ in range(50):
            found = await call(client, "search_catalog", query="owl")
            if found["products"]:
                break
            await asyncio.sleep(0.1)
        assert found["products"][0]["id"] == "NEW-1"
        await producer.send_and_wait(topics["catalog"], None, key=b"NEW-1")  # tombstone
        await producer.stop()
        for _ in range(50):
            gone = await call(client, "get_product", product_id="NEW-1")
            if gone["product"] is None:
                break
            await asyncio.sleep(0.1)
        assert gone["product"] is None
