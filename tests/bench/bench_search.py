"""Search latency on the demo catalog and a 100k-product synthetic catalog.

Run: `.venv/bin/python tests/bench/bench_search.py [--n 100000] [--cache-dir .cache/catalog]`.
Prints catalog build time, index build time and p50/p95/max query latency for a mix of en/es/fr
queries (some with typos, some with filters). Not collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from libs.catalog.demo import load_demo_catalog, synthetic_catalog  # noqa: E402
from services.mcp_workers.storefront.search import CatalogSearch, SearchFilters  # noqa: E402

QUERIES: list[tuple[str, str, SearchFilters | None]] = [
    ("heart mug", "en", None), ("red bag", "en", None), ("christmas lights", "en", None),
    ("vintage paris poster", "en", None), ("ceramik bowl", "en", None),
    ("candle holder", "en", SearchFilters(available=True, region="US")),
    ("tazas", "es", None), ("bolsa roja", "es", None), ("luces de navidad", "es", None),
    ("corazón", "es", SearchFilters(price_max=500)), ("vela", "es", None),
    ("tasse", "fr", None), ("sac rouge", "fr", None), ("bougie", "fr", None),
    ("lumières de noël", "fr", SearchFilters(category="lights")), ("cœur blanc", "fr", None),
    ("garden", "en", SearchFilters(category="garden", available=True)),
    ("jumbo", "en", None), ("star", "en", None), ("wooden toy", "en", None),
]


def bench(name: str, products: list, rounds: int) -> None:  # type: ignore[type-arg]
    start = time.perf_counter()
    search = CatalogSearch(products)
    build = time.perf_counter() - start
    for query, lang, filters in QUERIES:  # warm caches (stemmer lru, glossary)
        search.search(query, lang, filters)
    timings: list[float] = []
    for _ in range(rounds):
        for query, lang, filters in QUERIES:
            t0 = time.perf_counter()
            search.search(query, lang, filters, limit=10)
            timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"{name}: {len(products)} products, index build {build:.2f}s, "
          f"{len(timings)} queries: p50 {statistics.median(timings):.2f} ms, "
          f"p95 {p95:.2f} ms, max {timings[-1]:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--cache-dir", default=".cache/catalog")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    start = time.perf_counter()
    demo = list(load_demo_catalog(args.cache_dir))
    print(f"demo catalog load (cached after first build): {time.perf_counter() - start:.2f}s")
    bench("demo", demo, args.rounds)
    start = time.perf_counter()
    synthetic = list(synthetic_catalog(args.n, seed=7))
    print(f"synthetic catalog generation: {time.perf_counter() - start:.2f}s")
    bench("synthetic", synthetic, max(1, args.rounds // 2))


if __name__ == "__main__":
    main()
