"""The demo interaction log's pickle cache: a cache written by an older InteractionLog (one
without a field added since) is parsed again instead of crashing the service on start."""

from __future__ import annotations

import gzip
import pickle
from pathlib import Path

from services.recommend import training
from services.recommend.domain import InteractionLog

CSV = (
    "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
    "489434,85048,HEART MUG,12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom\n"
    "489435,22041,RED CANDLE,4,2009-12-02 08:00:00,2.10,,France\n"
)


def source(tmp_path: Path) -> Path:
    path = tmp_path / "retail.csv.gz"
    path.write_bytes(gzip.compress(CSV.encode()))
    return path


def test_a_fresh_parse_is_cached_and_read_back(tmp_path: Path) -> None:
    csv = source(tmp_path)
    first = training.load_interactions(csv, tmp_path / "cache")
    assert first.items == ["85048", "22041"] and first.users == ["demo-13085", ""]
    assert list((tmp_path / "cache").glob("interactions_*.pickle"))
    assert training.load_interactions(csv, tmp_path / "cache").items == first.items


def test_a_cache_from_an_older_interaction_log_is_parsed_again(tmp_path: Path) -> None:
    csv = source(tmp_path)
    training.load_interactions(csv, tmp_path / "cache")
    (cache,) = (tmp_path / "cache").glob("interactions_*.pickle")
    old = InteractionLog(items=["stale"])
    del old.__dict__["purchases"]  # what unpickling a log written before the field existed gives
    cache.write_bytes(pickle.dumps(old))
    again = training.load_interactions(csv, tmp_path / "cache")
    assert again.items == ["85048", "22041"] and hasattr(again, "purchases")
