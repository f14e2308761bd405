"""Profile folding: affinities with decay, idempotency, sessions, stitching, serialisation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from libs.contracts.catalog import LocalizedText, Product, Variant
from libs.contracts.events import EventType, ProductDetail, UserEvent
from services.user_events.domain import (
    Consent,
    InMemoryProfileStore,
    Profile,
    ProfileConfig,
    decayed,
    fold,
    from_redis,
    price_band,
    stitch,
    to_redis_hash,
)

T0 = datetime(2026, 11, 1, 12, tzinfo=UTC)


def ev(eid: str, kind: EventType = "detail-page-view", pid: str = "p1", at: datetime = T0,
       visitor: str = "v1", category: str | None = "prints", **kw: object) -> UserEvent:
    details = [ProductDetail(id=pid, price=1200, category=category, vendor="Museo")] if pid else []
    return UserEvent(event_id=eid, event_type=kind, visitor_id=visitor, event_time=at,
                     product_details=details, **kw)  # type: ignore[arg-type]  # kw: optional fields


def test_decay_halves_after_one_half_life() -> None:
    assert decayed(8.0, T0, T0 + timedelta(days=7), timedelta(days=7)) == pytest.approx(4.0)
    assert decayed(8.0, T0, T0 - timedelta(days=1), timedelta(days=7)) == 8.0  # never grows


def test_fold_builds_affinities_weighted_by_event_type() -> None:
    p = fold(Profile(), ev("a"), T0)
    p = fold(p, ev("b", "purchase-complete"), T0)
    hl = ProfileConfig().half_life
    assert p.affinity_values("categories", T0, hl)["prints"] == pytest.approx(6.0)
    assert p.affinity_values("vendors", T0, hl)["Museo"] == pytest.approx(6.0)
    assert set(p.price_bands) == {price_band(1200)}
    assert [x.product_id for x in p.purchases] == ["p1"]
    assert p.visitor_id == "v1" and p.last_seen == T0


def test_old_interest_fades_with_half_life() -> None:
    p = fold(Profile(), ev("a", "purchase-complete", at=T0 - timedelta(days=14)), T0)
    value = p.affinity_values("categories", T0, timedelta(days=7))["prints"]
    assert value == pytest.approx(5.0 / 4)


def test_fold_is_idempotent_by_event_id() -> None:
    once = fold(Profile(), ev("a", "add-to-cart"), T0)
    twice = fold(once, ev("a", "add-to-cart"), T0)
    assert twice == once
    assert twice.event_count == 1


def test_seen_ids_and_recent_events_are_bounded() -> None:
    cfg = ProfileConfig(max_seen_ids=5, max_recent_events=3)
    p = Profile()
    for i in range(10):
        p = fold(p, ev(f"e{i}", at=T0 + timedelta(seconds=i)), T0 + timedelta(hours=1), config=cfg)
    assert len(p.seen_event_ids) == 5 and p.seen_event_ids[-1] == "e9"
    assert [e.event_id for e in p.recent_events] == ["e7", "e8", "e9"]


def test_fold_does_not_mutate_its_input() -> None:
    p = Profile()
    fold(p, ev("a"), T0)
    assert p == Profile()


def test_sessions_split_on_inactivity_and_track_session_items() -> None:
    p = fold(Profile(), ev("a", pid="p1"), T0)
    p = fold(p, ev("b", pid="p2", at=T0 + timedelta(minutes=10)), T0)
    first = p.session.session_id
    assert p.session.product_ids == ["p1", "p2"]
    p = fold(p, ev("c", pid="p3", at=T0 + timedelta(hours=2)), T0 + timedelta(hours=2))
    assert p.session.session_id != first
    assert p.session.product_ids == ["p3"]


def test_conversation_intent_lands_in_session_context() -> None:
    p = fold(Profile(), ev("a", "conversation", intent_type="comparison",
                           session_id="conv-1"), T0)
    assert (p.session.session_id, p.session.intent_type) == ("conv-1", "comparison")


def test_lookup_enriches_events_without_category() -> None:
    prod = Product(id="p1", handle="p1", title=LocalizedText(en="Mug"), category="kitchen",
                   variants=[Variant(sku="s", price=900, stock=1)])
    p = fold(Profile(), ev("a", category=None), T0, lookup={"p1": prod}.get)
    assert "kitchen" in p.categories


def test_repeat_purchases_keep_one_entry_per_product() -> None:
    p = fold(Profile(), ev("a", "purchase-complete"), T0)
    p = fold(p, ev("b", "purchase-complete", at=T0 + timedelta(days=1)), T0 + timedelta(days=1))
    assert len(p.purchases) == 1
    assert p.purchases[0].orders == 2 and p.purchases[0].at == T0 + timedelta(days=1)


def test_expires_at_is_longer_for_customers() -> None:
    anon = fold(Profile(), ev("a"), T0)
    known = fold(Profile(), ev("a", user_id="c1"), T0)
    assert anon.expires_at == T0 + ProfileConfig().ttl_anonymous
    assert known.expires_at == T0 + ProfileConfig().ttl_customer


def test_stitch_merges_history_and_keeps_the_strictest_consent() -> None:
    anon = fold(Profile(consent=Consent(personalization=False)),
                ev("a", pid="p9", visitor="anon", category="mugs"), T0)
    cust = fold(Profile(user_id="c1", consent=Consent(personalization=True)),
                ev("b", "purchase-complete", visitor="old", at=T0 - timedelta(days=1)), T0)
    merged = stitch(anon, cust, T0)
    assert merged.user_id == "c1"
    assert set(merged.visitor_ids) == {"anon", "old"}
    assert {"mugs", "prints"} <= set(merged.categories)
    assert {e.event_id for e in merged.recent_events} == {"a", "b"}
    assert {"a", "b"} <= set(merged.seen_event_ids)
    assert merged.consent.personalization is False
    assert merged.session == anon.session  # the newer identity holds the live session
    assert fold(merged, ev("a", visitor="anon"), T0) == merged  # still idempotent


def test_redis_round_trip_accepts_bytes_and_json() -> None:
    p = fold(Profile(), ev("a", "purchase-complete"), T0)
    h = to_redis_hash(p)
    assert from_redis(h) == p
    assert from_redis({k.encode(): v.encode() for k, v in h.items()}) == p
    assert from_redis(p.model_dump_json()) == p
    assert from_redis({}) is None


async def test_in_memory_store_loads_many_in_one_round_trip() -> None:
    a = fold(Profile(), ev("a", visitor="v1"), T0)
    b = fold(Profile(), ev("b", visitor="v2"), T0)
    store = InMemoryProfileStore([a, b])
    got = await store.get_many(["v1", "v2", "missing"])
    assert set(got) == {"v1", "v2"} and store.round_trips == 1


def test_fold_many_equals_chained_folds_and_copies_once() -> None:
    from services.user_events.domain import fold_many

    # max_seen_ids above the ids in play: with a tiny FIFO, chained folds could evict an id
    # mid-batch and re-count it, which fold_many (seen set taken at the start) does not.
    cfg = ProfileConfig(max_recent_events=5, max_seen_ids=20)
    base = Profile()
    for i in range(6):
        base = fold(base, ev(f"b{i}", at=T0 + timedelta(minutes=i)), T0, config=cfg)
    snapshot = base.model_copy(deep=True)
    batch = [ev(f"n{i}", "purchase-complete" if i % 3 == 0 else "add-to-cart", pid=f"p{i % 4}",
                at=T0 + timedelta(minutes=3 * i - 10), session_id="s1" if i < 4 else None)
             for i in range(9)]
    batch.insert(4, batch[1])  # a redelivery inside the batch
    batch.append(ev("b2"))  # and one already folded
    chained = base
    for e in batch:
        chained = fold(chained, e, T0 + timedelta(hours=1), config=cfg)
    many = fold_many(base, batch, T0 + timedelta(hours=1), config=cfg)
    assert many == chained
    assert base == snapshot  # the input is not mutated
    assert many.event_count == 6 + 9
    assert fold_many(many, batch, T0, config=cfg) is many  # idempotent by event id
    assert fold_many(base, [], T0) is base
