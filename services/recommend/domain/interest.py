"""What the person *said* they want, as a score over the catalog.

The conversation tells us more than the history: "I'm looking for candles" or "a gift for my
mum who loves Monet" arrive from the intent worker as a category and/or a query. Each item
scores the idf-weighted share of the query's terms it contains (stemmed; Spanish and French
words mapped to the English catalog terms through the glossary), and 1.0 when its category is
the stated one. The recommender blends this into the base relevance with `w_interest`, so the
history still decides *which* candles.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from libs.catalog.glossary import reverse_stems
from libs.catalog.text import analyze, fold, stem, tokens
from libs.contracts.catalog import Product
from libs.contracts.recommend import IntentContext


@lru_cache(maxsize=2)
def _translations(lang: str) -> dict[str, str]:
    return reverse_stems(lang)


def query_terms(query: str) -> list[str]:
    """English stems of a shopper's words, whatever the language they were typed in."""
    out: list[str] = []
    for t in analyze(query, "en"):
        out.append(t)
    for token in tokens(query):
        for lang in ("es", "fr"):
            english = _translations(lang).get(stem(fold(token), lang))
            if english:
                out.append(stem(english, "en"))
    return list(dict.fromkeys(out))


class ItemTerms:
    """Stemmed terms of every product (title, description, category, tags), inverted."""

    def __init__(self, products: Sequence[Product]) -> None:
        self.n = len(products)
        self.categories = np.array([p.category for p in products], dtype=object)
        postings: dict[str, list[int]] = {}
        for i, p in enumerate(products):
            text = " ".join([p.title.en, p.description.en, p.category, " ".join(p.tags)])
            for term in set(analyze(text, "en")):
                postings.setdefault(term, []).append(i)
        self.postings = {t: np.asarray(ix, dtype=np.int64) for t, ix in postings.items()}

    def idf(self, term: str) -> float:
        df = len(self.postings.get(term, ()))
        return math.log((self.n + 1) / (df + 1)) + 1.0

    def scores(self, intent: IntentContext | None) -> np.ndarray | None:
        """Interest in [0, 1] per item, or None when nothing was stated."""
        if intent is None or not (intent.category or intent.query):
            return None
        out = np.zeros(self.n, dtype=np.float64)
        # Words the catalog never uses say nothing about which item is meant.
        terms = [t for t in query_terms(" ".join(filter(None, [intent.query, intent.category])))
                 if t in self.postings]
        total = sum(self.idf(t) for t in terms)
        for t in terms:
            ix = self.postings.get(t)
            if ix is not None and total > 0:
                out[ix] += self.idf(t) / total
        if intent.category:
            out = np.maximum(out, (self.categories == intent.category).astype(np.float64))
        return out if out.any() else None
