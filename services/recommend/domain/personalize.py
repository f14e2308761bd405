"""The MCP-aware personalisation layer on top of the hybrid model's base scores.

final = w_intent·intent + w_affinity·affinity + w_context·context, each component in [0, 1].
The conversation's intent (from the MCP intent worker) decides *which* relatedness matters:
buying → what goes with the basket; comparing → alternatives to the product in view; browsing →
variety and what is trending; research → content-similar, well-described items.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from pydantic import BaseModel

from libs.profiles.model import Profile, price_band
from services.recommend.domain.model import HybridModel


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


def normalise(v: np.ndarray) -> np.ndarray:
    top = float(v.max()) if v.size else 0.0
    return v / top if top > 0 else np.zeros_like(v, dtype=np.float64)


def intent_signal(model: HybridModel, intent_type: str | None, anchors: dict[int, float],
                  basket: dict[int, float], market: str | None,
                  informative: np.ndarray) -> np.ndarray | None:
    """Intent-specific relevance over all items, or None when no intent is known."""
    if intent_type == "purchase":
        return normalise(model.scores_from(basket or anchors, model.basket_sim))
    if intent_type == "comparison":
        last = dict(list(anchors.items())[-1:])
        return normalise(model.scores_from(last, model.content_sim)
                         + 0.5 * model.scores_from(last, model.user_sim))
    if intent_type == "browsing":
        return model.pop(market, trending=True)
    if intent_type == "research":
        return 0.7 * normalise(model.scores_from(anchors, model.content_sim)) + 0.3 * informative
    return None


def affinity_scores(model: HybridModel, cand: np.ndarray, profile: Profile | None,
                    session_items: list[int], now: datetime, half_life_days: float) -> np.ndarray:
    """Mean of the candidate's category / vendor / price-band affinity, each scaled by the
    profile's strongest; without a profile the session's categories stand in."""
    products = [model.products[i] for i in cand]
    half_life = timedelta(days=half_life_days)
    if profile is not None:
        facets = [profile.affinity_values(f, now, half_life)
                  for f in ("categories", "vendors", "price_bands")]
    else:
        cats: dict[str, float] = {}
        for i in session_items:
            cats[model.products[i].category] = cats.get(model.products[i].category, 0.0) + 1.0
        facets = [cats, {}, {}]
    keys = [
        [p.category for p in products],
        [p.vendor for p in products],
        [price_band(p.price) for p in products],
    ]
    parts = []
    for table, values in zip(facets, keys, strict=True):
        top = max(table.values(), default=0.0)
        if top <= 0:
            continue
        parts.append(np.array([table.get(v, 0.0) / top for v in values]))
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
