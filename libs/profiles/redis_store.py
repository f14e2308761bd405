"""Profiles in Redis: `profile:{key}` hashes (wire format in `domain/store.py`), `palias:{visitor}`
→ customer id once a client id is stitched, and `consent:{key}` per-market consent hashes.

Reads of a whole batch are one pipelined round trip; the writes of a batch are one MULTI/EXEC, so
a crash leaves either all of a batch's profiles or none of them (and the redelivered events are
then deduplicated by the profiles' seen event ids).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from libs.contracts.privacy import ConsentSettings, consent_key
from libs.profiles.model import Profile
from libs.profiles.store import from_redis, redis_key, to_redis_hash

FOLDED_COUNTER = "stats:user_events:folded"  # events folded (after dedup); no personal data


def alias_key(visitor_id: str) -> str:
    return f"palias:{visitor_id}"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass
class BatchWrite:
    """Everything one batch changes, written atomically."""

    profiles: dict[str, tuple[Profile, int]] = field(default_factory=dict)  # key -> (p, ttl s)
    aliases: dict[str, tuple[str, int]] = field(default_factory=dict)  # visitor -> (user, ttl)
    deleted: set[str] = field(default_factory=set)  # profile keys merged into another
    folded: int = 0


class RedisProfileStore:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def aliases(self, visitor_ids: Sequence[str]) -> dict[str, str]:
        if not visitor_ids:
            return {}
        values = await self.redis.mget([alias_key(v) for v in visitor_ids])
        return {v: t for v, raw in zip(visitor_ids, values, strict=True) if (t := _text(raw))}

    async def get_many(self, ids: Sequence[str]) -> dict[str, Profile]:
        """Profiles by key in one round trip; missing ids are absent from the result."""
        if not ids:
            return {}
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in ids:
                pipe.hget(redis_key(key), "profile")
            raws = await pipe.execute()
        out = {}
        for key, raw in zip(ids, raws, strict=True):
            profile = from_redis(raw)
            if profile is not None:
                out[key] = profile
        return out

    async def save(self, profile: Profile, ttl_s: int = 90 * 86400) -> None:
        await self.write(BatchWrite(profiles={profile.key: (profile, ttl_s)}))

    async def write(self, batch: BatchWrite) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            for key in batch.deleted:
                pipe.delete(redis_key(key))
            for key, (profile, ttl) in batch.profiles.items():
                pipe.delete(redis_key(key))
                pipe.hset(redis_key(key), mapping=to_redis_hash(profile))  # type: ignore[arg-type]
                pipe.expire(redis_key(key), ttl)
            for visitor, (user, ttl) in batch.aliases.items():
                pipe.set(alias_key(visitor), user, ex=ttl)
            if batch.folded:
                pipe.incrby(FOLDED_COUNTER, batch.folded)
            await pipe.execute()

    async def profiles_with_consent(
        self, keys: Sequence[str]
    ) -> tuple[dict[str, Profile], dict[str, dict[str, ConsentSettings]]]:
        """Profiles (aliases followed) and consents of `keys`: one round trip, plus one more
        only when a key is a stitched client id."""
        profiles, consents, aliased = await self._load(keys)
        if aliased:
            more_p, more_c, _ = await self._load(list(aliased.values()))
            for visitor, user in aliased.items():
                if user in more_p:
                    profiles[visitor] = more_p[user]
                consents[visitor] = {**more_c.get(user, {}), **consents.get(visitor, {})}
        return profiles, consents

    async def _load(
        self, keys: Sequence[str]
    ) -> tuple[dict[str, Profile], dict[str, dict[str, ConsentSettings]], dict[str, str]]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.hget(redis_key(key), "profile")
                pipe.hgetall(consent_key(key))
                pipe.get(alias_key(key))
            raws = await pipe.execute()
        profiles: dict[str, Profile] = {}
        consents: dict[str, dict[str, ConsentSettings]] = {}
        aliased: dict[str, str] = {}
        for i, key in enumerate(keys):
            raw_p, raw_c, raw_a = raws[3 * i : 3 * i + 3]
            profile = from_redis(raw_p)
            if profile is not None:
                profiles[key] = profile
            if raw_c:
                consents[key] = {
                    _text(m) or "*": ConsentSettings.model_validate_json(v)
                    for m, v in raw_c.items()
                }
            alias = _text(raw_a)
            if profile is None and alias:
                aliased[key] = alias
        return profiles, consents, aliased


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
