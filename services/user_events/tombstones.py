"""Erased subjects, so that replaying `events.raw` cannot rebuild a profile an erasure removed.

`events.raw` keeps a week of events (the fact log cannot be edited), and a consumer group reset,
a new consumer or a redelivery would fold them again. The erasure therefore leaves a tombstone
per erased identity (customer id and every linked client id) with the erasure time, and the
fold drops any event of a tombstoned identity that happened before that time. Events after it
(the person came back) are folded as usual.

Tombstones hold no raw ids: the field is an HMAC-SHA256 of the id under a server key
(`MUSEO_TOMBSTONE_SECRET`, else the dev file), so the Redis hash reveals nobody, while the
service can still test an id it is handed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from datetime import datetime

from redis.asyncio import Redis

from libs.contracts.events import UserEvent
from libs.dev_secrets import dev_secret

TOMBSTONES_KEY = "privacy:tombstones"


def tombstone_secret() -> str:
    return dev_secret("MUSEO_TOMBSTONE_SECRET", "tombstone.secret")


class Tombstones:
    def __init__(self, redis: Redis, secret: str, key: str = TOMBSTONES_KEY) -> None:
        if not secret:
            raise ValueError("a tombstone key is required")
        self.redis, self.secret, self.key = redis, secret.encode(), key

    def digest(self, subject: str) -> str:
        return hmac.new(self.secret, subject.encode("utf-8", "replace"),
                        hashlib.sha256).hexdigest()[:40]

    async def bury(self, subjects: Iterable[str], erased_at: datetime) -> None:
        """Record that these identities were erased at `erased_at`."""
        fields: dict[str | bytes, str | bytes] = {
            self.digest(s): str(erased_at.timestamp()) for s in subjects if s}
        if fields:
            await self.redis.hset(self.key, mapping=fields)  # type: ignore[misc,arg-type]

    async def erased_at(self, subjects: Sequence[str]) -> dict[str, float]:
        """Subject -> erasure time (unix seconds) for the erased ones among `subjects`."""
        if not subjects:
            return {}
        values = await self.redis.hmget(self.key, [self.digest(s) for s in subjects])  # type: ignore[misc]
        return {s: float(v) for s, v in zip(subjects, values, strict=True) if v is not None}

    async def living(self, events: Sequence[UserEvent]) -> list[UserEvent]:
        """`events` without those of an identity erased after the event happened."""
        ids = list(dict.fromkeys(i for e in events for i in (e.user_id, e.visitor_id) if i))
        erased = await self.erased_at(ids)
        if not erased:
            return list(events)

        def dead(e: UserEvent) -> bool:
            at = e.event_time.timestamp()
            return any(i in erased and at <= erased[i] for i in (e.user_id, e.visitor_id) if i)

        return [e for e in events if not dead(e)]
