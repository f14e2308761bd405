"""Top-k content neighbours (TF-IDF cosine) in time and memory that grow ~linearly with the catalog.

The naive `x @ x.T` is quadratic: a term present in most products (the vendor, "product", a
category word) makes every pair a candidate, so a 30k catalog produced ~900M similarity entries.
Here candidates come only from an inverted index over the *rarer* terms (document frequency up
to a cap chosen so that Σ df² stays within a budget); each candidate pair is then scored with the
full vectors (rare part from the sparse product, common part added pair by pair), so a kept score
is the exact cosine. A pair sharing only common terms scores at most ‖x_i,common‖ (unit rows), so
a row whose k-th candidate already beats that bound has its exact top-k; the few rows that do not
(or with < k candidates) are recomputed by brute force, up to `brute_limit` rows. Row chunks keep
only k entries per row, so peak memory is bounded by the chunk's candidates, not n².
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

PAIR_BUDGET = 3e8  # Σ df² over candidate terms: the candidate pairs over the whole catalog


def df_cap(df: np.ndarray, budget: float = PAIR_BUDGET) -> int:
    """Largest document frequency such that terms at or below it give ≤ `budget` pairs."""
    if df.size == 0:
        return 0
    values = np.sort(df.astype(np.float64))
    within = np.cumsum(values ** 2) <= budget
    if within.all():
        return int(values[-1])
    return int(values[np.argmin(within) - 1]) if within.any() else 0


def topk_mask(indptr: np.ndarray, vals: np.ndarray, k: int) -> np.ndarray:
    """Mask of the k largest positive values of each CSR row (an argpartition per long row)."""
    lengths = np.diff(indptr)
    keep = np.repeat(lengths <= k, lengths)
    for r in np.flatnonzero(lengths > k):
        s = indptr[r]
        keep[s + np.argpartition(-vals[s:indptr[r + 1]], k - 1)[:k]] = True
    return keep & (vals > 0)


def _pair_dots(x: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """x[rows[p]] · x[cols[p]] for every pair p."""
    if rows.size == 0 or x.nnz == 0:
        return np.zeros(rows.size, dtype=np.float32)
    return np.asarray(x[rows].multiply(x[cols]).sum(axis=1), dtype=np.float32).ravel()


def brute_topk(x: sp.csr_matrix, k: int, rows: np.ndarray | None = None,
               chunk: int = 256) -> sp.csr_matrix:
    """Exact top-k cosine neighbours of `rows` (default: all) by full products, in chunks."""
    n = x.shape[0]
    todo = np.arange(n) if rows is None else np.asarray(rows)
    out_r, out_c, out_v = [], [], []
    xt = x.T.tocsr()
    for s in range(0, todo.size, chunk):
        part = todo[s:s + chunk]
        sims = (x[part] @ xt).tocsr()
        r = part[np.repeat(np.arange(part.size), np.diff(sims.indptr))]
        vals = np.where(r == sims.indices, -1.0, sims.data)  # not its own neighbour
        keep = topk_mask(sims.indptr, vals, k)
        out_r.append(r[keep])
        out_c.append(sims.indices[keep])
        out_v.append(vals[keep])
    return _csr(out_r, out_c, out_v, n)


def content_neighbours(x: sp.csr_matrix, k: int, chunk: int = 2048,
                       budget: float = PAIR_BUDGET, brute_limit: int = 500,
                       shortlist: int = 4) -> sp.csr_matrix:
    """Top-k cosine neighbours of every row of L2-normalised `x` (an item is not its own)."""
    x = x.tocsr().astype(np.float32)
    n = x.shape[0]
    if n == 0 or k <= 0:
        return sp.csr_matrix((n, n), dtype=np.float32)
    df = np.bincount(x.indices, minlength=x.shape[1])
    rare = df <= df_cap(df, budget)
    x_rare, x_common = x[:, np.flatnonzero(rare)].tocsr(), x[:, np.flatnonzero(~rare)].tocsr()
    bound = np.sqrt(np.asarray(x_common.multiply(x_common).sum(axis=1)).ravel())
    rare_t = x_rare.T.tocsr()
    out_r, out_c, out_v = [], [], []
    kth = np.zeros(n, dtype=np.float32)
    lost = np.zeros(n, dtype=np.float32)
    count = np.zeros(n, dtype=np.int64)
    for start in range(0, n, chunk):
        block = (x_rare[start:start + chunk] @ rare_t).tocsr()
        size = block.shape[0]
        rows = start + np.repeat(np.arange(size), np.diff(block.indptr))
        cols = block.indices.astype(np.int64)
        part = np.where(rows == cols, -1.0, block.data)  # an item is not its own neighbour
        # Shortlist by the rare-term score, then rescore the shortlist with the full cosine.
        short = topk_mask(block.indptr, part, shortlist * k)
        rows, cols, part = rows[short], cols[short], part[short].astype(np.float32)
        floor = np.full(size, np.inf, dtype=np.float32)
        np.minimum.at(floor, rows - start, part)
        full = np.diff(block.indptr) > shortlist * k
        lost[start:start + size] = np.where(full, floor, 0.0)  # best rare score left out
        vals = part + _pair_dots(x_common, rows, cols)
        indptr = np.searchsorted(rows - start, np.arange(size + 1))
        keep = topk_mask(indptr, vals, k)
        rows, cols, vals = rows[keep], cols[keep], vals[keep]
        count[start:start + size] = np.bincount(rows - start, minlength=size)
        kth_block = np.full(size, np.inf, dtype=np.float32)
        np.minimum.at(kth_block, rows - start, vals)
        kth[start:start + size] = np.where(np.isinf(kth_block), 0.0, kth_block)
        out_r.append(rows)
        out_c.append(cols)
        out_v.append(vals)
    # Rows whose exact top-k might include a pair sharing only common terms.
    # Upper bound of any pair left out: rare part ≤ `lost` (shortlist), common part ≤ `bound`.
    limit = bound + lost
    unsure = np.flatnonzero((limit > 1e-6) & ((count < k) | (kth < limit)))
    unsure = unsure[np.argsort(-(limit[unsure] - kth[unsure]), kind="stable")][:brute_limit]
    result = _csr(out_r, out_c, out_v, n)
    if unsure.size:
        exact = brute_topk(x, k, np.sort(unsure))
        keep = np.ones(n, dtype=bool)
        keep[unsure] = False
        result = (sp.diags(keep.astype(np.float32)) @ result + exact).tocsr()
    result.eliminate_zeros()
    return result


def _csr(rows: list[np.ndarray], cols: list[np.ndarray], vals: list[np.ndarray],
         n: int) -> sp.csr_matrix:
    if not rows:
        return sp.csr_matrix((n, n), dtype=np.float32)
    m = sp.csr_matrix((np.concatenate(vals).astype(np.float32),
                       (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    m.sum_duplicates()
    return m
