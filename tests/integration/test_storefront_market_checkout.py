"""Checkout in the buyer's currency, end to end below the gateway: the storefront MCP server in
`--from-kafka` mode (a real stdio subprocess) asks the real markets worker over Kafka
request/reply to price a GBP cart for Spain; the link, the checkout page data and the `orders`
record are in euros, with the quote recorded. With markets stopped, a euro link is refused at
once (`pricing_unavailable`) while a GBP one still works. Real Kafka and Redis throughout."""

from __future__ import annotations

import time

from aiokafka.admin import AIOKafkaAdminClient
from faststream.kafka import KafkaBroker
from mcp import Client

from libs.catalog.samples import sample_products
from libs.contracts.markets import LocalizePriceReply, LocalizePriceRequest, PriceItem
from libs.messaging.rpc import RpcClient
from services.mcp_workers.storefront.seed import seed
from tests.integration.test_storefront_runtime import (
    call,
    markets,
    read_order,
    server_params,
    topics,
)

__all__ = ["markets", "topics"]  # the fixtures, shared with the storefront runtime tests


async def storefront_reply_topics(kafka: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        return {t for t in await admin.list_topics() if t.startswith("gateway.replies.storefront-")}
    finally:
        await admin.close()


async def test_a_gbp_cart_is_paid_in_euros_at_the_price_markets_quotes(
    kafka_bootstrap: str, redis_url: str, topics: dict[str, str], markets: KafkaBroker
) -> None:
    await seed(kafka_bootstrap, topics["catalog"], sample_products())
    markets_topic = topics["markets"]
    before = await storefront_reply_topics(kafka_bootstrap)
    try:
        async with Client(server_params(kafka_bootstrap, redis_url, topics),
                          read_timeout_seconds=60) as client:
            owner = "customer:lucia"
            cart = (await call(client, "create_cart", owner=owner,
                               lines=[{"sku": "H-1", "quantity": 2},
                                      {"sku": "L-1", "quantity": 1}]))["cart"]
            assert cart["subtotal"] == {"amount": 2 * 295 + 495, "currency": "GBP"}
            link = await call(client, "get_checkout_url", owner=owner, cart_id=cart["id"],
                              country="ES", language="es", contact={"email": "l@example.com"})
            assert not link["errors"], link["errors"]

            # What markets itself quotes for one unit of each line, asked directly.
            rpc = RpcClient(kafka_bootstrap, f"test-quote-{topics['tag']}")
            await rpc.start()
            try:
                quote = await rpc.request(markets_topic, LocalizePriceRequest(
                    country="ES", items=[PriceItem(id="H-1", amount=295),
                                         PriceItem(id="L-1", amount=495)]), LocalizePriceReply)
            finally:
                await rpc.stop()
            heart, lights = (p.amount for p in quote.prices)
            expected = 2 * heart + lights
            assert link["total"] == {"amount": expected, "currency": "EUR"}

            token = link["checkout_url"].split("token=", 1)[1]
            preview = await call(client, "get_checkout", token=token)
            assert preview["total"] == link["total"]
            assert [ln["unit_price"] for ln in preview["lines"]] == [
                {"amount": heart, "currency": "EUR"}, {"amount": lights, "currency": "EUR"}]
            assert preview["pricing"]["exchange_rate"] == quote.prices[0].exchange_rate

            paid = (await call(client, "complete_checkout", token=token))["order"]
            assert paid["total"] == link["total"]
            order = await read_order(kafka_bootstrap, topics["orders"], paid["order_id"])
            assert (order.currency, order.total, order.subtotal) == ("EUR", expected, expected)
            assert [ln.line_total for ln in order.lines] == [2 * heart, lights]
            assert order.pricing is not None and order.pricing.source_currency == "GBP"
            assert order.pricing.source_subtotal == 2 * 295 + 495
            assert (order.pricing.country, order.pricing.tax_label) == ("ES", "IVA")
            assert order.market == "EU" and order.contact is not None

            # Markets stops answering: no euro link (never a guessed amount), GBP still fine.
            await markets.stop()
            again = (await call(client, "create_cart", owner=owner,
                                lines=[{"sku": "H-1", "quantity": 1}]))["cart"]
            started = time.monotonic()
            refused = await call(client, "get_checkout_url", owner=owner, cart_id=again["id"],
                                 country="ES")
            assert refused["checkout_url"] is None
            assert refused["errors"][0]["code"] == "pricing_unavailable"
            assert time.monotonic() - started < 7  # inside the MCP call timeout (8 s)
            home = await call(client, "get_checkout_url", owner=owner, cart_id=again["id"],
                              country="GB")
            assert home["total"] == {"amount": 295, "currency": "GBP"}
            during = await storefront_reply_topics(kafka_bootstrap)
            assert len(during - before) == 1  # the storefront's own reply topic
    finally:
        await markets.stop()
    assert await storefront_reply_topics(kafka_bootstrap) - before == set()  # removed on stop
