"""The demo catalog derivation from Online Retail II rows, on a tiny CSV written for the test."""

from __future__ import annotations

import gzip
from pathlib import Path

from libs.catalog.demo import build_demo_products, clean_title, demo_catalog_path, read_jsonl
from libs.catalog.keywords import categorize, options_for
from libs.catalog.synthetic import synthetic_catalog

ROWS = """Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country
1,85123A,WHITE HANGING HEART T-LIGHT HOLDER,600,2010-01-01,2.55,1,United Kingdom
2,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-01-02,2.95,1,United Kingdom
3,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-01-02,2.95,2,France
C4,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-6,2010-01-03,9.99,2,France
5,37330,  SPOTS MUG ,10,2010-01-04,1.95,3,Spain
6,POST,POSTAGE,1,2010-01-04,18.00,3,Spain
7,M,Manual,1,2010-01-04,5.00,3,Spain
8,22222,,5,2010-01-04,1.00,3,Spain
9,33333,damaged,-5,2010-01-04,0.00,3,Spain
10,44444,ADJUST BAD DEBT,1,2010-01-04,-10.00,3,Spain
"""


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "retail.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(ROWS)
    return path


def test_one_product_per_real_stock_code(tmp_path: Path) -> None:
    products = {p.id: p for p in build_demo_products(_csv(tmp_path))}
    assert set(products) == {"85123A", "37330"}  # POST, M, nan, zero/negative prices skipped
    heart = products["85123A"]
    assert heart.title.en == "White Hanging Heart T-light Holder"
    assert heart.variants[0].price == 295  # most common positive price, not the first one
    assert heart.variants[0].stock == 612 // 25  # from units sold, cancellations ignored
    assert heart.category == "candles" and heart.markets == ["UK", "EU"]
    assert heart.handle == "white-hanging-heart-t-light-holder-85123a"
    mug = products["37330"]
    assert mug.title.en == "Spots Mug" and mug.category == "mugs"
    assert mug.title.es == "Spots taza" and mug.title.fr == "Spots tasse"
    assert mug.variants[0].stock == 0 and mug.vendor == "Museo"


def test_cache_file_is_reused(tmp_path: Path) -> None:
    csv = _csv(tmp_path)
    first = demo_catalog_path(tmp_path / "cache", csv)
    mtime = first.stat().st_mtime_ns
    second = demo_catalog_path(tmp_path / "cache", csv)
    assert first == second and second.stat().st_mtime_ns == mtime
    assert [p.id for p in read_jsonl(first)] == ["37330", "85123A"]


def test_keyword_rules() -> None:
    assert clean_title("  PAPER CHAIN KIT 50'S CHRISTMAS , ") == "Paper Chain Kit 50's Christmas"
    assert categorize("RED RETROSPOT LUNCH BAG") == "bags"
    assert categorize("ASSORTED COLOUR BIRD ORNAMENT") == "ornaments"
    assert categorize("INFLATABLE POLITICAL GLOBE") == "other"
    assert options_for("JUMBO BAG PINK POLKADOT") == {"colour": "pink", "size": "jumbo"}


def test_synthetic_catalog_is_deterministic() -> None:
    first = [p.model_dump() for p in synthetic_catalog(50, seed=3)]
    assert first == [p.model_dump() for p in synthetic_catalog(50, seed=3)]
    assert len({p["id"] for p in first}) == 50
