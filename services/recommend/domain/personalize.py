"""The MCP-aware personalisation layer on top of the hybrid model's base scores.

final = w_intent·intent + w_affinity·affinity + w_context·context, each component in [0, 1].
The conversation's intent (from the MCP intent worker) decides *which* relatedness matters:
buying → what goes with the basket; comparing → alternatives to the product in view; browsing →
variety and what is trending; research → content-similar, well-described items.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
from pydantic import BaseModel

from libs.contracts.catalog import Product
from libs.profiles.model import Profile, price_band
from services.recommend.domain.buy_again import BuyAgainConfig
from services.recommend.domain.model import HybridModel
from services.recommend.domain.scoring import ScoreFn, direct_scores


class PersonalizationConfig(BaseModel):
    w_intent: float = 0.40
    w_affinity: float = 0.35
    w_context: float = 0.25
    history_half_life_days: float = 30.0
    affinity_half_life_days: float = 7.0
    session_boost: float = 2.0
    popularity_blend: float = 0.05
    just_bought_days: float = 30.0
    candidate_pool: int = 100
    mmr_lambda: float = 0.85
    max_per_category: int | None = 4
    # recommended_for_you is for discovery: everything the person already bought (and is not
    # a consumable) is left out; re-orders are the buy_again kind's job.
    exclude_bought_for_you: bool = True
    # Share of the base score given to what the person said they want (category / query).
    w_interest: float = 0.5
    # How much the intent type's own signal (trending for browsing, basket for purchase, ...)
    # is blended into the base relevance.
    w_intent_signal: float = 0.5
    buy_again: BuyAgainConfig = BuyAgainConfig()


def normalise(v: np.ndarray) -> np.ndarray:
    top = float(v.max()) if v.size else 0.0
    return v / top if top > 0 else np.zeros_like(v, dtype=np.float64)


class ItemFacets:
    """Category / vendor / price band of every item as integer codes, computed once per fitted
    catalog so a request's affinity is a table lookup instead of a loop over its candidates."""

    NAMES = ("categories", "vendors", "price_bands")

    def __init__(self, products: Sequence[Product]) -> None:
        values = ([p.category for p in products], [p.vendor for p in products],
                  [price_band(p.price) for p in products])
        self.vocab: list[dict[str, int]] = []
        self.codes: list[np.ndarray] = []
        for column in values:
            vocab: dict[str, int] = {}
            self.codes.append(np.array([vocab.setdefault(v, len(vocab)) for v in column],
                                       dtype=np.int64))
            self.vocab.append(vocab)

    def scaled(self, facet: int, table: dict[str, float], top: float) -> np.ndarray:
        """table[v] / top for every value v of the facet (0 for values not in the table)."""
        out = np.zeros(len(self.vocab[facet]), dtype=np.float64)
        vocab = self.vocab[facet]
        for key, value in table.items():
            code = vocab.get(key)
            if code is not None:
                out[code] = value / top
        return out


def intent_signal(model: HybridModel, intent_type: str | None, anchors: dict[int, float],
                  basket: dict[int, float], market: str | None,
                  informative: np.ndarray, scores: ScoreFn | None = None) -> np.ndarray | None:
    """Intent-specific relevance over all items, or None when no intent is known."""
    sims = scores or direct_scores(model)
    if intent_type == "purchase":
        return normalise(sims(basket or anchors, "basket_sim"))
    if intent_type == "comparison":
        last = dict(list(anchors.items())[-1:])
        return normalise(sims(last, "content_sim") + 0.5 * sims(last, "user_sim"))
    if intent_type == "browsing":
        return model.pop(market, trending=True)
    if intent_type == "research":
        return 0.7 * normalise(sims(anchors, "content_sim")) + 0.3 * informative
    return None


def affinity_scores(model: HybridModel, cand: np.ndarray, profile: Profile | None,
                    session_items: list[int], now: datetime, half_life_days: float,
                    facets: ItemFacets | None = None) -> np.ndarray:
    """Mean of the candidate's category / vendor / price-band affinity, each scaled by the
    profile's strongest; without a profile the session's categories stand in."""
    half_life = timedelta(days=half_life_days)
    if profile is not None:
        tables = [profile.affinity_values(f, now, half_life) for f in ItemFacets.NAMES]
    else:
        cats: dict[str, float] = {}
        for i in session_items:
            cats[model.products[i].category] = cats.get(model.products[i].category, 0.0) + 1.0
        tables = [cats, {}, {}]
    codes = facets or ItemFacets(model.products)
    parts = []
    for f, table in enumerate(tables):
        top = max(table.values(), default=0.0)
        if top <= 0:
            continue
        parts.append(codes.scaled(f, table, top)[codes.codes[f][cand]])
    return np.mean(parts, axis=0) if parts else np.zeros(len(cand))


def history_weights(model: HybridModel, profile: Profile | None, session: list[str],
                    now: datetime, cfg: PersonalizationConfig) -> dict[int, float]:
    """Item → weight of what the person bought/viewed (decayed) plus this session (boosted)."""
    out: dict[int, float] = {}
    if profile is not None:
        hl = cfg.history_half_life_days * 86400.0
        for p in profile.purchases:
            i = model.index.get(p.product_id)
            if i is not None:
                age = max((now - p.at).total_seconds(), 0.0)
                out[i] = out.get(i, 0.0) + 0.5 ** (age / hl)
        for pid, value in profile.affinity_values(
                "products", now, timedelta(days=cfg.affinity_half_life_days)).items():
            i = model.index.get(pid)
            if i is not None:
                out[i] = out.get(i, 0.0) + 0.2 * value
    n = len(session)
    for rank, pid in enumerate(session):
        i = model.index.get(pid)
        if i is not None:  # later in the session = more weight
            out[i] = out.get(i, 0.0) + cfg.session_boost * (rank + 1) / n
    return out
