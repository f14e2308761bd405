"""Profile persistence shape: the `ProfileStore` port and the Redis hash (de)serialisation.

The Redis adapter lives with the service's composition root; this module fixes the wire format
so the adapter stays a thin `HSET`/`HGETALL` (pipelined for `get_many`) plus `EXPIREAT`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from libs.profiles.model import Profile

REDIS_KEY_PREFIX = "profile:"


def redis_key(profile_key: str) -> str:
    return f"{REDIS_KEY_PREFIX}{profile_key}"


def to_redis_hash(profile: Profile) -> dict[str, str]:
    """Hash fields: the whole profile as JSON plus a few fields readable without parsing."""
    return {
        "v": str(profile.schema_version),
        "profile": profile.model_dump_json(),
        "user_id": profile.user_id or "",
        "last_seen": profile.last_seen.isoformat() if profile.last_seen else "",
        "expires_at": profile.expires_at.isoformat() if profile.expires_at else "",
    }


def from_redis(data: Mapping[Any, Any] | str | bytes | None) -> Profile | None:
    """Accept what redis-py returns (hash as str/bytes mapping, or a plain JSON string)."""
    if not data:
        return None
    if isinstance(data, str | bytes):
        return Profile.model_validate_json(data)
    decoded = {
        (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
        for k, v in data.items()
    }
    raw = decoded.get("profile")
    return Profile.model_validate_json(raw) if raw else None


class ProfileStore(Protocol):
    async def get_many(self, ids: Sequence[str]) -> dict[str, Profile]:
        """Profiles by key in one round trip; missing ids are absent from the result."""
        ...

    async def save(self, profile: Profile) -> None: ...


class InMemoryProfileStore:
    """For tests and the offline bench; counts round trips so batching can be asserted."""

    def __init__(self, profiles: Sequence[Profile] = ()) -> None:
        self._data: dict[str, str] = {p.key: p.model_dump_json() for p in profiles}
        self.round_trips = 0

    async def get_many(self, ids: Sequence[str]) -> dict[str, Profile]:
        self.round_trips += 1
        return {i: Profile.model_validate_json(self._data[i]) for i in ids if i in self._data}

    async def save(self, profile: Profile) -> None:
        self.round_trips += 1
        self._data[profile.key] = profile.model_dump_json()
