"""Import benchmark: a generated Shopify-format CSV (default 100,000 rows) -> rows/s and memory.

Run: .venv/bin/python tests/bench/bench_import.py [--rows 100000] [--variants 4]
Pass 1 measures throughput with no tracing; pass 2 repeats under tracemalloc to show the
importer's peak Python allocation stays flat (streaming), not proportional to the file.
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from services.mcp_workers.admin.importer import import_file
from services.mcp_workers.admin.models import ImportProgress

HEADER = [
    "Handle",
    "Title",
    "Body (HTML)",
    "Vendor",
    "Type",
    "Tags",
    "Published",
    "Option1 Name",
    "Option1 Value",
    "Option2 Name",
    "Option2 Value",
    "Variant SKU",
    "Variant Inventory Qty",
    "Variant Price",
    "Image Src",
    "Status",
]
SIZES = ["30x40 cm", "50x70 cm", "A3", "A2", "A1", "60x90 cm"]


def write_csv(path: Path, rows: int, variants: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for n in range(rows):
            product, variant = divmod(n, variants)
            handle = f"artwork-{product:06d}"
            first = variant == 0
            out.writerow(
                [
                    handle,
                    f"Artwork {product} Poster" if first else "",
                    f"<p>Print of <b>artwork {product}</b> &amp; friends.</p>" if first else "",
                    "Museo" if first else "",
                    "Prints" if first else "",
                    "poster, art" if first else "",
                    "TRUE" if first else "",
                    "Size" if first else "",
                    SIZES[variant % len(SIZES)],
                    "Frame" if first else "",
                    "Oak" if variant % 2 else "None",
                    f"{handle.upper()}-{variant}",
                    str(variant * 3),
                    f"{19 + variant}.90",
                    f"https://cdn.example/{handle}.jpg" if first else "",
                    "active" if first else "",
                ]
            )


def run(path: Path) -> tuple[float, int, int]:
    written = 0

    def sink(_: object) -> None:
        nonlocal written
        written += 1

    last: list[ImportProgress] = []
    start = time.perf_counter()
    report = import_file(
        path, {}, sink, progress=lambda p: last.append(p) if not last else last.__setitem__(0, p)
    )
    elapsed = time.perf_counter() - start
    assert report.errors_total == 0, report.errors[:3]
    assert last and last[0].fraction == 1.0
    return elapsed, report.rows_total, written


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--variants", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "shopify_export.csv"
        write_csv(path, args.rows, args.variants)
        size_mb = path.stat().st_size / 1e6
        elapsed, rows, products = run(path)
        tracemalloc.start()
        run(path)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"file: {rows:,} rows, {products:,} products, {size_mb:.1f} MB")
    print(f"throughput: {rows / elapsed:,.0f} rows/s ({elapsed:.2f} s)")
    print(f"peak traced Python memory during import: {peak / 1e6:.1f} MB")
    print(f"process max RSS (interpreter + libraries included): {maxrss_mb:.0f} MB")


if __name__ == "__main__":
    main()
