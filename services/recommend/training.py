"""Start-up training data: the demo interactions (UCI Online Retail II) as an `InteractionLog`.

Cleaned as in `tests/bench/bench_recs.py` (no cancellations, positive quantity and price, product
stock codes only) and mapped to catalog ids the way `libs/catalog/demo.py` derives them (stock
code upper-cased). The parsed log is cached as a pickle next to the demo catalog cache, keyed by
the source file's size and mtime, so a restart loads it in well under a second.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from pathlib import Path

from services.recommend.domain import InteractionLog

log = logging.getLogger(__name__)
CACHE_VERSION = "2"  # 2: InteractionLog gained `purchases`; an older pickle lacks it
# Countries of the data set → our market codes (the rest is sold internationally).
_EU = {"France", "Germany", "Spain", "Netherlands", "Belgium", "Portugal", "Italy", "Austria",
       "Denmark", "Sweden", "Finland", "Ireland", "Poland", "Greece", "Cyprus", "Malta",
       "Lithuania", "EIRE"}


def market_of(country: str) -> str:
    if country == "United Kingdom":
        return "UK"
    if country in _EU:
        return "EU"
    if country == "USA":
        return "US"
    return ""


def _parse(csv_path: Path) -> InteractionLog:
    import pandas as pd  # heavy: only when the cache is cold

    df = pd.read_csv(csv_path, dtype={"Invoice": str, "StockCode": str},
                     usecols=["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate",
                              "Price", "Customer ID", "Country"])
    df = df[~df["Invoice"].str.startswith("C") & (df["Quantity"] > 0) & (df["Price"] > 0)]
    df = df[df["StockCode"].str.match(r"^\d{5}", na=False) & df["Description"].notna()]
    times = pd.to_datetime(df["InvoiceDate"]).astype("int64") / 1e9
    users = df["Customer ID"].map(lambda v: "" if pd.isna(v) else f"demo-{int(v)}")
    countries = sorted(set(df["Country"]))
    markets = df["Country"].map({c: market_of(c) for c in countries})
    return InteractionLog(users=list(users), items=list(df["StockCode"].str.upper()),
                          baskets=list(df["Invoice"]), times=list(times),
                          weights=[1.0] * len(df), markets=list(markets))


def load_interactions(csv_path: Path, cache_dir: Path) -> InteractionLog:
    """The demo interaction log, from the cache when the source has not changed."""
    if not csv_path.exists():
        log.warning("no demo interactions at %s: popularity will be empty", csv_path)
        return InteractionLog()
    stat = csv_path.stat()
    key = hashlib.sha256(
        f"{CACHE_VERSION}:{csv_path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()
    ).hexdigest()[:16]
    cache = cache_dir / f"interactions_{key}.pickle"
    if cache.exists():
        with open(cache, "rb") as fh:
            loaded: InteractionLog = pickle.load(fh)
            return loaded
    interactions = _parse(csv_path)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(interactions, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(cache)
    return interactions
