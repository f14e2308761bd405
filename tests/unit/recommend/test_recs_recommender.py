"""Hybrid recommender + MCP-aware layer on a tiny hand-made shop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from libs.contracts.catalog import LocalizedText, Product, Variant
from libs.contracts.events import ProductDetail, UserEvent
from libs.contracts.recommend import IntentContext, RecommendRequest
from services.recommend.domain import (
    HybridModel,
    InteractionLog,
    PersonalizationConfig,
    Recommender,
    benchmark_batching,
    group_by_user,
    recommend_batch,
)
from services.user_events.domain import Consent, InMemoryProfileStore, Profile, fold

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def prod(pid: str, title: str, cat: str, stock: int = 5, markets: list[str] | None = None,
         consumable: bool = False, price: int = 1000) -> Product:
    return Product(id=pid, handle=pid, title=LocalizedText(en=title), category=cat,
                   variants=[Variant(sku=pid, price=price, stock=stock)],
                   markets=markets or [], consumable=consumable,
                   description=LocalizedText(en=f"{title} from the museum shop"))


CATALOG = [
    prod("mug1", "Starry night mug", "kitchen"),
    prod("mug2", "Sunflowers mug", "kitchen"),
    prod("mug3", "Water lilies mug", "kitchen"),
    prod("tea", "Museum blend tea", "kitchen", consumable=True),
    prod("print1", "Starry night print", "prints"),
    prod("print2", "Sunflowers print", "prints"),
    prod("print3", "Water lilies print", "prints", markets=["EU"]),
    prod("bag1", "Starry night tote bag", "bags"),
    prod("bag2", "Sunflowers tote bag", "bags", stock=0),
    prod("xmas", "Christmas star ornament", "ornaments"),
    prod("card", "Sunflowers greeting card", "stationery"),
]
BASKETS = [
    ["mug1", "print1", "bag1"], ["mug1", "print1"], ["mug1", "bag1", "tea"],
    ["mug2", "print2", "card"], ["mug2", "card"], ["mug2", "print2"],
    ["mug3", "print3"], ["xmas", "card"], ["xmas", "mug1"], ["tea", "mug2"],
    ["bag2", "mug1"], ["print1", "bag1"],
]


@pytest.fixture(scope="module")
def rec() -> Recommender:
    log = InteractionLog()
    for b, items in enumerate(BASKETS):
        for item in items:
            log.add(f"u{b % 6}", item, f"o{b}", (NOW - timedelta(days=b)).timestamp(), 1.0,
                    "UK" if b % 2 else "EU")
    model = HybridModel().fit(log, CATALOG, NOW.timestamp())
    return Recommender(model, PersonalizationConfig(max_per_category=None))


def profile_with(*bought: str, days_ago: float = 1, viewed: tuple[str, ...] = ()) -> Profile:
    p = Profile()
    for i, pid in enumerate(bought):
        at = NOW - timedelta(days=days_ago)
        p = fold(p, UserEvent(event_id=f"b{i}", event_type="purchase-complete", visitor_id="v1",
                              user_id="c1", event_time=at,
                              product_details=[ProductDetail(id=pid, category="kitchen")]), NOW)
    for i, pid in enumerate(viewed):
        p = fold(p, UserEvent(event_id=f"v{i}", event_type="detail-page-view", visitor_id="v1",
                              event_time=NOW - timedelta(minutes=5 - i),
                              product_details=[ProductDetail(id=pid)]), NOW)
    return p


def ids(rec: Recommender, profile: Profile | None = None, **kw: object) -> list[str]:
    req = RecommendRequest(request_time=NOW, **kw)  # type: ignore[arg-type]
    return [i.product_id for i in rec.recommend(req, profile).items]


def test_similar_items_are_related_to_the_anchor_and_exclude_it(rec: Recommender) -> None:
    out = ids(rec, kind="similar_items", product_id="mug1", limit=4)
    assert "mug1" not in out
    assert out[0] in {"print1", "bag1", "mug2", "mug3"}


def test_frequently_bought_together_comes_from_baskets(rec: Recommender) -> None:
    out = ids(rec, kind="frequently_bought_together", product_id="mug2", limit=3)
    assert set(out[:2]) <= {"card", "print2", "tea"}


def test_recently_viewed_is_most_recent_first(rec: Recommender) -> None:
    p = profile_with(viewed=("print1", "mug2", "card"))
    reply = rec.recommend(RecommendRequest(kind="recently_viewed", request_time=NOW), p)
    assert [i.product_id for i in reply.items] == ["card", "mug2", "print1"]


def test_trending_favours_recent_market_sales(rec: Recommender) -> None:
    out = ids(rec, kind="trending", limit=3)
    assert "mug1" in out  # bought in the most recent baskets


def test_recommended_for_you_uses_history(rec: Recommender) -> None:
    reply = rec.recommend(RecommendRequest(user_id="c1", limit=3, request_time=NOW),
                          profile_with("mug2", days_ago=40))
    assert reply.personalized and reply.strategy.startswith("rfy")
    assert {"print2", "card"} & {i.product_id for i in reply.items}


def test_out_of_stock_and_other_market_items_are_never_shown(rec: Recommender) -> None:
    for kind in ("recommended_for_you", "similar_items", "trending", "frequently_bought_together"):
        out = ids(rec, kind=kind, product_id="mug1", market="UK", limit=11)
        assert "bag2" not in out  # no stock
        assert "print3" not in out  # EU only
    assert "print3" in ids(rec, kind="similar_items", product_id="mug3", market="EU", limit=11)


def test_just_bought_is_hidden_unless_consumable(rec: Recommender) -> None:
    p = profile_with("mug1", "tea", days_ago=2)
    out = ids(rec, p, user_id="c1", limit=11)
    assert "mug1" not in out and "tea" in out
    similar = dict(kind="similar_items", product_id="print1", user_id="c1", limit=11)
    assert "mug1" not in ids(rec, p, **similar)
    later = profile_with("mug1", days_ago=60)
    assert "mug1" in ids(rec, later, **similar)  # other kinds: hidden for 30 days only


def test_recommended_for_you_leaves_out_everything_bought(rec: Recommender) -> None:
    """Discovery by default; re-orders are the buy_again kind's job."""
    old = profile_with("mug1", days_ago=200)
    assert "mug1" not in ids(rec, old, user_id="c1", limit=11)
    keep = Recommender(rec.model, rec.config.model_copy(update={"exclude_bought_for_you": False}))
    assert "mug1" in ids(keep, old, user_id="c1", limit=11)


