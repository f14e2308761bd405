"""The storefront wired to Kafka and Redis (`server.py --from-kafka`).

The catalog read model and search index are built from the compacted catalog topic at start-up
and follow it live; carts live in Redis with a TTL; completed checkouts are published to `orders`
with acks=all and an idempotent producer. Configuration (`RuntimeConfig.from_settings`):

- KAFKA_BOOTSTRAP_SERVERS, REDIS_URL (as every service)
- MUSEO_CATALOG_TOPIC (default `catalog.products`; tests use their own topic)
- MUSEO_ORDERS_TOPIC (default `orders`), MUSEO_CHECKOUTS_TOPIC (default `checkouts`),
  MUSEO_REDIS_PREFIX (default "", tests isolate with it)
- MUSEO_CHECKOUT_SECRET (else the dev file, see `local_secret`)
- MUSEO_PUBLIC_BASE_URL (default http://127.0.0.1:3300), where checkout links point
- MUSEO_ENV, MUSEO_PAYMENT_PROVIDER, MUSEO_STRIPE_*: the payment provider (see `payments.py`)
- MUSEO_MARKETS_TOPIC (default `markets.requests`), MUSEO_MARKETS_TIMEOUT_S (default 3): where
  checkout asks the markets service for prices in the buyer's currency (`market_prices.py`),
  over the storefront's own RpcClient and reply topic (`gateway.replies.storefront-<hex>`,
  deleted on a clean stop)

All but the secret come from `StorefrontSettings` and `PaymentSettings`, read once in `main()`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import TypeAdapter
from redis.asyncio import Redis

from libs.catalog.read_model import CatalogReadModel
from libs.contracts.catalog import Product
from libs.contracts.markets import MARKETS_REQUESTS
from libs.contracts.orders import CheckoutEvent, Order
from libs.contracts.topics import TopicSpec
from libs.messaging.broker import make_producer
from libs.messaging.rpc import RpcClient
from libs.messaging.table import TableFollower
from libs.messaging.topics import ensure_topics
from services.mcp_workers.storefront.basket_store import RedisBasketStore
from services.mcp_workers.storefront.checkout_journal import CheckoutJournal
from services.mcp_workers.storefront.local_secret import checkout_secret
from services.mcp_workers.storefront.market_prices import CheckoutPricer, MarketsRpcQuoter
from services.mcp_workers.storefront.orders import OrderDesk
from services.mcp_workers.storefront.payments import (
    PaymentSettings,
    build_payment_provider,
    stripe_webhooks,
)
from services.mcp_workers.storefront.settings import StorefrontSettings
from services.mcp_workers.storefront.storefront import Storefront

if TYPE_CHECKING:
    from services.mcp_workers.storefront.stripe_provider import StripeWebhooks

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RuntimeConfig:
    bootstrap: str
    redis_url: str
    catalog_topic: str
    orders_topic: str
    redis_prefix: str
    checkouts_topic: str
    secret: str
    base_url: str
    payments: PaymentSettings = field(default_factory=PaymentSettings)
    markets_topic: str = MARKETS_REQUESTS
    markets_timeout_s: float = 3.0

    @classmethod
    def from_settings(
        cls, settings: StorefrontSettings, payments: PaymentSettings | None = None
    ) -> RuntimeConfig:
        return cls(
            bootstrap=settings.kafka_bootstrap_servers,
            redis_url=settings.redis_url,
            catalog_topic=settings.catalog_topic,
            orders_topic=settings.orders_topic,
            redis_prefix=settings.redis_prefix,
            checkouts_topic=settings.checkouts_topic,
            secret=checkout_secret(),
            base_url=settings.public_base_url,
            payments=payments or PaymentSettings(),
            markets_topic=settings.markets_topic,
            markets_timeout_s=settings.markets_timeout_s,
        )


@dataclass
class StorefrontRuntime:
    storefront: Storefront
    orders: OrderDesk
    follower: TableFollower[Product]
    webhooks: StripeWebhooks | None = None


class OrderPublisher:
    """Publishes orders (key = order id) and returns only once all in-sync replicas have them;
    `checkouts(topic)` publishes checkout facts (key = cart id) through the same producer."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.topic = topic
        self.producer = make_producer(bootstrap, linger_ms=0, client_id="storefront-orders")

    async def __call__(self, order: Order) -> None:
        await self._send(self.topic, order.model_dump_json().encode(), order.order_id)

    def checkouts(self, topic: str) -> Callable[[CheckoutEvent], Awaitable[None]]:
        async def publish(event: CheckoutEvent) -> None:
            await self._send(topic, event.model_dump_json().encode(), event.cart_id)

        return publish

    async def _send(self, topic: str, value: bytes, key: str) -> None:
        await self.producer.send_and_wait(
            topic, value, key=key.encode(), headers=[("content-type", b"application/json")])


@asynccontextmanager
async def open_runtime(cfg: RuntimeConfig) -> AsyncIterator[StorefrontRuntime]:
    redis = Redis.from_url(cfg.redis_url)
    catalog = CatalogReadModel()
    store = RedisBasketStore(redis, prefix=f"{cfg.redis_prefix}basket:")
    payment = build_payment_provider(cfg.payments, base_url=cfg.base_url, secret=cfg.secret,
                                     redis=redis, prefix=cfg.redis_prefix)
    publisher = OrderPublisher(cfg.bootstrap, cfg.orders_topic)
    journal = CheckoutJournal(redis, publisher.checkouts(cfg.checkouts_topic), cfg.redis_prefix)
    # Its own reply topic: a storefront process is one RPC client instance, like a gateway.
    rpc = RpcClient(cfg.bootstrap, f"storefront-{uuid.uuid4().hex[:12]}",
                    default_timeout=cfg.markets_timeout_s, send_timeout=cfg.markets_timeout_s)
    pricer = CheckoutPricer(MarketsRpcQuoter(rpc, cfg.markets_topic, cfg.markets_timeout_s))
    storefront = Storefront(catalog, store, cfg.secret, cfg.base_url, payment=payment,
                            journal=journal, pricer=pricer)
    desk = OrderDesk(store, payment, cfg.secret, redis, publisher, prefix=cfg.redis_prefix,
                     journal=journal)
    webhooks = stripe_webhooks(payment, desk)

    def on_change(product_id: str, product: Product | None) -> None:
        try:
            catalog.apply(product_id, product)
        except ValueError as exc:  # key and id disagree: skip the record, keep following
            log.warning("skipped catalog record: %s", exc)

    follower: TableFollower[Product] = TableFollower(
        cfg.bootstrap, cfg.catalog_topic, TypeAdapter(Product), on_change
    )
    await redis.ping()
    await ensure_topics(cfg.bootstrap, [TopicSpec(cfg.catalog_topic, compacted=True),
                                        TopicSpec(cfg.orders_topic), TopicSpec(cfg.checkouts_topic)])
    await publisher.producer.start()
    try:
        await rpc.start()
        await follower.start()
        log.info("storefront catalog loaded: %d products from %s", len(catalog), cfg.catalog_topic)
        yield StorefrontRuntime(storefront, desk, follower, webhooks)
    finally:
        await follower.stop()
        await rpc.stop()  # deletes its reply topic
        await publisher.producer.stop()
        await redis.aclose()
