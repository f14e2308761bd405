"""A restarted recommend loads the model its last fit stored for the same inputs instead of
refitting (the fit is what kept it past the 15 s recovery aim); any change in them refits."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from libs.contracts.catalog import LocalizedText, Product, Variant
from libs.contracts.recommend import RecommendRequest
from libs.profiles.model import Profile
from services.recommend.domain import HybridModel, InteractionLog
from services.recommend.model_cache import ModelCache
from services.recommend.runtime import RecommendRuntime


def product(i: int, price: int = 100) -> Product:
    return Product(id=f"p{i}", handle=f"p{i}", title=LocalizedText(en=f"Mug {i}"),
                   category="mugs" if i % 2 else "bags", markets=["UK"],
                   variants=[Variant(sku=f"s{i}", price=price + i, stock=5)])


def interactions() -> InteractionLog:
    log = InteractionLog()
    for n in range(40):
        log.add(f"u{n % 7}", f"p{n % 12}", f"b{n // 3}", 1_700_000_000 + n * 3600.0)
    return log


class Store:
    async def profiles_with_consent(self, keys: list[str]) -> tuple[dict[str, Profile], dict]:
        return {k: Profile(visitor_id=k, event_count=1, market="UK") for k in keys}, {}


def runtime(folder: Path) -> RecommendRuntime:
    return RecommendRuntime(Store(), interactions(),  # type: ignore[arg-type]
                            model_cache=ModelCache(folder))


async def answer(rt: RecommendRuntime) -> list[str]:
    (reply,) = await rt.recommend([RecommendRequest(visitor_id="u1", market="UK", limit=5)])
    return [i.product_id for i in reply.items]


async def test_a_restart_with_the_same_inputs_loads_the_stored_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = [product(i) for i in range(12)]
    first = runtime(tmp_path)
    first.fit(catalog)
    (stored,) = tmp_path.glob("model-*.pickle")
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600

    def no_fit(*_a: object, **_k: object) -> HybridModel:
        raise AssertionError("refitted although the inputs did not change")

    monkeypatch.setattr(HybridModel, "fit", no_fit)
    restarted = runtime(tmp_path)
    restarted.fit(list(reversed(catalog)))  # the follower's order does not matter
    assert await answer(restarted) == await answer(first)


async def test_a_changed_product_or_interaction_refits_and_replaces_the_stored_model(
    tmp_path: Path,
) -> None:
    catalog = [product(i) for i in range(12)]
    runtime(tmp_path).fit(catalog)
    (before,) = tmp_path.glob("model-*.pickle")
    rt = runtime(tmp_path)
    rt.fit([*catalog[:-1], product(11, price=999)])
    (after,) = tmp_path.glob("model-*.pickle")
    assert after != before
    more = runtime(tmp_path)
    more.interactions.add("u9", "p3", "b99", 1_800_000_000.0)
    more.fit([*catalog[:-1], product(11, price=999)])
    (latest,) = tmp_path.glob("model-*.pickle")
    assert latest not in (before, after)


async def test_an_unreadable_cache_file_costs_only_a_refit(tmp_path: Path) -> None:
    catalog = [product(i) for i in range(12)]
    runtime(tmp_path).fit(catalog)
    (stored,) = tmp_path.glob("model-*.pickle")
    stored.write_bytes(b"not a pickle")
    rt = runtime(tmp_path)
    rt.fit(catalog)
    assert rt.recommender is not None and await answer(rt)
