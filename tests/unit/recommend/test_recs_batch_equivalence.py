"""Batched scoring (`Recommender.recommend_many`, `recommend_batch`) answers exactly what the
one-by-one path answers: same ids in the same order, same scores, reasons and strategies."""

from __future__ import annotations

import itertools
from datetime import timedelta

import numpy as np
import pytest

import services.recommend.domain.scoring as scoring
from libs.contracts.recommend import IntentContext, RecommendReply, RecommendRequest
from services.recommend.domain import Recommender, recommend_batch
from services.recommend.domain.scoring import BatchScores
from services.user_events.domain import Consent, InMemoryProfileStore, Profile
from tests.unit.recommend.test_recs_recommender import NOW, profile_with, rec  # noqa: F401

KINDS = ["recommended_for_you", "similar_items", "frequently_bought_together",
         "recently_viewed", "trending"]
INTENTS = [None, "purchase", "comparison", "browsing", "research"]


def _profiles() -> dict[str, Profile]:
    refused = profile_with("mug1", days_ago=3, viewed=("print2",)).model_copy(
        update={"consent": Consent(personalization=False)})
    return {
        "c1": profile_with("mug2", days_ago=40).model_copy(update={"user_id": "c1"}),
        "c2": profile_with("mug1", "tea", days_ago=2, viewed=("print1", "card")).model_copy(
            update={"user_id": "c2"}),
        "c3": refused.model_copy(update={"user_id": "c3"}),
    }


def _requests() -> list[RecommendRequest]:
    users = ["c1", "c2", "c3", "cold", None]  # "cold" has no stored profile
    out = []
    combos = itertools.product(KINDS, INTENTS, [None, "UK", "EU"], users, [True, False])
    for n, (kind, intent, market, user, consent) in enumerate(combos):
        if n % 3:  # a third of the grid keeps the test fast and still mixes everything
            continue
        out.append(RecommendRequest(
            request_id=str(n), user_id=user, kind=kind, market=market,  # type: ignore[arg-type]
            product_id=["mug1", "mug2", "print3", None][n % 4],
            basket_product_ids=[[], ["mug1"], ["mug2", "card"]][n % 3 - 1],
            session_product_ids=[[], ["print1", "mug3"]][n % 2],
            intent=IntentContext(type=intent) if intent else None,  # type: ignore[arg-type]
            personalized=consent, limit=1 + n % 6,
            request_time=NOW + timedelta(seconds=n % 4)))
    return out


def _same(a: RecommendReply, b: RecommendReply) -> None:
    assert a.model_dump(exclude={"latency_ms"}) == b.model_dump(exclude={"latency_ms"})


@pytest.mark.parametrize("dense_budget", [scoring.DENSE_BUDGET, 0])
def test_recommend_many_equals_one_by_one(rec: Recommender,  # noqa: F811
                                          monkeypatch: pytest.MonkeyPatch,
                                          dense_budget: int) -> None:
    monkeypatch.setattr(scoring, "DENSE_BUDGET", dense_budget)  # dense block / sparse·sparse
    profiles = _profiles()
    reqs = _requests()
    pairs = [(r, profiles.get(r.profile_key or "")) for r in reqs]
    assert {r.kind for r in reqs} == set(KINDS) and len(reqs) > 100
    singles = [rec.recommend(r, p) for r, p in pairs]
    for start in range(0, len(pairs), 64):
        for a, b in zip(singles[start:start + 64], rec.recommend_many(pairs[start:start + 64]),
                        strict=True):
            _same(a, b)
    strategies = {s.strategy.split("+")[0] for s in singles}
    assert {"cold_start", "rfy:history", "rfy:session", "trending:market"} <= strategies


async def test_recommend_batch_equals_one_by_one(rec: Recommender) -> None:  # noqa: F811
    profiles = _profiles()
    store = InMemoryProfileStore(list(profiles.values()))
    reqs = _requests()[:64]
    replies = await recommend_batch(reqs, store, rec)
    assert store.round_trips == 1
    for req, reply in zip(reqs, replies, strict=True):
        key = req.profile_key if req.personalized else None
        _same(rec.recommend(req, profiles.get(key) if key else None), reply)


def test_batched_similarity_rows_are_bit_identical(rec: Recommender) -> None:  # noqa: F811
    m = rec.model
    weights = [{m.index["mug1"]: 1.0}, {m.index["card"]: 0.3, m.index["mug2"]: 2.5},
               {m.index["mug2"]: 2.5, m.index["card"]: 0.3}, {}]
    jobs = [(name, w) for name in scoring.MATRICES for w in weights]
    batch = BatchScores(m, jobs)
    for name, w in jobs:
        assert np.array_equal(batch(w, name), m.scores_from(w, getattr(m, name)))
