"""The recommendations cache: an answer is reused only while nothing it depends on changed.

The key holds everything the answer depends on: the request as the policy adjusted it (so the
principal's profile key, market, kind, anchor, session, basket and the consent outcome), the
profile's version (its event count and last event time: a new event of that user changes the
key at once, so the next answer is fresh as soon as the event is folded) and the model's
generation (a refit changes every key). Entries also expire per market region: EU/UK answers
sooner (personal data kept no longer than needed), others later; and the cache is bounded.
Hits and misses are counted in `museo_cache_lookups_total{cache="recommendations"}`.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable

from libs.contracts.recommend import RecommendReply, RecommendRequest
from libs.profiles.model import Profile
from libs.telemetry.metrics import CACHE_LOOKUPS

# Seconds an answer may be reused, per market region (the request's `market`).
REGION_TTL_S: dict[str, float] = {"EU": 60.0, "UK": 60.0, "US": 300.0, "APAC": 300.0}
DEFAULT_TTL_S = 60.0


class RecsCache:
    def __init__(self, max_entries: int = 50_000, ttl_by_region: dict[str, float] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self.ttl_by_region = ttl_by_region or REGION_TTL_S
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, RecommendReply]] = OrderedDict()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def key(req: RecommendRequest, profile: Profile | None, generation: int) -> str:
        body = req.model_dump_json(exclude={"request_id", "request_time"})
        version = f"{profile.event_count}:{profile.last_seen}" if profile is not None else "-"
        return hashlib.blake2b(f"{generation}|{version}|{body}".encode(), digest_size=16).hexdigest()

    def get(self, key: str) -> RecommendReply | None:
        entry = self._entries.get(key)
        if entry is not None and entry[0] > self.clock():
            self._entries.move_to_end(key)
            self.hits += 1
            CACHE_LOOKUPS.labels("recommendations", "hit").inc()
            return entry[1]
        if entry is not None:
            del self._entries[key]
        self.misses += 1
        CACHE_LOOKUPS.labels("recommendations", "miss").inc()
        return None

    def put(self, key: str, reply: RecommendReply, market: str | None) -> None:
        ttl = self.ttl_by_region.get((market or "").upper(), DEFAULT_TTL_S)
        self._entries[key] = (self.clock() + ttl, reply)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0
