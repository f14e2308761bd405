"""Idempotent handling by message id, remembered in Redis for a bounded time."""

from __future__ import annotations

from redis.asyncio import Redis


class IdempotencyGuard:
    """`seen(id)` before handling, `mark(id)` after success.

    Marking after success (not claiming before) keeps at-least-once: a crash mid-handling
    leaves the id unmarked, so the redelivered message is handled again.
    """

    def __init__(self, redis: Redis, namespace: str, ttl_s: int = 7 * 24 * 3600) -> None:
        self.redis = redis
        self.namespace = namespace
        self.ttl_s = ttl_s

    def _key(self, message_id: str) -> str:
        return f"idem:{self.namespace}:{message_id}"

    async def seen(self, message_id: str) -> bool:
        return bool(await self.redis.exists(self._key(message_id)))

    async def mark(self, message_id: str) -> None:
        await self.redis.set(self._key(message_id), b"1", ex=self.ttl_s)

    async def first_time(self, message_id: str) -> bool:
        """Atomic claim, for handlers whose effect is itself a single write."""
        return bool(await self.redis.set(self._key(message_id), b"1", ex=self.ttl_s, nx=True))
