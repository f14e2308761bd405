"""Per-document filter columns aligned with the BM25 index slots.

Filters (category, price range, in stock, market region) are evaluated as numpy masks over all
slots at once, instead of checking each matching product in Python — on a 100k catalog a broad
query matches tens of thousands of products and the per-product check dominated query time.
"""

from __future__ import annotations

import numpy as np

from libs.contracts.catalog import Product


class FilterColumns:
    """Columns per slot: live, price, in stock, category code, sold everywhere, per-region."""

    def __init__(self, capacity: int = 1024) -> None:
        self.live = np.zeros(capacity, dtype=bool)
        self.price = np.zeros(capacity, dtype=np.int64)
        self.in_stock = np.zeros(capacity, dtype=bool)
        self.category = np.zeros(capacity, dtype=np.int32)
        self.everywhere = np.zeros(capacity, dtype=bool)
        self.regions: dict[str, np.ndarray] = {}
        self._categories: dict[str, int] = {}

    def _grow(self, slot: int) -> None:
        size = len(self.live)
        if slot < size:
            return
        new = max(size * 2, slot + 1)

        def grown(column: np.ndarray) -> np.ndarray:
            out = np.zeros(new, dtype=column.dtype)
            out[:size] = column
            return out

        self.live, self.price = grown(self.live), grown(self.price)
        self.in_stock, self.category = grown(self.in_stock), grown(self.category)
        self.everywhere = grown(self.everywhere)
        self.regions = {r: grown(c) for r, c in self.regions.items()}

    def set(self, slot: int, product: Product) -> None:
        self._grow(slot)
        self.live[slot] = True
        self.price[slot] = product.price
        self.in_stock[slot] = product.in_stock
        self.category[slot] = self._categories.setdefault(product.category,
                                                          len(self._categories) + 1)
        self.everywhere[slot] = not product.markets
        for region, column in self.regions.items():
            column[slot] = region in product.markets
        for region in product.markets:
            if region not in self.regions:
                self.regions[region] = np.zeros(len(self.live), dtype=bool)
                self.regions[region][slot] = True

    def clear(self, slot: int) -> None:
        if slot < len(self.live):
            self.live[slot] = False

    def mask(self, size: int, *, category: str | None = None, price_min: int | None = None,
             price_max: int | None = None, available: bool | None = None,
             region: str | None = None) -> np.ndarray:
        """Boolean mask of length `size` (the index capacity) of live slots passing filters."""
        self._grow(size - 1)
        mask = self.live[:size].copy()
        if category is not None:
            mask &= self.category[:size] == self._categories.get(category, -1)
        if price_min is not None:
            mask &= self.price[:size] >= price_min
        if price_max is not None:
            mask &= self.price[:size] <= price_max
        if available is not None:
            mask &= self.in_stock[:size] == available
        if region:
            sold = self.everywhere[:size].copy()
            if region in self.regions:
                sold |= self.regions[region][:size]
            mask &= sold
        return mask
