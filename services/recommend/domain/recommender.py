"""`Recommender`: base candidates per kind → business rules → personalisation → diversity.

With `personalized=False` (no consent) or no profile, nothing about the person beyond the
request's own session and basket is used: market popularity shaped by intent and session.

A request is answered in two steps: `plan` (rules mask, anchors, weighted history) and `finish`
(scores → ranking). Every sparse "Σ_h w_h · sim(h, ·)" product goes through a `ScoreFn`, so a
batch can compute all of them at once (`scoring.BatchScores`) and give identical results.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import get_args

import numpy as np

from libs.contracts.recommend import (
    IntentContext,
    IntentType,
    RecommendedItem,
    RecommendReply,
    RecommendRequest,
)
from libs.profiles.model import Profile
from services.recommend.domain.buy_again import buy_again_scores
from services.recommend.domain.interest import ItemTerms
from services.recommend.domain.model import HybridModel, seasonal_mask
from services.recommend.domain.personalize import (
    ItemFacets,
    PersonalizationConfig,
    affinity_scores,
    history_weights,
    intent_signal,
    normalise,
)
from services.recommend.domain.rules import Availability, allowed_mask, just_bought, mmr
from services.recommend.domain.scoring import BatchScores, ScoreFn, direct_scores, score_jobs

INTENT_TYPES = frozenset(get_args(IntentType))


@dataclass
class Plan:
    """What one request needs before any similarity product is computed."""

    req: RecommendRequest
    prof: Profile | None
    session: list[str]
    mask: np.ndarray
    anchors: dict[int, float] = field(default_factory=dict)
    basket: dict[int, float] = field(default_factory=dict)
    history: dict[int, float] = field(default_factory=dict)

    def jobs(self) -> list[tuple[str, dict[int, float]]]:
        intent = self.req.intent.type if self.req.intent else None
        return score_jobs(self.req.kind, intent, self.anchors, self.basket, self.history)


class Recommender:
    def __init__(self, model: HybridModel, config: PersonalizationConfig | None = None) -> None:
        self.model = model
        self.config = config or PersonalizationConfig()
        self.availability = Availability(model.products)
        self.facets = ItemFacets(model.products)
        lengths = np.array([len(p.description.en) for p in model.products], dtype=float)
        self.informative = normalise(np.log1p(lengths))
        self._seasonal: dict[int, np.ndarray] = {}
        self._terms: ItemTerms | None = None

    @property
    def terms(self) -> ItemTerms:
        if self._terms is None:  # built on first use: most requests state no interest
            self._terms = ItemTerms(self.model.products)
        return self._terms

    def seasonal(self, month: int) -> np.ndarray:
        if month not in self._seasonal:
            self._seasonal[month] = seasonal_mask(self.model.products, month)
        return self._seasonal[month]

    def recommend(self, req: RecommendRequest, profile: Profile | None = None) -> RecommendReply:
        start = time.perf_counter()
        return self.finish(self.plan(req, profile), direct_scores(self.model), start)

    def recommend_many(self, requests: Sequence[tuple[RecommendRequest, Profile | None]],
                       ) -> list[RecommendReply]:
        """Same replies as `recommend` one by one, with every similarity product of the batch
        computed in one sparse matmul per similarity matrix."""
        start = time.perf_counter()
        plans = [self.plan(req, profile) for req, profile in requests]
        scores = BatchScores(self.model, [job for p in plans for job in p.jobs()])
        shared = (time.perf_counter() - start) / max(len(plans), 1)  # each reply's share
        return [self.finish(p, scores, time.perf_counter() - shared) for p in plans]

    def plan(self, req: RecommendRequest, profile: Profile | None) -> Plan:
        use_profile = (req.personalized and profile is not None
                       and profile.consent.allows_personalization)
        prof = profile if use_profile else None
        m, cfg, now = self.model, self.config, req.request_time
        if req.intent is None and prof is not None and prof.session.intent_type in INTENT_TYPES:
            # The conversation's intent the user-events service stored in the session.
            req = req.model_copy(update={"intent": IntentContext.model_validate(
                {"name": prof.session.intent_name, "type": prof.session.intent_type})})
        session = list(req.session_product_ids)
        if prof is not None and not session:
            session = list(prof.session.product_ids)
        purchases = [(p.product_id, p.at) for p in prof.purchases] if prof else []
        window = timedelta(days=cfg.just_bought_days)
        if req.kind == "recommended_for_you" and cfg.exclude_bought_for_you:
            window = timedelta.max
        recent = just_bought(purchases, now, window) if req.kind != "buy_again" else set()
        exclude = set(req.exclude_product_ids)
        if req.kind in ("similar_items", "frequently_bought_together") and req.product_id:
            exclude.add(req.product_id)
        if req.kind == "frequently_bought_together":
            exclude.update(req.basket_product_ids)
        mask = allowed_mask(self.availability, m.index, req.market, exclude, recent)
        plan = Plan(req, prof, session, mask)
        if req.kind in ("recently_viewed", "buy_again"):
            return plan
        anchor_ids = [req.product_id] if req.product_id else session[-3:]
        plan.anchors = {m.index[p]: 1.0 for p in anchor_ids if p in m.index}
        plan.basket = {m.index[p]: 1.0 for p in req.basket_product_ids if p in m.index}
        if req.kind == "recommended_for_you":
            plan.history = history_weights(m, prof, session, now, cfg)
        return plan

    def finish(self, plan: Plan, scores: ScoreFn, start: float) -> RecommendReply:
        req, prof = plan.req, plan.prof
        items, strategy = self._items(plan, scores)
        return RecommendReply(
            request_id=req.request_id, kind=req.kind, items=items,
            personalized=prof is not None and strategy != "cold_start",
            strategy=strategy, latency_ms=(time.perf_counter() - start) * 1000,
        )

    def _items(self, plan: Plan, scores: ScoreFn) -> tuple[list[RecommendedItem], str]:
        m, cfg, req = self.model, self.config, plan.req
        if req.kind == "recently_viewed":
            return self._recently_viewed(req, plan.prof, plan.mask), "recently_viewed"
        if req.kind == "buy_again":
            return self._buy_again(req, plan.prof, plan.mask), "buy_again:repeat_cycle"
        anchors, basket, history = plan.anchors, plan.basket, plan.history
        if req.kind == "similar_items":
            base = (normalise(scores(anchors, "content_sim"))
                    + normalise(scores(anchors, "user_sim")))
            strategy = "similar:content+cooccurrence"
        elif req.kind == "frequently_bought_together":
            base = normalise(scores(basket or anchors, "basket_sim"))
            strategy = "fbt:basket_cooccurrence"
        elif req.kind == "trending":
            base, strategy = m.pop(req.market, trending=True).copy(), "trending:market"
        elif history:
            base = normalise(scores(history, "related"))
            base += cfg.popularity_blend * m.pop(req.market)
            strategy = "rfy:history" if plan.prof else "rfy:session"
        else:
            base, strategy = m.pop(req.market).copy(), "cold_start"
        if not base[plan.mask].any():  # nothing related is sellable: the market's best instead
            base = m.pop(req.market).copy()
            strategy += "+popular_fallback"
        interest = self.terms.scores(req.intent)
        if interest is not None and interest[plan.mask].any():
            # Within what was asked for, the market's popular items break ties the history
            # cannot (someone who never bought candles still gets good candles).
            interest = interest * (0.5 + 0.5 * m.pop(req.market))
            base = (1 - cfg.w_interest) * normalise(base) + cfg.w_interest * interest
            strategy += "+stated_interest"
        return self._rank(plan, base, scores), strategy

    def _rank(self, plan: Plan, base: np.ndarray, scores: ScoreFn) -> list[RecommendedItem]:
        m, cfg, req, mask = self.model, self.config, plan.req, plan.mask
        scored = np.where(mask, base, -np.inf)
        pool_size = min(cfg.candidate_pool, int(mask.sum()))
        if pool_size == 0:
            return []
        cand = np.argpartition(-scored, pool_size - 1)[:pool_size]
        cand = cand[np.isfinite(scored[cand])]
        intent_type = req.intent.type if req.intent else None
        signal = intent_signal(m, intent_type, plan.anchors or plan.history, plan.basket,
                               req.market, self.informative, scores)
        base_c = normalise(base[cand])
        ws = cfg.w_intent_signal
        intent = base_c if signal is None else (1 - ws) * base_c + ws * signal[cand]
        session_idx = [m.index[p] for p in plan.session if p in m.index]
        affinity = affinity_scores(m, cand, plan.prof, session_idx, req.request_time,
                                   cfg.affinity_half_life_days, self.facets)
        season = self.seasonal(req.request_time.month)[cand]
        context = 0.5 * season + 0.5 * m.pop(req.market, trending=True)[cand]
        final = cfg.w_intent * intent + cfg.w_affinity * affinity + cfg.w_context * context
        lam = 1.0 if intent_type == "comparison" else cfg.mmr_lambda
        if intent_type == "browsing":
            lam = min(lam, 0.6)  # browsing wants variety more than precision
        order = mmr(list(cand), final, m.pairwise_content, req.limit, lam, m.categories,
                    cfg.max_per_category)
        pos = {int(c): j for j, c in enumerate(cand)}
        out = []
        for i in order:
            j = pos[int(i)]
            reasons = _reasons(intent[j], affinity[j], season[j], context[j], intent_type)
            out.append(RecommendedItem(product_id=m.ids[i], score=round(float(final[j]), 6),
                                       reasons=reasons))
        return out

    def _buy_again(self, req: RecommendRequest, prof: Profile | None,
                   mask: np.ndarray) -> list[RecommendedItem]:
        """Nothing without stored, consented history: a re-order list is personal data."""
        if prof is None:
            return []
        scores = buy_again_scores(prof.purchases, self.model.index, self.model.cycles,
                                  req.request_time, self.config.buy_again)
        ranked = sorted((i for i in scores if mask[i]), key=lambda i: (-scores[i], i))
        return [RecommendedItem(product_id=self.model.ids[i], score=round(scores[i], 6),
                                reasons=["buy again"]) for i in ranked[:req.limit]]

    def _recently_viewed(self, req: RecommendRequest, prof: Profile | None,
                         mask: np.ndarray) -> list[RecommendedItem]:
        seen: list[str] = list(req.session_product_ids)
        if prof is not None:
            for e in prof.recent_events:
                if e.event_type in ("detail-page-view", "add-to-cart", "conversation"):
                    seen.extend(e.product_ids)
            seen.extend(prof.session.product_ids)
        ordered = list(dict.fromkeys(reversed(seen)))  # most recent first, unique
        out = []
        for rank, pid in enumerate(ordered):
            i = self.model.index.get(pid)
            if i is not None and mask[i]:
                out.append(RecommendedItem(product_id=pid, score=1.0 / (rank + 1),
                                           reasons=["recently viewed"]))
            if len(out) == req.limit:
                break
        return out


def _reasons(intent: float, affinity: float, season: float, context: float,
             intent_type: str | None) -> list[str]:
    reasons = [f"intent:{intent_type}" if intent_type else "related"] if intent > 0 else []
    if affinity > 0.5:
        reasons.append("matches your interests")
    if season > 0:
        reasons.append("seasonal")
    if context > 0.5:
        reasons.append("trending in your market")
    return reasons or ["popular"]
