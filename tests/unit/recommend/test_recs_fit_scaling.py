"""Chunked top-k content neighbours equal brute force; refits are debounced, run off the event
loop and swap the model atomically."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest
import scipy.sparse as sp

import services.recommend.runtime as runtime_mod
from services.recommend.domain import InteractionLog
from services.recommend.domain.content import content_neighbours
from services.recommend.runtime import RecommendRuntime


def _random_tfidf(n: int, v: int, seed: int) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    x = sp.random(n, v, density=0.06, random_state=rng, format="csr", dtype=np.float32)
    x.data = rng.random(x.nnz, dtype=np.float32) + 0.01
    common = sp.csr_matrix(rng.random((n, 3), dtype=np.float32) * 0.3)  # in every row
    x = sp.hstack([common, x]).tocsr()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(1.0 / np.maximum(norms, 1e-9)) @ x)


@pytest.mark.parametrize("budget", [1e12, 3000.0, 0.0])  # exact product / shortlist / brute
def test_chunked_topk_matches_brute_force(budget: float) -> None:
    x, k = _random_tfidf(240, 60, seed=3), 7
    dense = (x @ x.T).toarray()
    np.fill_diagonal(dense, -1.0)
    got = content_neighbours(x, k, chunk=37, budget=budget, brute_limit=10_000, shortlist=2)
    assert got.shape == (240, 240) and (got.getnnz(axis=1) <= k).all()
    for i in range(240):
        want = np.sort(dense[i][dense[i] > 0])[::-1][:k]
        row = got[i]
        assert i not in set(row.indices)
        np.testing.assert_allclose(np.sort(row.data)[::-1], want, rtol=1e-5)
        np.testing.assert_allclose(row.data, dense[i, row.indices], rtol=1e-5)


def test_empty_and_tiny_inputs() -> None:
    assert content_neighbours(sp.csr_matrix((0, 5), dtype=np.float32), 5).shape == (0, 0)
    one = content_neighbours(sp.csr_matrix(np.ones((1, 3), dtype=np.float32)), 5)
    assert one.nnz == 0


class _SlowModel:
    """Stands in for HybridModel: a fit that holds a worker thread for a while."""

    fitted: list[int] = []

    def __init__(self, config: object) -> None:
        self.n = 0

    def fit(self, log: object, catalog: list[object], now: float) -> _SlowModel:
        time.sleep(0.4)
        self.n = len(catalog)
        _SlowModel.fitted.append(self.n)
        return self


async def test_refit_debounced_off_loop_and_swapped(monkeypatch: pytest.MonkeyPatch) -> None:
    from libs.contracts.catalog import LocalizedText, Product, Variant

    monkeypatch.setattr(runtime_mod, "HybridModel", _SlowModel)
    monkeypatch.setattr(runtime_mod, "Recommender", lambda model, cfg: model)
    _SlowModel.fitted = []
    rt = RecommendRuntime(store=None, interactions=InteractionLog(),  # type: ignore[arg-type]
                          refit_delay_s=0.15)

    def product(i: int) -> Product:
        return Product(id=f"p{i}", handle=f"p{i}", title=LocalizedText(en=f"P {i}"),
                       category="x", variants=[Variant(sku=f"p{i}", price=100, stock=1)])

    rt.on_catalog_change("p0", product(0))
    await rt.start()
    first = rt.recommender
    assert _SlowModel.fitted == [1]
    # A burst of changes (an import): spread over longer than the quiet period would be if it
    # were measured from the first change, yet it is one refit after the burst.
    for i in range(1, 301):
        rt.on_catalog_change(f"p{i}", product(i))
        if i % 50 == 0:
            await asyncio.sleep(0.05)
    ticks: list[float] = []

    async def ticker() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    tick_task = asyncio.create_task(ticker())
    deadline = time.monotonic() + 5
    while len(_SlowModel.fitted) < 2 and time.monotonic() < deadline:
        assert rt.recommender is first  # requests keep the old model while it refits
        await asyncio.sleep(0.02)
    while rt.recommender is first and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.5)  # no further refit without further changes
    tick_task.cancel()
    await rt.stop()
    assert _SlowModel.fitted == [1, 301]
    assert rt.recommender is not first and rt.recommender.n == 301  # type: ignore[union-attr]
    gaps = np.diff(ticks)
    assert len(ticks) > 40 and gaps.max() < 0.2  # the loop kept ticking during the 0.4 s fit


def test_refit_due_max_delay() -> None:
    rt = RecommendRuntime(store=None, interactions=InteractionLog(),  # type: ignore[arg-type]
                          refit_delay_s=10.0, refit_max_delay_s=30.0)
    assert not rt.refit_due(time.monotonic())
    rt.on_catalog_change("a", None)
    t0 = rt._dirty_since or 0.0
    assert not rt.refit_due(t0 + 5)
    rt._changed_at = t0 + 25  # still changing...
    assert not rt.refit_due(t0 + 29) and rt.refit_due(t0 + 31)  # ...but not refitted forever
