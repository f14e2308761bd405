"""An incremental, in-memory BM25 index with field boosts and cheap typo tolerance.

Why hand-rolled: the catalog is small enough (<= ~100k products) to hold in each process, it
changes one product at a time from the compacted topic, and a search engine would be one more
thing to run. Field boosts use the "weighted term frequency" approach (BM25F-lite): a term in
the title counts `title_boost` times, then ordinary BM25 saturation applies.

Typo tolerance is a symmetric-deletion index over the vocabulary: every term and its
one-character deletions point back to the term, so a query term within one edit (insertion,
deletion, substitution, adjacent swap) is found with a handful of dictionary look-ups.

Postings are dicts (cheap incremental updates); scoring uses numpy copies of the posting lists,
built on first use and dropped when a document touching the term changes, so a query over
100k documents costs a few vectorised operations instead of a Python loop per posting.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

Fields = Iterable[tuple[Iterable[str], float]]  # (terms, boost) per field


def _deletions(term: str) -> set[str]:
    return {term[:i] + term[i + 1 :] for i in range(len(term))}


class Bm25Index:
    """Documents keyed by string; `upsert` replaces a document, `remove` deletes it."""

    def __init__(self, k1: float = 1.2, b: float = 0.75, fuzzy_min_len: int = 4) -> None:
        self.k1 = k1
        self.b = b
        self.fuzzy_min_len = fuzzy_min_len
        self._postings: dict[str, dict[int, float]] = {}
        self._doc_terms: list[dict[str, float] | None] = []
        self._doc_len: list[float] = []
        self._norm = np.zeros(1024)
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._keys: list[str | None] = []
        self._slot: dict[str, int] = {}
        self._free: list[int] = []
        self._total_len = 0.0
        self._norm_avgdl = 1.0
        self._deletes: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._slot)

    @property
    def capacity(self) -> int:
        """Number of slots ever allocated: the length of `score_array` results."""
        return len(self._keys)

    def slot_of(self, key: str) -> int | None:
        return self._slot.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._slot

    def key_of(self, slot: int) -> str:
        key = self._keys[slot]
        assert key is not None
        return key

    def has_term(self, term: str) -> bool:
        return bool(self._postings.get(term))

    def doc_freq(self, term: str) -> int:
        return len(self._postings.get(term, ()))

    def upsert(self, key: str, fields: Fields) -> None:
        """Index (or re-index) one document from its analysed fields."""
        self.remove(key)
        weights: dict[str, float] = {}
        for terms, boost in fields:
            for term in terms:
                weights[term] = weights.get(term, 0.0) + boost
        if self._free:
            slot = self._free.pop()
            self._keys[slot], self._doc_terms[slot] = key, weights
        else:
            slot = len(self._keys)
            self._keys.append(key)
            self._doc_terms.append(weights)
            self._doc_len.append(0.0)
            if slot >= len(self._norm):
                self._norm = np.concatenate([self._norm, np.zeros(len(self._norm))])
        length = sum(weights.values())
        self._doc_len[slot] = length
        self._total_len += length
        self._slot[key] = slot
        for term, weight in weights.items():
            posting = self._postings.get(term)
            if posting is None:
                posting = self._postings[term] = {}
                self._add_deletions(term)
            posting[slot] = weight
            self._arrays.pop(term, None)
        self._refresh_norms(slot)

    def remove(self, key: str) -> None:
        slot = self._slot.pop(key, None)
        if slot is None:
            return
        for term in self._doc_terms[slot] or {}:
            posting = self._postings.get(term)
            if posting is not None:
                posting.pop(slot, None)
            self._arrays.pop(term, None)
        self._total_len -= self._doc_len[slot]
        self._doc_terms[slot], self._keys[slot] = None, None
        self._doc_len[slot] = 0.0
        self._free.append(slot)

    def _avgdl(self) -> float:
        return self._total_len / len(self._slot) if self._slot else 1.0

    def _refresh_norms(self, slot: int) -> None:
        """Keep BM25's length norm cached; recompute all only when the mean length drifts 5%."""
        avgdl = self._avgdl() or 1.0
        if abs(avgdl - self._norm_avgdl) > 0.05 * self._norm_avgdl:
            self._norm_avgdl = avgdl
            k1, b = self.k1, self.b
            lengths = np.asarray(self._doc_len)
            self._norm[: len(lengths)] = k1 * (1 - b + b * lengths / avgdl)
        else:
            ratio = self._doc_len[slot] / self._norm_avgdl
            self._norm[slot] = self.k1 * (1 - self.b + self.b * ratio)

    def _add_deletions(self, term: str) -> None:
        if len(term) < self.fuzzy_min_len:
            return
        self._deletes.setdefault(term, set()).add(term)
        for variant in _deletions(term):
            self._deletes.setdefault(variant, set()).add(term)

    def fuzzy(self, term: str) -> str | None:
        """The most frequent indexed term within one edit of `term`, if any."""
        if len(term) < self.fuzzy_min_len:
            return None
        candidates: set[str] = set()
        for probe in _deletions(term) | {term}:
            candidates |= self._deletes.get(probe, set())
        live = [c for c in candidates if c != term and self._postings.get(c)]
        if not live:
            return None
        return max(live, key=lambda c: (len(self._postings[c]), c))

    def scores(self, query: dict[str, float]) -> dict[int, float]:
        """BM25 score per matching slot; `query` maps term -> query weight."""
        n = len(self._slot)
        k1p1 = self.k1 + 1.0
        norm = self._norm
        out: dict[int, float] = {}
        get = out.get
        for term, qweight in query.items():
            posting = self._postings.get(term)
            if not posting:
                continue
            df = len(posting)
            factor = qweight * k1p1 * math.log(1.0 + (n - df + 0.5) / (df + 0.5))
            for slot, tf in posting.items():
                out[slot] = get(slot, 0.0) + factor * tf / (tf + norm[slot])
        return out

    def _term_arrays(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        arrays = self._arrays.get(term)
        if arrays is None:
            posting = self._postings.get(term)
            if not posting:
                return None
            slots = np.fromiter(posting.keys(), dtype=np.int64, count=len(posting))
            tfs = np.fromiter(posting.values(), dtype=np.float64, count=len(posting))
            arrays = self._arrays[term] = (slots, tfs)
        return arrays

    def score_array(self, query: dict[str, float]) -> np.ndarray:
        """Vectorised `scores`: an array of length `capacity`, 0 where nothing matched."""
        n = len(self._slot)
        out = np.zeros(len(self._keys))
        norm = self._norm
        for term, qweight in query.items():
            arrays = self._term_arrays(term)
            if arrays is None:
                continue
            slots, tfs = arrays
            df = len(slots)
            factor = qweight * (self.k1 + 1.0) * math.log(1.0 + (n - df + 0.5) / (df + 0.5))
            out[slots] += factor * tfs / (tfs + norm[slots])
        return out
