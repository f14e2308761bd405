"""Scoring and printing for `bench_recs.py`: NDCG/HR per user, bootstrap CIs of every mean,
and for every ratio against a baseline the paired bootstrap CI of the ratio and of the
difference (same users resampled together)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from services.recommend.domain.metrics import (
    bootstrap_ci,
    bootstrap_ratio_ci,
    coverage,
    hit_rate_ndcg,
    variation,
)

RESAMPLES = 1000


def evaluate(ranked: Mapping[str, list[str]], truth: Mapping[str, set[str]], k: int,
             n_items: int) -> dict:
    users = list(truth)
    hits, ndcgs = zip(*(hit_rate_ndcg(ranked.get(u, []), truth[u], k) for u in users),
                      strict=True)
    lists = [ranked.get(u, [])[:k] for u in users]
    return {"HR": float(np.mean(hits)), "NDCG": float(np.mean(ndcgs)), "ndcgs": np.array(ndcgs),
            "coverage": coverage(lists, n_items), "variation": variation(lists, k)}


def table(title: str, results: Mapping[str, Mapping[str, list[str]]],
          truth: Mapping[str, set[str]], k: int, n_items: int, refs: list[str],
          ours: list[str]) -> dict[str, dict]:
    """One row per method; then, for each of `ours` against each of `refs`, the ratio of
    NDCG@k and the difference, both with paired 95% bootstrap CIs."""
    print(f"\n{title}")
    print(f"{'method':46s} {'HR@' + str(k):>6s} {'NDCG@' + str(k):>8s} {'95% CI':>17s} "
          f"{'cover':>6s} {'variation':>9s}")
    rows = {name: evaluate(ranked, truth, k, n_items) for name, ranked in results.items()}
    for name, r in rows.items():
        lo, hi = bootstrap_ci(r["ndcgs"], resamples=RESAMPLES)
        print(f"{name:46s} {r['HR']:6.3f} {r['NDCG']:8.4f} [{lo:.4f},{hi:.4f}] "
              f"{r['coverage']:6.3f} {r['variation']:9.3f}")
    for mine in ours:
        for ref in refs:
            a, b = rows[mine]["ndcgs"], rows[ref]["ndcgs"]
            ratio = rows[mine]["NDCG"] / rows[ref]["NDCG"] if rows[ref]["NDCG"] else float("inf")
            rlo, rhi = bootstrap_ratio_ci(a, b, resamples=RESAMPLES)
            dlo, dhi = bootstrap_ci(a, resamples=RESAMPLES, baseline=b)
            sign = "above 0" if dlo > 0 else "below 0" if dhi < 0 else "spans 0"
            print(f"  {mine} / {ref}: ratio {ratio:.2f} [{rlo:.2f},{rhi:.2f}]  "
                  f"Δ {a.mean() - b.mean():+.4f} [{dlo:+.4f},{dhi:+.4f}] ({sign})")
    return rows


def aim(label: str, ok: bool) -> str:
    return f"  aim {'REACHED' if ok else 'NOT reached'}: {label}"


def check_ratio(rows: dict[str, dict], mine: str, ref: str, floor: float) -> bool:
    """The ratio ≥ floor and the CI of the difference above zero."""
    a, b = rows[mine]["ndcgs"], rows[ref]["ndcgs"]
    dlo, _ = bootstrap_ci(a, resamples=RESAMPLES, baseline=b)
    return bool(b.mean() > 0 and a.mean() / b.mean() >= floor and dlo > 0)
