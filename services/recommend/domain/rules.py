"""Business rules and diversity: what may never be shown, and how varied a list must be.

Rules are boolean masks over the model's item index so one request costs a few vector ops:
out of stock, not sold in the market, explicitly excluded, or just bought (unless consumable).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

import numpy as np

from libs.contracts.catalog import Product


class Availability:
    """Per-market availability masks cached once per fitted catalog."""

    def __init__(self, products: Sequence[Product]) -> None:
        self.products = products
        self.in_stock = np.array([p.in_stock for p in products], dtype=bool)
        self.consumable = np.array([p.consumable for p in products], dtype=bool)
        self._by_market: dict[str, np.ndarray] = {}

    def sellable(self, market: str | None) -> np.ndarray:
        if market is None:
            return self.in_stock.copy()
        if market not in self._by_market:
            avail = np.array([p.available_in(market) for p in self.products], dtype=bool)
            self._by_market[market] = avail & self.in_stock
        return self._by_market[market].copy()


def allowed_mask(
    availability: Availability,
    index: dict[str, int],
    market: str | None,
    exclude: Iterable[str] = (),
    just_bought: Iterable[str] = (),
) -> np.ndarray:
    """True where an item may be recommended."""
    mask = availability.sellable(market)
    for pid in exclude:
        if pid in index:
            mask[index[pid]] = False
    for pid in just_bought:
        i = index.get(pid)
        if i is not None and not availability.consumable[i]:
            mask[i] = False
    return mask


def just_bought(purchases: Iterable[tuple[str, datetime]], now: datetime,
                window: timedelta) -> set[str]:
    return {pid for pid, at in purchases if timedelta(0) <= now - at <= window}


def mmr(
    candidates: Sequence[int],
    scores: np.ndarray,
    similarity: Callable[[Sequence[int]], np.ndarray],
    k: int,
    lam: float = 0.8,
    categories: np.ndarray | None = None,
    max_per_category: int | None = None,
) -> list[int]:
    """Maximal marginal relevance: relevance·λ − (1−λ)·max similarity to what is already picked,
    plus a hard cap per category; `scores` are aligned with `candidates`."""
    if not len(candidates):
        return []
    span = float(scores.max() - scores.min()) or 1.0
    rel = (scores - scores.min()) / span
    picked: list[int] = []
    per_cat: dict[object, int] = {}
    if lam == 1.0:  # pure relevance: the greedy loop below is a stable sort, first max first
        for j in np.argsort(-rel, kind="stable").tolist():
            if len(picked) == k:
                break
            cat = categories[candidates[j]] if categories is not None else None
            if max_per_category is not None and cat is not None and per_cat.get(cat, 0) >= \
                    max_per_category:
                continue
            per_cat[cat] = per_cat.get(cat, 0) + 1
            picked.append(j)
        return [candidates[j] for j in picked]
    sim = similarity(candidates)
    max_sim = np.zeros(len(candidates))
    available = np.ones(len(candidates), dtype=bool)
    while len(picked) < k and available.any():
        value = np.where(available, lam * rel - (1 - lam) * max_sim, -np.inf)
        j = int(np.argmax(value))
        available[j] = False
        cat = categories[candidates[j]] if categories is not None else None
        if max_per_category is not None and cat is not None and per_cat.get(cat, 0) >= \
                max_per_category:
            continue
        per_cat[cat] = per_cat.get(cat, 0) + 1
        picked.append(j)
        max_sim = np.maximum(max_sim, sim[j])
    return [candidates[j] for j in picked]
