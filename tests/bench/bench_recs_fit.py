"""Fit time and peak memory of the recommender's HybridModel (TUNED_MODEL) on big catalogs.
Run: .venv/bin/python tests/bench/bench_recs_fit.py [4043 30000 100000]
Catalog = the demo catalog (4,043 products, the ones the demo interactions are about) padded
with `synthetic_catalog(n - 4043, seed=11)`, fitted on the demo interactions (UCI Online Retail
II). Each size runs in a fresh process so ru_maxrss is that fit's own; tracemalloc gives the
peak of Python/numpy allocations during the fit alone."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DATA = ROOT / ".local" / "data"


def one(n: int) -> dict[str, float]:
    from libs.catalog.demo import DEFAULT_CSV, load_demo_catalog, synthetic_catalog
    from services.recommend.domain import TUNED_MODEL, HybridModel
    from services.recommend.training import load_interactions

    log = load_interactions(DEFAULT_CSV, DATA / "recommend")
    demo = list(load_demo_catalog(DATA / "catalog"))[:n]
    catalog = demo + list(synthetic_catalog(max(0, n - len(demo)), seed=11))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    started = time.perf_counter()
    model = HybridModel(TUNED_MODEL).fit(log, catalog, max(log.times))
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"products": model.n_items, "fit_s": round(seconds, 1),
            "traced_peak_mb": round(peak / 2**20), "rss_before_mb": round(rss_before),
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "content_nnz": model.content_sim.nnz}


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(one(int(sys.argv[2]))))
        return
    sizes = [int(a) for a in sys.argv[1:]] or [4043, 30000, 100000]
    print(f"{'products':>9s} {'fit s':>7s} {'traced peak MB':>15s} {'max RSS MB':>11s}"
          f" {'(RSS before fit)':>17s}")
    for n in sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(n)], check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()[-1]
        r = json.loads(out)
        print(f"{r['products']:9d} {r['fit_s']:7.1f} {r['traced_peak_mb']:15d} "
              f"{r['max_rss_mb']:11d} {r['rss_before_mb']:17d}")


if __name__ == "__main__":
    main()
