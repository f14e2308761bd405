"""The recommendations cache: reused while nothing changed; a user's new event, another
principal, a refit or the region's TTL each make the next answer a fresh one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from libs.contracts.catalog import LocalizedText, Product, Variant
from libs.contracts.recommend import RecommendReply, RecommendRequest
from libs.profiles.model import Profile
from services.recommend.cache import RecsCache
from services.recommend.domain import InteractionLog
from services.recommend.runtime import RecommendRuntime


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_per_region_and_the_cache_is_bounded() -> None:
    clock = Clock()
    cache = RecsCache(max_entries=2, ttl_by_region={"EU": 10.0, "US": 100.0}, clock=clock)
    reply = RecommendReply(kind="trending")
    cache.put("eu", reply, "EU")
    cache.put("us", reply, "us")
    clock.now = 50.0
    assert cache.get("eu") is None and cache.get("us") is reply
    cache.put("a", reply, "US")
    cache.put("b", reply, "US")
    assert len(cache) == 2 and cache.get("us") is None, "the oldest entry went"
    assert (cache.hits, cache.misses) == (1, 2)


def test_the_key_follows_the_profile_version_and_the_model() -> None:
    req = RecommendRequest(visitor_id="anon:a", market="UK")
    profile = Profile(visitor_id="anon:a", event_count=3)
    key = RecsCache.key(req, profile, 1)
    assert key == RecsCache.key(req.model_copy(update={"request_id": "x"}), profile, 1)
    assert key != RecsCache.key(req, profile.model_copy(update={"event_count": 4}), 1)
    assert key != RecsCache.key(req, profile, 2)
    assert key != RecsCache.key(req.model_copy(update={"visitor_id": "anon:b"}), profile, 1)
    assert key != RecsCache.key(req.model_copy(update={"personalized": False}), profile, 1)


class Store:
    def __init__(self) -> None:
        self.profiles: dict[str, Profile] = {}

    async def profiles_with_consent(self, keys: Sequence[str]) -> tuple[dict[str, Any], dict]:
        return {k: self.profiles[k] for k in keys if k in self.profiles}, {}


def product(i: int) -> Product:
    return Product(id=f"p{i}", handle=f"p{i}", title=LocalizedText(en=f"Mug {i}"),
                   category="mugs" if i % 2 else "bags", markets=["UK"],
                   variants=[Variant(sku=f"s{i}", price=100 + i, stock=5)])


async def test_a_users_new_event_changes_the_next_answer_at_once() -> None:
    store = Store()
    rt = RecommendRuntime(store=store, interactions=InteractionLog())  # type: ignore[arg-type]
    rt.fit([product(i) for i in range(12)])
    store.profiles["anon:a"] = Profile(visitor_id="anon:a", event_count=1, market="UK")
    req = RecommendRequest(visitor_id="anon:a", market="UK", limit=5)
    first = (await rt.recommend([req]))[0]
    again = (await rt.recommend([req.model_copy(update={"request_id": "r2"})]))[0]
    assert (rt.cache.hits, rt.cache.misses) == (1, 1)
    assert again.items == first.items and again.request_id == "r2"
    store.profiles["anon:a"] = Profile(visitor_id="anon:a", event_count=2, market="UK")
    await rt.recommend([req])
    assert rt.cache.misses == 2, "the new event made it a miss"
    await rt.recommend([req.model_copy(update={"visitor_id": "anon:b"})])
    assert rt.cache.misses == 3, "another principal never gets this one's answer"
    rt.fit([product(i) for i in range(12)])
    await rt.recommend([req])
    assert rt.cache.misses == 4, "a refit starts over"