def test_intent_changes_the_ranking(rec: Recommender) -> None:
    session = ["mug1"]
    compare = ids(rec, session_product_ids=session, limit=3,
                  intent=IntentContext(type="comparison"))
    buy = ids(rec, session_product_ids=session, basket_product_ids=["mug1"], limit=3,
              intent=IntentContext(type="purchase"))
    assert compare != buy
    assert compare[0] in {"mug2", "mug3", "print1"}  # alternatives to the mug in view
    assert buy[0] in {"print1", "bag1", "tea", "xmas"}  # what goes with it


def test_diversity_caps_items_per_category(rec: Recommender) -> None:
    capped = Recommender(rec.model, PersonalizationConfig(max_per_category=1))
    req = RecommendRequest(limit=5, request_time=NOW)
    items = capped.recommend(req).items
    cats = [rec.model.categories[rec.model.index[i.product_id]] for i in items]
    assert len(cats) == len(set(cats))


def test_cold_start_returns_market_popular_items(rec: Recommender) -> None:
    reply = rec.recommend(RecommendRequest(visitor_id="new", market="UK", limit=4,
                                           request_time=NOW), None)
    assert reply.strategy == "cold_start" and not reply.personalized
    assert len(reply.items) == 4 and reply.items[0].reasons


def test_cold_start_is_shaped_by_the_session(rec: Recommender) -> None:
    reply = rec.recommend(RecommendRequest(session_product_ids=["mug2"], limit=3,
                                           request_time=NOW), None)
    assert reply.strategy == "rfy:session"
    assert {"card", "print2"} & {i.product_id for i in reply.items}


def test_without_consent_the_profile_is_ignored(rec: Recommender) -> None:
    p = profile_with("mug2", days_ago=40)
    anon = rec.recommend(RecommendRequest(user_id="c1", personalized=False, limit=5,
                                          request_time=NOW), p)
    cold = rec.recommend(RecommendRequest(limit=5, request_time=NOW), None)
    assert not anon.personalized
    assert [i.product_id for i in anon.items] == [i.product_id for i in cold.items]
    refused = p.model_copy(update={"consent": Consent(personalization=False)})
    assert not rec.recommend(RecommendRequest(user_id="c1", request_time=NOW), refused).personalized


async def test_batch_loads_profiles_once_and_keeps_request_order(rec: Recommender) -> None:
    p = profile_with("mug2").model_copy(update={"user_id": "c1"})
    store = InMemoryProfileStore([p])
    reqs = [RecommendRequest(request_id=str(i), user_id="c1" if i % 2 else None,
                             visitor_id=f"v{i}", limit=3, request_time=NOW) for i in range(6)]
    replies = await recommend_batch(reqs, store, rec)
    assert store.round_trips == 1
    assert [r.request_id for r in replies] == [str(i) for i in range(6)]
    assert [r.personalized for r in replies] == [False, True] * 3
    groups = group_by_user(reqs)
    assert groups["c1"] == [1, 3, 5]


def test_batching_benchmark_reports_cpu_per_request(rec: Recommender) -> None:
    store = InMemoryProfileStore([profile_with("mug2").model_copy(update={"user_id": "c1"})])
    reqs = [RecommendRequest(user_id="c1", limit=3, request_time=NOW) for _ in range(8)]
    out = benchmark_batching(reqs, store, rec, batch_size=4)
    assert out["batched_cpu_ms_per_request"] > 0 and out["single_cpu_ms_per_request"] > 0
