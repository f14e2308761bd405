"""The buy_again kind and the stated-interest signal, on small hand-made histories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from libs.contracts.catalog import LocalizedText, Product, Variant
from libs.contracts.recommend import IntentContext, RecommendRequest
from libs.profiles.model import Profile, Purchase, SessionContext
from services.recommend.domain import HybridModel, InteractionLog, Recommender
from services.recommend.domain.buy_again import BuyAgainConfig, ItemCycles, buy_again_scores
from services.recommend.domain.interest import ItemTerms, query_terms

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
DAY = 86400.0


def prod(pid: str, title: str, cat: str, stock: int = 5) -> Product:
    return Product(id=pid, handle=pid, title=LocalizedText(en=title), category=cat,
                   variants=[Variant(sku=pid, price=500, stock=stock)])


CATALOG = [prod("tl", "Tealight candles pack", "candles"), prod("mat", "Doormat", "home"),
           prod("mug", "Starry night mug", "mugs"), prod("gone", "Sold out tin", "kitchen", 0),
           prod("print", "Water lilies print", "prints")]


def test_item_cycles_are_median_gaps_between_orders_of_the_same_customer() -> None:
    # a: item 0 on days 0, 10, 20 (two lines in the day-10 order count once); b: days 0, 30.
    rows = [("a", 0, "o1", 0), ("a", 0, "o2", 10), ("a", 0, "o2", 10), ("a", 0, "o3", 20),
            ("b", 0, "o4", 0), ("b", 0, "o5", 30), ("a", 1, "o1", 0), ("", 1, "g", 5)]
    users, cols, baskets, days = zip(*rows, strict=True)
    cycles = ItemCycles.fit(list(users), list(cols), list(baskets),
                            np.array(days, dtype=float) * DAY, 3)
    assert cycles.cycle_days[0] == 10.0  # median of 10, 10, 30
    assert np.isnan(cycles.cycle_days[1]) and np.isnan(cycles.cycle_days[2])
    assert cycles.repeat_rate.tolist() == [1.0, 0.0, 0.0]


def bought(pid: str, orders: int, every_days: float, last_days_ago: float) -> Purchase:
    last = NOW - timedelta(days=last_days_ago)
    return Purchase(product_id=pid, at=last, orders=orders, quantity=orders,
                    first_at=last - timedelta(days=every_days * (orders - 1)))


def test_an_item_due_on_its_own_cycle_outranks_one_the_customer_stopped_buying() -> None:
    index = {"tl": 0, "mat": 1, "mug": 2}
    cycles = ItemCycles(np.array([14.0, 180.0, np.nan]), np.array([0.5, 0.1, 0.0]))
    history = [bought("tl", 6, every_days=14, last_days_ago=12),
               bought("mat", 6, every_days=14, last_days_ago=300),  # stopped long ago
               bought("mug", 1, every_days=0, last_days_ago=3)]  # nobody re-buys mugs
    scores = buy_again_scores(history, index, cycles, NOW, BuyAgainConfig())
    assert scores[0] > scores[1] and scores[0] > 0.5
    assert scores[2] == 0.0


def recommender() -> Recommender:
    log = InteractionLog()
    for day, (user, items) in enumerate([("u1", ["tl", "mug"]), ("u1", ["tl"]), ("u2", ["mat"]),
                                         ("u2", ["tl", "print"]), ("u3", ["mug", "print"])]):
        for item in items:
            log.add(user, item, f"o{day}", (NOW - timedelta(days=30 - 7 * day)).timestamp())
    return Recommender(HybridModel().fit(log, CATALOG, NOW.timestamp()))


def test_buy_again_offers_only_the_customers_own_sellable_items() -> None:
    rec = recommender()
    profile = Profile(user_id="c1", purchases=[
        bought("mat", 1, 0, 100), bought("tl", 4, every_days=10, last_days_ago=9),
        bought("gone", 3, every_days=10, last_days_ago=9)])
    req = RecommendRequest(user_id="c1", kind="buy_again", request_time=NOW)
    reply = rec.recommend(req, profile)
    assert [i.product_id for i in reply.items][0] == "tl"
    assert {i.product_id for i in reply.items} <= {"tl", "mat"}  # "gone" is out of stock
    assert reply.strategy == "buy_again:repeat_cycle" and reply.personalized
    anonymous = rec.recommend(req, None)
    assert anonymous.items == [] and not anonymous.personalized


def test_a_stated_interest_brings_its_category_to_the_top() -> None:
    rec = recommender()
    plain = rec.recommend(RecommendRequest(limit=2, request_time=NOW), None)
    stated = rec.recommend(RecommendRequest(limit=2, request_time=NOW, intent=IntentContext(
        type="browsing", category="prints", query="prints")), None)
    assert stated.items[0].product_id == "print"
    assert "stated_interest" in stated.strategy and "stated_interest" not in plain.strategy


def test_spanish_and_french_words_reach_the_english_catalog_terms() -> None:
    terms = ItemTerms(CATALOG)
    assert "candl" in query_terms("velas") and "candl" in query_terms("bougies")
    scores = terms.scores(IntentContext(query="busco velas"))
    assert scores is not None and int(np.argmax(scores)) == 0
    assert terms.scores(IntentContext(query="zzz unknown")) is None
    assert terms.scores(None) is None


def test_the_intent_stored_in_the_session_is_used_when_the_request_has_none() -> None:
    rec = recommender()
    profile = Profile(user_id="c1", session=SessionContext(intent_name="compare_products",
                                                           intent_type="comparison"))
    reply = rec.recommend(RecommendRequest(user_id="c1", limit=3, request_time=NOW), profile)
    assert any("intent:comparison" in i.reasons for i in reply.items)
    said = rec.recommend(RecommendRequest(user_id="c1", limit=3, request_time=NOW,
                                          intent=IntentContext(type="research")), profile)
    assert not any("intent:comparison" in i.reasons for i in said.items)
