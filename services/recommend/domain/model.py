"""The hybrid base model: co-occurrence (basket and user level), content, and popularity.

Fitted from the interaction log and the catalog read model; it only *scores* items. Filtering,
personalisation and diversity happen in `Recommender`, so the same fitted model serves every
market and every consent mode.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Literal

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel

from libs.contracts.catalog import Product
from services.recommend.domain.buy_again import ItemCycles
from services.recommend.domain.content import content_neighbours
from services.recommend.domain.interactions import InteractionLog
from services.recommend.domain.similarity import (
    bm25_weight,
    cosine_cooccurrence,
    incidence,
    prune_topk,
    tfidf_vectors,
)

DAY = 86400.0


class ModelConfig(BaseModel):
    neighbours: int = 200
    shrink: float = 2.0
    popularity_half_life_days: float = 30.0
    trending_half_life_days: float = 3.0
    # Blend of the three item-item similarities into one "related" matrix.
    w_basket: float = 0.5
    w_user: float = 0.5
    w_content: float = 0.1
    # How users are weighted in user-level co-occurrence: "binary" (bought or not) or "bm25"
    # (repeat counts saturated, long histories and best-sellers damped).
    user_weighting: Literal["binary", "bm25"] = "binary"
    bm25_k1: float = 1.2
    bm25_b: float = 0.75


def product_text(p: Product) -> str:
    return " ".join([p.title.en, p.description.en, p.category, " ".join(p.tags), p.vendor])


class HybridModel:
    def __init__(self, config: ModelConfig | None = None) -> None:
        self.config = config or ModelConfig()
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        self.products: list[Product] = []
        self.categories: np.ndarray = np.array([], dtype=object)
        self.basket_sim = sp.csr_matrix((0, 0))
        self.user_sim = sp.csr_matrix((0, 0))
        self.content_sim = sp.csr_matrix((0, 0))
        self.related = sp.csr_matrix((0, 0))
        self.tfidf = sp.csr_matrix((0, 0))
        self.popularity: dict[str, np.ndarray] = {}
        self.trending: dict[str, np.ndarray] = {}
        self.cycles = ItemCycles.empty(0)
        self.fitted_at = 0.0

    @property
    def n_items(self) -> int:
        return len(self.ids)

    def fit(self, log: InteractionLog, catalog: Sequence[Product], now: float) -> HybridModel:
        """`now` is epoch seconds: popularity decays towards it (the request time, offline)."""
        cfg = self.config
        self.products = list(catalog)
        self.ids = [p.id for p in self.products]
        self.index = {pid: i for i, pid in enumerate(self.ids)}
        self.categories = np.array([p.category for p in self.products], dtype=object)
        self.fitted_at = now
        keep = [j for j, item in enumerate(log.items) if item in self.index]
        cols = [self.index[log.items[j]] for j in keep]
        n = self.n_items
        baskets = _codes([log.baskets[j] for j in keep])
        basket_m = incidence(baskets, cols, max(baskets, default=-1) + 1, n)
        # Anonymous rows (user "") count for baskets and popularity, not for user co-occurrence:
        # a one-off guest checkout is a basket, not a taste history.
        known = [k for k, j in enumerate(keep) if log.users[j]]
        users = _codes([log.users[keep[k]] for k in known])
        bm25 = cfg.user_weighting == "bm25"
        user_m = incidence(users, [cols[k] for k in known], max(users, default=-1) + 1, n,
                           binary=not bm25)
        if bm25:
            user_m = bm25_weight(user_m, cfg.bm25_k1, cfg.bm25_b)
        self.basket_sim = prune_topk(cosine_cooccurrence(basket_m, cfg.shrink), cfg.neighbours)
        self.user_sim = prune_topk(cosine_cooccurrence(user_m, cfg.shrink), cfg.neighbours)
        self.tfidf = tfidf_vectors([product_text(p) for p in self.products])
        self.content_sim = content_neighbours(self.tfidf, min(cfg.neighbours, 50))
        self.reweight(cfg.w_basket, cfg.w_user, cfg.w_content)
        times = np.asarray([log.times[j] for j in keep], dtype=np.float64)
        weights = np.asarray([log.weights[j] for j in keep], dtype=np.float64)
        markets = np.asarray([log.markets[j] for j in keep], dtype=object)
        self.popularity = _popularity(cols, times, weights, markets, n, now,
                                      cfg.popularity_half_life_days)
        self.trending = _popularity(cols, times, weights, markets, n, now,
                                    cfg.trending_half_life_days)
        bought = [k for k, j in enumerate(keep) if log.is_purchase(j)]
        self.cycles = ItemCycles.fit([log.users[keep[k]] for k in bought],
                                     [cols[k] for k in bought],
                                     [log.baskets[keep[k]] for k in bought], times[bought], n)
        return self

    def reweight(self, w_basket: float, w_user: float, w_content: float) -> None:
        """Re-blend the related matrix without refitting (used when tuning)."""
        self.related = (w_basket * self.basket_sim + w_user * self.user_sim
                        + w_content * self.content_sim).tocsr()

    def pop(self, market: str | None, trending: bool = False) -> np.ndarray:
        """Popularity in [0, 1] for a market, falling back to all markets when it has no data."""
        table = self.trending if trending else self.popularity
        vec = table.get(market or "", None)
        if vec is None or not vec.any():
            vec = table.get("*", np.zeros(self.n_items))
        return vec

    def scores_from(self, weights: dict[int, float], matrix: sp.csr_matrix) -> np.ndarray:
        """Σ_h w_h · sim(h, ·) over the weighted history/anchor items."""
        out = np.zeros(self.n_items, dtype=np.float64)
        if not weights or matrix.shape[0] == 0:
            return out
        idx = np.fromiter(weights.keys(), dtype=np.int64)
        w = np.fromiter(weights.values(), dtype=np.float64)
        out += np.asarray(matrix[idx].T @ w).ravel()
        return out

    def pairwise_content(self, idx: Sequence[int]) -> np.ndarray:
        """Dense cosine matrix between a few items (diversity control)."""
        x = self.tfidf[list(idx)]
        return np.asarray((x @ x.T).todense())


def _codes(values: list[str]) -> list[int]:
    table: dict[str, int] = {}
    return [table.setdefault(v, len(table)) for v in values]


def _popularity(cols: list[int], times: np.ndarray, weights: np.ndarray, markets: np.ndarray,
                n: int, now: float, half_life_days: float) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    if not cols:
        return {"*": np.zeros(n)}
    age_days = np.maximum(now - times, 0.0) / DAY
    decay = weights * np.power(0.5, age_days / half_life_days)
    col_arr = np.asarray(cols)
    for market in ["*", *sorted(set(markets.tolist()) - {""})]:
        mask = slice(None) if market == "*" else markets == market
        vec = np.bincount(col_arr[mask], weights=decay[mask], minlength=n).astype(np.float64)
        vec = np.log1p(vec)  # compress the head so a few hits do not flatten everything else
        top = vec.max()
        out[market] = vec / top if top > 0 else vec
    return out


SEASONS: dict[int, tuple[str, ...]] = {
    1: ("winter", "new year"), 2: ("valentine", "heart", "love"), 3: ("easter", "spring"),
    4: ("easter", "spring", "garden"), 5: ("garden", "spring"), 6: ("summer", "garden"),
    7: ("summer", "picnic"), 8: ("summer", "picnic"), 9: ("autumn", "school"),
    10: ("halloween", "autumn"), 11: ("christmas", "xmas", "advent", "winter"),
    12: ("christmas", "xmas", "advent", "winter", "snow"),
}


def seasonal_mask(products: Sequence[Product], month: int) -> np.ndarray:
    """1.0 for products whose text mentions the month's seasonal themes."""
    words = SEASONS.get(month, ())
    if not words:
        return np.zeros(len(products))
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")", re.I)
    return np.array([1.0 if pattern.search(product_text(p)) else 0.0 for p in products])


def half_life_weight(age_seconds: float, half_life_days: float) -> float:
    return math.pow(0.5, max(age_seconds, 0.0) / (half_life_days * DAY))
