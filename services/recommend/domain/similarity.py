"""Item-item similarity builders on sparse matrices (scipy), pruned to the top-k per item.

Pruning keeps memory linear in the catalog (k neighbours per item) instead of quadratic, and
makes scoring a user a sparse row-slice plus a small mat-vec.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer


def incidence(rows: Sequence[int], cols: Sequence[int], n_rows: int, n_cols: int,
              values: Sequence[float] | None = None, binary: bool = True) -> sp.csr_matrix:
    """(row entity × item) matrix; duplicates summed, or clipped to 1 when `binary`."""
    data = np.ones(len(rows), dtype=np.float32) if values is None else np.asarray(
        values, dtype=np.float32)
    m = sp.csr_matrix((data, (np.asarray(rows), np.asarray(cols))), shape=(n_rows, n_cols))
    m.sum_duplicates()
    if binary:
        m.data[:] = 1.0
    return m


def cosine_cooccurrence(m: sp.csr_matrix, shrink: float = 0.0) -> sp.csr_matrix:
    """Cosine of item columns: |A∩B| / (sqrt|A|·sqrt|B| + shrink); shrink damps rare pairs."""
    co = (m.T @ m).tocsr().astype(np.float32)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=0)).ravel()).astype(np.float32)
    co.setdiag(0)
    co.eliminate_zeros()
    coo = co.tocoo()
    denom = norms[coo.row] * norms[coo.col] + shrink
    coo.data = coo.data / np.maximum(denom, 1e-9)
    return coo.tocsr()


def bm25_weight(m: sp.csr_matrix, k1: float = 1.2, b: float = 0.75) -> sp.csr_matrix:
    """BM25-weight a (user × item) count matrix: saturate repeat counts (k1), damp users with
    long histories (b) and weight items by idf, so a wholesaler's 500-line history or a
    best-seller does not dominate the co-occurrence of everyone else."""
    m = m.tocsr().astype(np.float32, copy=True)
    if m.nnz == 0:
        return m
    df = np.bincount(m.indices, minlength=m.shape[1])
    idf = np.log(m.shape[0] / (1.0 + df)).astype(np.float32)
    lengths = np.diff(m.indptr).astype(np.float32)
    rel = np.repeat(lengths / max(float(lengths.mean()), 1e-9), np.diff(m.indptr))
    m.data = m.data * (k1 + 1) / (k1 * (1 - b + b * rel) + m.data) * np.maximum(idf[m.indices], 0)
    m.eliminate_zeros()
    return m


def prune_topk(m: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Keep the k largest entries of each row."""
    m = m.tocsr()
    indptr, indices, data = [0], [], []
    for r in range(m.shape[0]):
        start, end = m.indptr[r], m.indptr[r + 1]
        row_d, row_i = m.data[start:end], m.indices[start:end]
        if len(row_d) > k:
            keep = np.argpartition(-row_d, k)[:k]
            row_d, row_i = row_d[keep], row_i[keep]
        indices.append(row_i)
        data.append(row_d)
        indptr.append(indptr[-1] + len(row_d))
    cat_i = np.concatenate(indices) if indices else np.array([], dtype=np.int32)
    cat_d = np.concatenate(data) if data else np.array([], dtype=np.float32)
    return sp.csr_matrix((cat_d, cat_i, np.asarray(indptr)), shape=m.shape)


def tfidf_vectors(texts: Sequence[str]) -> sp.csr_matrix:
    """L2-normalised TF-IDF (words + bigrams), so a dot product is the cosine."""
    if not any(t.strip() for t in texts):
        return sp.csr_matrix((len(texts), 1), dtype=np.float32)
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True,
                          token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b")
    return vec.fit_transform(texts).astype(np.float32).tocsr()
