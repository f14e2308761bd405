"""Where baskets live: a `BasketStore` protocol with in-memory and Redis implementations.

Baskets are short-lived, derived state (the order, once paid, is the fact on Kafka), so Redis
with a TTL is the right home: an abandoned basket simply expires. Every save refreshes the TTL.
The store does not check ownership — `BasketService` does, on every read and write.

`modify` is the one read-modify-write: it applies a pure change to the stored cart atomically
(a Redis transaction: WATCH the key, MULTI/EXEC, retry when another writer got in between), so
concurrent adds to one basket never lose a line.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel, Field

DEFAULT_TTL_SECONDS = 7 * 24 * 3600
MAX_CONFLICT_RETRIES = 200


class BasketConflictError(Exception):
    """Too many concurrent writers on one basket; the caller may retry."""


class CartLine(BaseModel):
    product_id: str
    sku: str
    title: str
    options: dict[str, str] = Field(default_factory=dict)
    quantity: int = Field(ge=1)
    unit_price: int = Field(ge=0, description="minor units, cart currency")
    line_total: int = Field(ge=0)


class Cart(BaseModel):
    """A basket. `owner` is a user id or an anonymous session id; only the owner may touch it."""

    id: str
    owner: str
    lines: list[CartLine] = Field(default_factory=list)
    currency: str
    subtotal: int = 0
    total_quantity: int = 0
    status: Literal["open", "cancelled", "checked_out"] = "open"
    created_at: datetime
    updated_at: datetime


Change = Callable[["Cart | None"], "Cart"]


class BasketStore(Protocol):
    async def get(self, basket_id: str) -> Cart | None: ...

    async def save(self, cart: Cart, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None: ...

    async def delete(self, basket_id: str) -> None: ...

    async def modify(
        self, basket_id: str, change: Change, ttl_seconds: int = DEFAULT_TTL_SECONDS
    ) -> Cart:
        """Apply `change` to the stored cart (None when absent) atomically; save and return
        its result. `change` is pure and may raise to abort without writing."""
        ...


class InMemoryBasketStore:
    """For unit tests and the stdio MCP server; honours TTL with an injectable clock."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._items: dict[str, tuple[float, str]] = {}

    async def get(self, basket_id: str) -> Cart | None:
        item = self._items.get(basket_id)
        if item is None:
            return None
        expires, raw = item
        if self._clock() >= expires:
            del self._items[basket_id]
            return None
        return Cart.model_validate_json(raw)  # a copy: callers cannot mutate the stored cart

    async def save(self, cart: Cart, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None:
        self._items[cart.id] = (self._clock() + ttl_seconds, cart.model_dump_json())

    async def delete(self, basket_id: str) -> None:
        self._items.pop(basket_id, None)

    async def modify(
        self, basket_id: str, change: Change, ttl_seconds: int = DEFAULT_TTL_SECONDS
    ) -> Cart:
        # No await between read and write: atomic on the event loop.
        cart = change(await self.get(basket_id))
        self._items[cart.id] = (self._clock() + ttl_seconds, cart.model_dump_json())
        return cart


class RedisBasketStore:
    """Redis-backed store: key `basket:{id}`, JSON value, expiry set with every save.

    `client` is a `redis.asyncio.Redis`; the composition root owns and closes it.
    """

    def __init__(self, client: object, prefix: str = "basket:") -> None:
        from redis.asyncio import Redis

        if not isinstance(client, Redis):
            raise TypeError("RedisBasketStore needs a redis.asyncio.Redis client")
        self._redis: Redis = client
        self._prefix = prefix

    def _key(self, basket_id: str) -> str:
        return f"{self._prefix}{basket_id}"

    async def get(self, basket_id: str) -> Cart | None:
        raw = await self._redis.get(self._key(basket_id))
        return None if raw is None else Cart.model_validate_json(raw)

    async def save(self, cart: Cart, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None:
        await self._redis.set(self._key(cart.id), cart.model_dump_json(), ex=ttl_seconds)

    async def delete(self, basket_id: str) -> None:
        await self._redis.delete(self._key(basket_id))

    async def modify(
        self, basket_id: str, change: Change, ttl_seconds: int = DEFAULT_TTL_SECONDS
    ) -> Cart:
        from redis.exceptions import WatchError

        key = self._key(basket_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            for _ in range(MAX_CONFLICT_RETRIES):
                try:
                    await pipe.watch(key)
                    raw = await pipe.get(key)
                    cart = change(None if raw is None else Cart.model_validate_json(raw))
                    pipe.multi()
                    pipe.set(key, cart.model_dump_json(), ex=ttl_seconds)
                    await pipe.execute()
                    return cart
                except WatchError:
                    continue  # someone else wrote the basket between WATCH and EXEC: redo
                finally:
                    await pipe.reset()
        raise BasketConflictError(f"basket {basket_id} changed {MAX_CONFLICT_RETRIES} times")
