"""Similarity products Σ_h w_h · sim(h, ·), one request at a time or a whole batch at once.

`BatchScores` stacks every weighted history/anchor set of a batch as the rows of one sparse
matrix and multiplies it once by each similarity matrix it needs (one product per matrix instead
of one row-slice + matvec per request); identical weight sets are computed once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp

from services.recommend.domain.model import HybridModel

# (weights, matrix name) → scores over all items; matrix names are `HybridModel` attributes.
ScoreFn = Callable[[dict[int, float], str], np.ndarray]
MATRICES = ("related", "basket_sim", "user_sim", "content_sim")
Job = tuple[str, dict[int, float]]
# Most similarity-matrix cells densified at once per batch (float64: 8 bytes each).
DENSE_BUDGET = 2_000_000
# Output cells per block of requests: large fresh arrays cost more in page faults than they save.
CHUNK_CELLS = 65_536


def direct_scores(model: HybridModel) -> ScoreFn:
    def scores(weights: dict[int, float], name: str) -> np.ndarray:
        return model.scores_from(weights, getattr(model, name))

    return scores


def score_jobs(kind: str, intent: str | None, anchors: dict[int, float],
               basket: dict[int, float], history: dict[int, float]) -> list[Job]:
    """The products `Recommender` will ask for (base scores, then the intent signal).

    Only a prefetch list: a product it does not name is computed directly when asked for."""
    jobs: list[Job] = []
    if kind == "recently_viewed":
        return jobs
    if kind == "similar_items":
        jobs += [("content_sim", anchors), ("user_sim", anchors)]
    elif kind == "frequently_bought_together":
        jobs.append(("basket_sim", basket or anchors))
    elif kind == "recommended_for_you" and history:
        jobs.append(("related", history))
    seeds = anchors or history
    if intent == "purchase":
        jobs.append(("basket_sim", basket or seeds))
    elif intent == "comparison":
        last = dict(list(seeds.items())[-1:])
        jobs += [("content_sim", last), ("user_sim", last)]
    elif intent == "research":
        jobs.append(("content_sim", seeds))
    return jobs


def _key(name: str, weights: dict[int, float]) -> tuple[str, tuple[tuple[int, float], ...]]:
    return name, tuple(weights.items())


class BatchScores:
    """A `ScoreFn` whose answers were computed for the whole batch up front."""

    def __init__(self, model: HybridModel, jobs: Sequence[Job]) -> None:
        self.model = model
        self._direct = direct_scores(model)
        self._rows: dict[tuple[str, tuple[tuple[int, float], ...]], np.ndarray] = {}
        by_matrix: dict[str, dict[tuple[str, tuple[tuple[int, float], ...]], None]] = {}
        for name, weights in jobs:
            if weights and name in MATRICES:
                by_matrix.setdefault(name, {})[_key(name, weights)] = None  # dedup, keep order
        for name, keys in by_matrix.items():
            matrix = getattr(model, name)
            if matrix.shape[0] == 0:
                continue
            rows = list(keys)
            step = max(1, CHUNK_CELLS // max(matrix.shape[1], 1))
            for s in range(0, len(rows), step):  # small blocks: no huge fresh pages to fault in
                dense = _products(rows[s:s + step], matrix)
                for r, key in enumerate(rows[s:s + step]):
                    self._rows[key] = dense[r]

    def __call__(self, weights: dict[int, float], name: str) -> np.ndarray:
        row = self._rows.get(_key(name, weights)) if weights else None
        if row is None:
            return self._direct(weights, name)
        return row.copy()


def _products(keys: list[tuple[str, tuple[tuple[int, float], ...]]],
              matrix: sp.csr_matrix) -> np.ndarray:
    """Σ_h w_h · matrix[h] for every weight set: the rows of `matrix` the batch touches are
    densified once (one user's requests and popular anchors share them), then one sparse·dense
    product. scipy accumulates each output in the order of the weight set's own entries (kept
    unsorted), as `HybridModel.scores_from` does, so the rows equal the one-by-one scores."""
    indptr = np.zeros(len(keys) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(items) for _, items in keys])
    nnz = int(indptr[-1])
    cols = np.fromiter((i for _, items in keys for i, _ in items), dtype=np.int64, count=nnz)
    data = np.fromiter((w for _, items in keys for _, w in items), dtype=np.float64, count=nnz)
    used, local = np.unique(cols, return_inverse=True)
    if len(used) * matrix.shape[1] > DENSE_BUDGET:  # long histories: sparse·sparse instead
        dtype = matrix.indices.dtype  # same index type, or scipy copies `matrix` to widen it
        stacked = sp.csr_matrix((data, cols.astype(dtype), indptr.astype(dtype)),
                                shape=(len(keys), matrix.shape[0]))
        return np.asarray((stacked @ matrix).toarray())
    weights = sp.csr_matrix((data, local.reshape(-1), indptr), shape=(len(keys), len(used)))
    return np.asarray(weights @ matrix[used].toarray())
