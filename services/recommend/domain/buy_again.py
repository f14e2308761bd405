"""The buy-again kind: the person's own past items, ranked by their own repeat cycle.

Why not "most bought, most recent first": a wholesaler re-orders tealights every two weeks and
doormats twice a year; both were bought three times, but only one of them is due. Each past item
gets the chance it is bought again within `horizon_days`:

    cycle   = the person's own mean gap ((last − first) / (orders − 1)) when they bought it at
              least twice, else the item's typical gap across all customers (`ItemCycles`)
    due     = 1 − exp(−horizon / cycle)        (a Poisson rate of one purchase per cycle)
    alive   = exp(−max(0, elapsed − slack·cycle) / (tau·cycle))   (overdue by far = stopped)
    repeat  = orders / (orders + prior) for repeat items; the item's repeat rate for one-offs
    score   = repeat · due · alive

The constants are chosen on the bench's validation split (`tests/bench/bench_recs.py`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from pydantic import BaseModel

from libs.profiles.model import Purchase

DAY = 86400.0


class BuyAgainConfig(BaseModel):
    horizon_days: float = 30.0
    tau: float = 2.0
    slack: float = 1.0
    prior: float = 1.0
    default_cycle_days: float = 60.0


@dataclass
class ItemCycles:
    """Per item, over every known customer: median days between two orders of it, and the
    share of its buyers who bought it again (NaN / 0 when nobody did)."""

    cycle_days: np.ndarray
    repeat_rate: np.ndarray

    @classmethod
    def empty(cls, n: int) -> ItemCycles:
        return cls(np.full(n, np.nan), np.zeros(n))

    @classmethod
    def fit(cls, users: Sequence[str], cols: Sequence[int], baskets: Sequence[str],
            times: np.ndarray, n: int) -> ItemCycles:
        """`cols` are item indices; rows of guests (user "") are skipped."""
        known = [k for k, u in enumerate(users) if u]
        if not known:
            return cls.empty(n)
        codes: dict[str, int] = {}
        u = np.array([codes.setdefault(users[k], len(codes)) for k in known], dtype=np.int64)
        i = np.asarray([cols[k] for k in known], dtype=np.int64)
        t = np.asarray(times, dtype=np.float64)[known]
        bcodes: dict[str, int] = {}
        b = np.array([bcodes.setdefault(baskets[k], len(bcodes)) for k in known], dtype=np.int64)
        # One row per (user, item, order): lines of one order are one purchase.
        _, first = np.unique(np.stack([u, i, b]), axis=1, return_index=True)
        u, i, t = u[first], i[first], t[first]
        order = np.lexsort((t, i, u))
        u, i, t = u[order], i[order], t[order]
        same = (u[1:] == u[:-1]) & (i[1:] == i[:-1])
        gaps = (t[1:] - t[:-1])[same] / DAY
        gap_items = i[1:][same]
        cycle = np.full(n, np.nan)
        if gaps.size:
            by_item = np.argsort(gap_items, kind="stable")
            items_sorted, gaps_sorted = gap_items[by_item], gaps[by_item]
            starts = np.flatnonzero(np.r_[True, items_sorted[1:] != items_sorted[:-1]])
            for s, e in zip(starts, np.r_[starts[1:], items_sorted.size], strict=True):
                cycle[items_sorted[s]] = float(np.median(gaps_sorted[s:e]))
        pair_start = np.r_[True, ~same]  # first order of each (user, item)
        buyers = np.bincount(i[pair_start], minlength=n).astype(np.float64)
        repeat_pairs = np.r_[same, False] & pair_start  # a pair whose next row is the same pair
        repeaters = np.bincount(i[repeat_pairs], minlength=n).astype(np.float64)
        rate = np.divide(repeaters, buyers, out=np.zeros(n), where=buyers > 0)
        return cls(cycle, rate)


def buy_again_scores(purchases: Sequence[Purchase], index: dict[str, int], cycles: ItemCycles,
                     now: datetime, cfg: BuyAgainConfig) -> dict[int, float]:
    """Item index → chance-like score that the person buys it again within the horizon."""
    known = cycles.cycle_days[np.isfinite(cycles.cycle_days)]
    fallback = float(np.median(known)) if known.size else cfg.default_cycle_days
    out: dict[int, float] = {}
    for p in purchases:
        i = index.get(p.product_id)
        if i is None:
            continue
        elapsed = max((now - p.at).total_seconds(), 0.0) / DAY
        own = None
        if p.orders >= 2 and p.first_at is not None and p.at > p.first_at:
            own = (p.at - p.first_at).total_seconds() / DAY / (p.orders - 1)
        population = cycles.cycle_days[i]
        cycle = own or (float(population) if np.isfinite(population) else fallback)
        cycle = max(cycle, 1.0)
        due = 1.0 - math.exp(-cfg.horizon_days / cycle)
        alive = math.exp(-max(0.0, elapsed - cfg.slack * cycle) / (cfg.tau * cycle))
        if p.orders >= 2:
            repeat = p.orders / (p.orders + cfg.prior)
        else:
            repeat = float(cycles.repeat_rate[i])
        out[i] = repeat * due * alive
    return out
