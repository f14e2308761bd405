"""Offline quality metrics for recommendation lists (beyond accuracy).

- variation: 1 − mean pairwise Jaccard of users' top-k lists (the plan's "variación entre
  usuarios"; 0 = everyone sees the same list). Pairs are sampled when there are many users.
- intra-list diversity: mean pairwise dissimilarity inside one list.
- coverage: share of the catalog that appears in at least one list.
- novelty: mean self-information −log2 p(i) of recommended items, p = popularity share.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from itertools import combinations

import numpy as np


def jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    sa, sb = set(a), set(b)
    union = sa | sb
    return len(sa & sb) / len(union) if union else 1.0


def variation(lists: Sequence[Sequence[str]], k: int = 10, max_pairs: int = 20000,
              seed: int = 7) -> float:
    tops = [list(lst)[:k] for lst in lists]
    if len(tops) < 2:
        return 0.0
    n_pairs = len(tops) * (len(tops) - 1) // 2
    if n_pairs <= max_pairs:
        pairs: Sequence[tuple[int, int]] = list(combinations(range(len(tops)), 2))
    else:
        rng = random.Random(seed)
        pairs = []
        while len(pairs) < max_pairs:
            i, j = rng.randrange(len(tops)), rng.randrange(len(tops))
            if i != j:
                pairs.append((i, j))
    return 1.0 - sum(jaccard(tops[i], tops[j]) for i, j in pairs) / len(pairs)


def intra_list_diversity(items: Sequence[str],
                         similarity: Callable[[str, str], float]) -> float:
    pairs = list(combinations(items, 2))
    if not pairs:
        return 0.0
    return sum(1.0 - similarity(a, b) for a, b in pairs) / len(pairs)


def coverage(lists: Sequence[Sequence[str]], catalog_size: int) -> float:
    shown = {i for lst in lists for i in lst}
    return len(shown) / catalog_size if catalog_size else 0.0


def novelty(lists: Sequence[Sequence[str]], counts: Mapping[str, float]) -> float:
    total = sum(counts.values())
    if total <= 0:
        return 0.0
    floor = 1.0 / total  # an item never seen counts as seen once
    values = [-math.log2(max(counts.get(i, 0.0) / total, floor)) for lst in lists for i in lst]
    return sum(values) / len(values) if values else 0.0


def hit_rate_ndcg(ranked: Sequence[str], relevant: set[str], k: int = 10) -> tuple[float, float]:
    """HR@k (any hit) and binary NDCG@k for one user."""
    top = list(ranked)[:k]
    dcg = sum(1.0 / math.log2(r + 2) for r, i in enumerate(top) if i in relevant)
    idcg = sum(1.0 / math.log2(r + 2) for r in range(min(len(relevant), k)))
    hit = 1.0 if any(i in relevant for i in top) else 0.0
    return hit, (dcg / idcg if idcg else 0.0)


def bootstrap_ci(values: Sequence[float], resamples: int = 200, seed: int = 7,
                 level: float = 0.95, baseline: Sequence[float] | None = None
                 ) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean of per-user `values` (users resampled with
    replacement); with `baseline` (same users, same order) the CI of the paired difference."""
    v = np.asarray(values, dtype=np.float64)
    if baseline is not None:
        v = v - np.asarray(baseline, dtype=np.float64)
    if v.size == 0:
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, v.size, size=(resamples, v.size))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    lo, hi = np.percentile(means, [tail, 100 - tail])
    return float(lo), float(hi)


def bootstrap_ratio_ci(values: Sequence[float], baseline: Sequence[float], resamples: int = 1000,
                       seed: int = 7, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap CI of mean(values) / mean(baseline) over the same users (paired:
    each resample draws users, not values)."""
    v = np.asarray(values, dtype=np.float64)
    b = np.asarray(baseline, dtype=np.float64)
    if v.size == 0:
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    draw = rng.integers(0, v.size, size=(resamples, v.size))
    den = b[draw].mean(axis=1)
    ratios = np.divide(v[draw].mean(axis=1), den, out=np.full(resamples, np.inf), where=den > 0)
    tail = (1 - level) / 2 * 100
    lo, hi = np.percentile(ratios, [tail, 100 - tail])
    return float(lo), float(hi)
