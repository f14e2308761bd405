"""Group consecutive rows of one handle into a `Product` (all-or-nothing per product).

Shopify exports a product as a first row (title, body, option names) followed by rows that carry
only the handle plus variant or image columns; native files follow the same rule. Duplicate
handles (non-consecutive) and duplicate SKUs across the file are errors, which is why the seen
handles and SKUs are remembered (the only state that grows with the file).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from libs.contracts.catalog import Product, Variant
from services.mcp_workers.admin.ids import default_sku, product_id_from_handle
from services.mcp_workers.admin.models import ImportReport
from services.mcp_workers.admin.rows import ParsedRow, RowContext


def parse_json_product(number: int, raw: dict[str, Any], ctx: RowContext) -> ParsedRow:
    """A product-shaped object (our own export): prices already in minor units."""
    handle = str(raw.get("handle") or "").strip()
    row = ParsedRow(number, handle or f"\0row{number}")
    if not handle:
        row.errors.append(("handle", "missing"))
        return row
    data = {k: v for k, v in raw.items() if k not in ("schema_version", "updated_at")}
    data.setdefault("id", product_id_from_handle(handle))
    if isinstance(data.get("title"), str):
        data["title"] = {"en": data["title"]}
    try:
        row.fields = {"__product__": Product.model_validate(data)}
    except ValidationError as exc:
        row.errors += [(".".join(map(str, e["loc"])), e["msg"]) for e in exc.errors()]
    return row


class Assembler:
    """Groups consecutive rows by handle and builds one product per group."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.group: list[ParsedRow] = []
        self.seen_handles: dict[str, int] = {}
        self.sku_owner: dict[str, str] = {}

    def push(self, row: ParsedRow) -> Iterator[Product]:
        if self.group and self.group[0].handle != row.handle:
            yield from self.finish()
        self.group.append(row)

    def finish(self) -> Iterator[Product]:
        group, self.group = self.group, []
        if not group:
            return
        product = self._build(group)
        if product is None:
            self.report.products_failed += 1
        else:
            self.report.products_ok += 1
            yield product

    def _build(self, group: list[ParsedRow]) -> Product | None:
        first, handle = group[0], group[0].handle
        errors = [(r.row, f, m) for r in group for f, m in r.errors]
        if not handle.startswith("\0"):
            if handle in self.seen_handles:
                errors.append(
                    (
                        first.row,
                        "Handle",
                        f"handle {handle!r} already used at row "
                        f"{self.seen_handles[handle]}; a product's rows must be together",
                    )
                )
            else:
                self.seen_handles[handle] = first.row
        if first.fields is None and not errors:
            errors.append((first.row, "Title", "first row of a product has no title"))
        fields = dict(first.fields or {})
        names = fields.pop("option_names", [])
        variants: list[Variant] = []
        images: list[str] = list(fields.pop("images", []) or [])
        for row in group:
            images += [u for u in row.images if u not in images]
            if row.variant is None:
                continue
            options = dict(row.variant.get("options") or {})
            for name, value in zip(names, row.option_values or [], strict=False):
                if value and not (name.lower() == "title" and value == "Default Title"):
                    options[(name or "option").lower()] = value
            sku = row.variant["sku"] or default_sku(handle, options)
            owner = self.sku_owner.setdefault(sku, handle)
            if owner != handle or any(v.sku == sku for v in variants):
                where = "this product" if owner == handle else f"product {owner!r}"
                errors.append((row.row, "sku", f"duplicate SKU {sku!r} (already in {where})"))
                continue
            try:
                variants.append(
                    Variant(
                        sku=sku,
                        options=options,
                        price=row.variant["price"],
                        stock=row.variant["stock"],
                    )
                )
            except ValidationError as exc:
                errors += [(row.row, "sku", e["msg"]) for e in exc.errors()]
        product = fields.pop("__product__", None)
        if isinstance(product, Product):
            errors += self._check_product_skus(product, first.row)
        elif not variants and not errors:
            errors.append((first.row, "variants", "product has no variant rows"))
        if errors:
            for row_number, field, reason in errors:
                self.report.add_error(row_number, field, reason)
            return None
        if isinstance(product, Product):
            return product
        try:
            return Product(
                id=fields.pop("id", None) or product_id_from_handle(handle),
                handle=handle,
                images=images,
                variants=variants,
                **fields,
            )
        except ValidationError as exc:
            for e in exc.errors():
                self.report.add_error(first.row, ".".join(map(str, e["loc"])), e["msg"])
            return None

    def _check_product_skus(self, product: Product, row: int) -> list[tuple[int, str, str]]:
        errors = []
        for variant in product.variants:
            owner = self.sku_owner.setdefault(variant.sku, product.handle)
            if owner != product.handle:
                errors.append((row, "sku", f"duplicate SKU {variant.sku!r} (in {owner!r})"))
        return errors
