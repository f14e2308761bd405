"""Streaming product import (CSV, XLSX, JSON, JSONL; Shopify export or native columns).

Rows stream from `sources`, map to `ParsedRow`s in `rows`, and consecutive rows with the same
handle become one `Product` (Shopify's variant and image continuation rows). A product is
all-or-nothing: if any of its rows has an error, the product is reported and skipped, so a typo
in one variant cannot make the caller overwrite the catalog product without that variant.

Ids come from the handle (`ids.product_id_from_handle`), so re-importing a file yields equal
products; `diff_products` / `import_file` let the caller write only what changed.
Memory stays bounded: one product group at a time, plus the set of seen handles and SKUs
(needed to reject duplicates across the file; a few MB per 100k rows).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from libs.contracts.catalog import Product
from services.mcp_workers.admin.assemble import Assembler, parse_json_product
from services.mcp_workers.admin.models import ImportJob, ImportProgress, ImportReport
from services.mcp_workers.admin.rows import (
    Converter,
    ParsedRow,
    RowContext,
    detect_dialect,
    parse_native,
    parse_shopify,
)
from services.mcp_workers.admin.sources import FileError, Source, open_source

ProgressCallback = Callable[[ImportProgress], None]


@dataclass
class ImportOptions:
    shop_currency: str = "GBP"
    convert: Converter | None = None
    max_cell_bytes: int = 64 * 1024
    encoding: str | None = None  # force an encoding instead of detecting it
    progress_every: int = 1000


def iter_products(
    path: Path | str,
    report: ImportReport,
    *,
    options: ImportOptions | None = None,
    progress: ProgressCallback | None = None,
) -> Iterator[Product]:
    """Yield valid products one by one; fill `report` (counts, errors, warnings) as it goes."""
    options = options or ImportOptions()
    path = Path(path)
    report.source = path.name
    try:
        source = open_source(path, encoding=options.encoding)
    except (FileError, OSError, ValueError) as exc:
        report.add_error(0, "file", str(exc))
        return
    report.format, report.encoding = source.format, source.encoding
    report.warnings.extend(source.warnings)
    ctx = RowContext(options.shop_currency, options.convert, options.max_cell_bytes)
    parse = _row_parser(source, ctx, report)
    if parse is None:
        source.rows.close()  # type: ignore[attr-defined]
        return
    assembler = Assembler(report)

    def tick() -> None:
        if progress:
            progress(
                ImportProgress(
                    rows_done=report.rows_total,
                    bytes_read=source.bytes_read,
                    bytes_total=source.bytes_total,
                )
            )

    try:
        for number, raw in source.rows:
            report.rows_total += 1
            yield from assembler.push(parse(number, raw))
            if report.rows_total % options.progress_every == 0:
                tick()
    except FileError as exc:
        report.add_error(0, "file", str(exc))
    except UnicodeDecodeError as exc:  # only with a forced, wrong encoding
        report.add_error(0, "file", f"cannot decode as {source.encoding}: {exc.reason}")
    yield from assembler.finish()
    source.reader.count = source.bytes_total
    tick()


def _row_parser(
    source: Source, ctx: RowContext, report: ImportReport
) -> Callable[[int, dict[str, Any]], ParsedRow] | None:
    if source.header is None:  # JSON: flat native objects or product-shaped objects
        report.dialect = "json"
        return lambda n, raw: (
            parse_json_product(n, raw, ctx)
            if isinstance(raw.get("variants"), list)
            else parse_native(n, raw, ctx, {})
        )
    try:
        dialect, missing = detect_dialect(source.header)
    except ValueError as exc:
        report.add_error(1, "header", str(exc))
        return None
    report.dialect = dialect
    if missing:
        report.add_error(1, "header", f"missing required columns: {', '.join(missing)}")
        return None
    names = {h.lower(): h for h in source.header}
    fn = parse_shopify if dialect == "shopify" else parse_native
    return lambda n, raw: fn(n, raw, ctx, names)


def _comparable(product: Product) -> dict[str, Any]:
    return product.model_dump(exclude={"updated_at"})


def diff_products(existing: Mapping[str, Product], incoming: Iterable[Product]) -> list[Product]:
    """Incoming products that are new or differ from `existing` (keyed by id, or by handle)."""
    changed = []
    for product in incoming:
        current = existing.get(product.id) or existing.get(product.handle)
        if current is None or _comparable(current) != _comparable(product):
            changed.append(product)
    return changed


def import_file(
    path: Path | str,
    existing: Mapping[str, Product],
    on_changed: Callable[[Product], None],
    *,
    options: ImportOptions | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Stream the file, call `on_changed` for each new/changed product, return the report."""
    report = ImportReport()
    for product in iter_products(path, report, options=options, progress=progress):
        if diff_products(existing, [product]):
            report.products_changed += 1
            on_changed(product)
        else:
            report.products_unchanged += 1
    return report


def run_import_job(
    job: ImportJob,
    path: Path | str,
    existing: Mapping[str, Product],
    on_changed: Callable[[Product], None],
    *,
    options: ImportOptions | None = None,
    on_update: Callable[[ImportJob], None] | None = None,
) -> ImportJob:
    """Drive `job` through running -> done/failed, publishing progress via `on_update`."""
    job.state, job.source = "running", Path(path).name

    def progress(p: ImportProgress) -> None:
        job.progress = round(p.fraction, 4)
        if on_update:
            on_update(job)

    try:
        job.report = import_file(path, existing, on_changed, options=options, progress=progress)
        file_errors = [
            e for e in job.report.errors if e.row in (0, 1) and e.field in ("file", "header")
        ]
        job.state = "failed" if file_errors else "done"
        job.error = file_errors[0].reason if file_errors else None
    except Exception as exc:  # the job record must end in a final state whatever happened
        job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
    job.progress, job.finished_at = 1.0, time.time()
    if on_update:
        on_update(job)
    return job
