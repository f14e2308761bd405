"""A small in-process TTL cache for intent results."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from libs.contracts.intent import IntentResult
from libs.nlu.text import normalize

CacheKey = tuple[str, str, bool]


def cache_key(text: str, language_hint: str | None, has_context: bool) -> CacheKey:
    """Normalised text + the parts of the request that can change the answer."""
    return normalize(text), (language_hint or "").lower(), has_context


class TTLCache:
    """LRU-bounded mapping whose entries expire `ttl` seconds after they were stored."""

    def __init__(
        self,
        ttl: float = 300.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._data: OrderedDict[CacheKey, tuple[float, IntentResult]] = OrderedDict()

    def get(self, key: CacheKey) -> IntentResult | None:
        item = self._data.get(key)
        if item is None:
            return None
        expires, value = item
        if self.clock() >= expires:
            del self._data[key]
            return None
        self._data.move_to_end(key)
        return value

    def put(self, key: CacheKey, value: IntentResult) -> None:
        self._data[key] = (self.clock() + self.ttl, value)
        self._data.move_to_end(key)
        while len(self._data) > self.max_entries:
            self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)
