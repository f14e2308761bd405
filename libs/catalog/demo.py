"""The demo catalog, built from real retail data.

Source: UCI Machine Learning Repository, "Online Retail II" (dataset 502, Daqing Chen,
DOI 10.24432/C5CG6D), licence CC BY 4.0 — the "Year 2009-2010" sheet: every transaction of a
UK online gift-ware retailer from 2009-12-01 to 2010-12-09. We use it so that search, baskets
and Q&A meet real, messy product names rather than lorem ipsum.

One product per stock code: the most common description becomes the title, the most common
positive unit price (on non-cancelled lines) becomes the price, the units sold give a stock
level (low sellers end up out of stock, which exercises the availability paths), and keyword
rules give category, tags and colour/size options. Candles are sold in UK/EU markets only
(carriers restrict flammable goods), so market filters have something to filter.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from libs.catalog.glossary import CATEGORY_LABELS, translate_title
from libs.catalog.keywords import categorize, options_for, tags_for
from libs.catalog.synthetic import synthetic_catalog
from libs.contracts.catalog import LocalizedText, Product, Variant

__all__ = [
    "DEFAULT_CSV", "SHARED_DATA", "build_demo_products", "demo_catalog_path", "load_demo_catalog",
    "read_jsonl", "slugify", "synthetic_catalog", "write_jsonl",
]

# The project's shared data folder sits next to the repository (`../shared/data`).
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
DEFAULT_CSV = SHARED_DATA / "online_retail_ii_2009_2010.csv.gz"
BUILD_VERSION = "1"  # bump when the derivation changes, so cached files are rebuilt
_PRODUCT_CODE = re.compile(r"^\d{5}[A-Za-z]{0,3}$")  # POST, DOT, M, BANK CHARGES, C2... fail
_SLUG_RE = re.compile(r"[^a-z0-9]+")
_CANDLE_MARKETS = ["UK", "EU"]


def slugify(text: str) -> str:
    return _SLUG_RE.sub("-", text.lower()).strip("-")


def clean_title(description: str) -> str:
    """'  WHITE HANGING HEART T-LIGHT HOLDER, ' -> 'White Hanging Heart T-light Holder'."""
    text = re.sub(r"\s+", " ", description).strip(" ,.;*+")
    return " ".join(w.capitalize() if w.isalpha() or "-" in w else w.lower() for w in text.split())


def _aggregate(csv_path: Path) -> list[tuple[str, str, float, int]]:
    """(stock code, description, modal price in GBP, units sold) per product stock code."""
    import pandas as pd  # heavy import: only when actually building

    df = pd.read_csv(
        csv_path,
        usecols=["StockCode", "Description", "Quantity", "Price"],
        dtype={"StockCode": str, "Description": str},
    )
    df = df[df["StockCode"].str.match(_PRODUCT_CODE.pattern, na=False)]
    df = df[(df["Quantity"] > 0) & (df["Price"] > 0)]
    df = df[df["Description"].notna() & (df["Description"].str.strip().str.lower() != "nan")]
    df = df[df["Description"].str.upper() == df["Description"]]  # lower-case = stock notes
    df["StockCode"] = df["StockCode"].str.upper()
    desc = df.groupby(["StockCode", "Description"]).size().reset_index(name="n")
    desc = desc.sort_values(["StockCode", "n"], ascending=[True, False])
    desc = desc.drop_duplicates("StockCode")
    price = df.groupby(["StockCode", "Price"]).size().reset_index(name="n")
    price = price.sort_values(["StockCode", "n", "Price"], ascending=[True, False, True])
    price = price.drop_duplicates("StockCode")
    units = df.groupby("StockCode")["Quantity"].sum()
    merged = desc.merge(price, on="StockCode", suffixes=("_d", "_p"))
    return [
        (code, str(d), float(p), int(units[code]))
        for code, d, p in zip(merged["StockCode"], merged["Description"], merged["Price"],
                              strict=True)
    ]


def _product(code: str, description: str, price_gbp: float, units: int) -> Product:
    title = clean_title(description)
    category = categorize(description)
    labels = CATEGORY_LABELS[category]
    title_es, title_fr = translate_title(title, "es"), translate_title(title, "fr")
    return Product(
        id=code,
        handle=f"{slugify(title)}-{code.lower()}",
        title=LocalizedText(en=title, es=title_es, fr=title_fr),
        description=LocalizedText(
            en=f"{title}. {labels[0].capitalize()} from the Museo shop; {units} sold last year.",
            es=f"{title_es or title}. {labels[1].capitalize()} de la tienda Museo.",
            fr=f"{title_fr or title}. {labels[2].capitalize()} de la boutique Museo.",
        ),
        category=category,
        tags=tags_for(description),
        vendor="Museo",
        variants=[Variant(sku=code, options=options_for(description),
                          price=round(price_gbp * 100), stock=min(999, units // 25))],
        currency="GBP",
        markets=list(_CANDLE_MARKETS) if category == "candles" else [],
    )


def build_demo_products(csv_path: Path = DEFAULT_CSV) -> Iterator[Product]:
    """Products straight from the CSV (about 4,000; a few seconds)."""
    for code, description, price, units in _aggregate(Path(csv_path)):
        if clean_title(description):
            yield _product(code, description, price, units)


def write_jsonl(products: Iterable[Product], path: str | Path) -> int:
    """Write one Product JSON per line (atomically); returns the count."""
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    count = 0
    with open(tmp, "w", encoding="utf-8") as fh:
        for product in products:
            fh.write(product.model_dump_json(exclude_none=True) + "\n")
            count += 1
    tmp.replace(path)
    return count


def read_jsonl(path: str | Path) -> Iterator[Product]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield Product.model_validate_json(line)


def demo_catalog_path(cache_dir: str | Path, csv_path: Path = DEFAULT_CSV) -> Path:
    """Build the demo catalog JSONL once; later calls return the cached file.

    The cache key covers the source file's size and mtime and BUILD_VERSION, so a new data file
    or a change to the derivation rebuilds it.
    """
    csv_path = Path(csv_path)
    stat = csv_path.stat()
    key = hashlib.sha256(
        f"{BUILD_VERSION}:{csv_path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()
    ).hexdigest()[:16]
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"demo_catalog_{key}.jsonl"
    if not target.exists():
        write_jsonl(build_demo_products(csv_path), target)
    return target


def load_demo_catalog(cache_dir: str | Path, csv_path: Path = DEFAULT_CSV) -> Iterator[Product]:
    """The demo catalog as Products, from the cache (built first if needed)."""
    return read_jsonl(demo_catalog_path(cache_dir, csv_path))
