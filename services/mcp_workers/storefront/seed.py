"""Seed the demo catalog (built from the real product data) into `catalog.products`.

`python -m services.mcp_workers.storefront.seed` — run by the launcher once the services are
ready. Idempotent: the topic is read to its end first and only products that are new or changed
are published (key = product id, acks=all, idempotent producer), so a second run publishes
nothing. Env: KAFKA_BOOTSTRAP_SERVERS, MUSEO_CATALOG_TOPIC, MUSEO_DATA_DIR (catalog cache).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Iterable

from pydantic import TypeAdapter

from libs.catalog.demo import load_demo_catalog, read_jsonl
from libs.contracts.catalog import Product
from libs.contracts.topics import TopicSpec
from libs.dev_secrets import data_dir
from libs.messaging.broker import make_producer
from libs.messaging.table import TableFollower
from libs.messaging.topics import ensure_topics
from services.mcp_workers.storefront.settings import StorefrontSettings


def _canonical(product: Product) -> str:
    return product.model_dump_json(exclude_none=True)


async def current_catalog(bootstrap: str, topic: str) -> dict[str, str]:
    """product id -> canonical JSON of what the topic holds now (tombstones removed)."""
    seen: dict[str, str] = {}

    def on_change(key: str, product: Product | None) -> None:
        if product is None:
            seen.pop(key, None)
        else:
            seen[key] = _canonical(product)

    follower = TableFollower(bootstrap, topic, TypeAdapter(Product), on_change)
    await follower.start(timeout=120)
    await follower.stop()
    return seen


async def seed(bootstrap: str, topic: str, products: Iterable[Product]) -> tuple[int, int]:
    """Publish new or changed products; returns (published, unchanged)."""
    await ensure_topics(bootstrap, [TopicSpec(topic, partitions=3, compacted=True)])
    existing = await current_catalog(bootstrap, topic)
    producer = make_producer(bootstrap, linger_ms=20, client_id="storefront-seed")
    await producer.start()
    published = unchanged = 0
    try:
        batch = []
        for product in products:
            value = _canonical(product)
            if existing.get(product.id) == value:
                unchanged += 1
                continue
            batch.append(await producer.send(topic, value.encode(), key=product.id.encode()))
            published += 1
        await producer.flush()
        for fut in batch:
            await fut  # raises if any record was not acknowledged
    finally:
        await producer.stop()
    return published, unchanged


def main(argv: list[str] | None = None) -> int:
    settings = StorefrontSettings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", help="JSONL catalog to seed instead of the demo catalog")
    parser.add_argument("--topic", default=settings.catalog_topic)
    args = parser.parse_args(argv)
    bootstrap = settings.kafka_bootstrap_servers
    started = time.monotonic()
    products = (
        read_jsonl(args.catalog) if args.catalog else load_demo_catalog(data_dir() / "catalog")
    )
    published, unchanged = asyncio.run(seed(bootstrap, args.topic, products))
    print(
        f"demo catalog: {published} products published, {unchanged} unchanged, to {args.topic} "
        f"in {time.monotonic() - started:.1f}s",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
