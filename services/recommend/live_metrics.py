"""Personalisation quality exported live (Prometheus gauges) over a window of recent answers:
variation between users, intra-list diversity, catalog coverage and novelty."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Mapping, Sequence

import numpy as np
from prometheus_client import Gauge

from services.recommend.domain.metrics import coverage, novelty, variation
from services.recommend.domain.model import HybridModel

VARIATION = Gauge("museo_recs_variation", "1 - mean pairwise Jaccard of users' lists (window)")
DIVERSITY = Gauge("museo_recs_intra_list_diversity", "Mean content dissimilarity inside a list")
COVERAGE = Gauge("museo_recs_catalog_coverage", "Share of the catalog shown in the window")
NOVELTY = Gauge("museo_recs_novelty", "Mean self-information -log2 p(item) of shown items")
WINDOW = Gauge("museo_recs_window_lists", "Lists in the metrics window")


class LiveMetrics:
    def __init__(self, window: int = 500, every_s: float = 2.0) -> None:
        self.by_user: OrderedDict[str, list[str]] = OrderedDict()
        self.diversity: deque[float] = deque(maxlen=window)
        self.window = window
        self.every_s = every_s
        self._last = 0.0
        self.values: dict[str, float] = {}

    def observe(self, model: HybridModel, user: str | None, items: Sequence[str]) -> None:
        if not items:
            return
        key = user or f"anon-{len(self.by_user)}-{time.monotonic_ns()}"
        self.by_user.pop(key, None)
        self.by_user[key] = list(items)
        while len(self.by_user) > self.window:
            self.by_user.popitem(last=False)
        idx = [model.index[i] for i in items if i in model.index]
        if len(idx) > 1:
            sim = model.pairwise_content(idx)
            n = len(idx)
            self.diversity.append(float(1.0 - (sim.sum() - np.trace(sim)) / (n * (n - 1))))

    def publish(self, model: HybridModel, counts: Mapping[str, float], force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.every_s:
            return
        self._last = now
        lists = list(self.by_user.values())
        self.values = {
            "variation": variation(lists, max_pairs=2000),
            "intra_list_diversity": float(np.mean(self.diversity)) if self.diversity else 0.0,
            "coverage": coverage(lists, model.n_items),
            "novelty": novelty(lists, counts),
        }
        VARIATION.set(self.values["variation"])
        DIVERSITY.set(self.values["intra_list_diversity"])
        COVERAGE.set(self.values["coverage"])
        NOVELTY.set(self.values["novelty"])
        WINDOW.set(len(lists))
