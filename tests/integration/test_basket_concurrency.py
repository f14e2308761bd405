"""Concurrent adds to one basket on real Redis: the storefront's atomic `add_lines` loses none."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from libs.catalog.read_model import CatalogReadModel
from libs.contracts.catalog import Product, Variant
from services.mcp_workers.storefront.basket import BasketService, CartLineInput, RedisBasketStore

N = 50


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


def catalog() -> CatalogReadModel:
    products = [
        Product.model_validate({"id": f"P{i}", "title": {"en": f"Thing {i}"},
                                "handle": f"thing-{i}",
                                "variants": [Variant(sku=f"S{i}", price=100 + i, stock=1000)]})
        for i in range(N)
    ]
    return CatalogReadModel.from_products(products)


async def forget(redis: Redis, prefix: str) -> None:
    keys = [k async for k in redis.scan_iter(f"{prefix}*")]
    if keys:
        await redis.delete(*keys)


async def test_fifty_concurrent_adds_lose_no_line(redis: Redis, redis_url: str) -> None:
    prefix = f"test:basket:{uuid.uuid4().hex[:8]}:"
    # Two services on two connection pools, as two storefront processes would be.
    other = Redis.from_url(redis_url)
    services = [BasketService(catalog(), RedisBasketStore(r, prefix=prefix)) for r in (redis, other)]
    try:
        cart = await services[0].create_cart("anon:race", [])
        adds = [
            services[i % 2].add_lines("anon:race", cart.id, [CartLineInput(sku=f"S{i}", quantity=1)])
            for i in range(N)
        ]
        adds += [  # and everyone also adds one more of the same SKU
            services[i % 2].add_lines("anon:race", cart.id, [CartLineInput(sku="S0", quantity=1)])
            for i in range(N)
        ]
        await asyncio.gather(*adds)
        final = await services[1].get_cart("anon:race", cart.id)
        assert len(final.lines) == N, "every distinct line is there"
        assert {ln.sku: ln.quantity for ln in final.lines}["S0"] == N + 1
        assert final.total_quantity == 2 * N
        assert 0 < await redis.ttl(f"{prefix}{cart.id}") <= services[0].ttl_seconds
    finally:
        await forget(redis, prefix)
        await other.aclose()


async def test_the_read_modify_write_it_replaces_does_lose_lines(redis: Redis) -> None:
    """The same race through update_cart (read the cart, write the whole line list) loses
    lines: what the test above guards against is real."""
    prefix = f"test:basket:{uuid.uuid4().hex[:8]}:"
    service = BasketService(catalog(), RedisBasketStore(redis, prefix=prefix))
    try:
        cart = await service.create_cart("anon:race", [])

        async def naive_add(i: int) -> None:
            current = await service.get_cart("anon:race", cart.id)
            lines = [CartLineInput(sku=ln.sku, quantity=ln.quantity) for ln in current.lines]
            await service.update_cart("anon:race", cart.id, [*lines, CartLineInput(sku=f"S{i}")])

        await asyncio.gather(*(naive_add(i) for i in range(N)))
        assert len((await service.get_cart("anon:race", cart.id)).lines) < N
    finally:
        await forget(redis, prefix)
