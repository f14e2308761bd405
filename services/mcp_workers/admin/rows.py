"""Map raw rows of each dialect (Shopify export, native columns, product JSON) to `ParsedRow`.

A `ParsedRow` carries product-level fields (first row of a product), at most one variant, and
images; grouping rows into products happens in `importer`. Errors name the column as the file
spells it, so an admin can find the cell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from services.mcp_workers.admin.htmltext import html_to_text
from services.mcp_workers.admin.money import parse_price

Converter = Callable[[int, str, str], int]  # (amount_minor, from_currency, to_currency) -> minor

SHOPIFY_REQUIRED = ("Handle", "Title", "Variant Price")
NATIVE_REQUIRED = ("handle", "title_en", "sku", "price")
SHOPIFY_KNOWN = SHOPIFY_REQUIRED + (
    "Body (HTML)",
    "Vendor",
    "Type",
    "Product Category",
    "Tags",
    "Published",
    "Option1 Name",
    "Option1 Value",
    "Option2 Name",
    "Option2 Value",
    "Option3 Name",
    "Option3 Value",
    "Variant SKU",
    "Variant Inventory Qty",
    "Image Src",
    "Variant Image",
    "Status",
)
NATIVE_KNOWN = NATIVE_REQUIRED + (
    "id",
    "title_es",
    "title_fr",
    "description_en",
    "description_es",
    "description_fr",
    "category",
    "tags",
    "vendor",
    "currency",
    "stock",
    "options",
    "images",
    "markets",
)


@dataclass
class ParsedRow:
    row: int
    handle: str
    fields: dict[str, Any] | None = None  # product-level values, present on a product's 1st row
    option_values: list[str] | None = None  # Shopify: values by option position
    variant: dict[str, Any] | None = None  # sku, options, price, stock
    images: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class RowContext:
    shop_currency: str = "GBP"
    convert: Converter | None = None
    max_cell_bytes: int = 64 * 1024


def detect_dialect(header: list[str]) -> tuple[str, list[str]]:
    """("shopify" | "native", missing required columns) or raises ValueError for neither."""
    keys = {h.lower() for h in header}
    if "handle" in keys and ("variant price" in keys or "option1 value" in keys):
        return "shopify", [c for c in SHOPIFY_REQUIRED if c.lower() not in keys]
    if "title_en" in keys or ("sku" in keys and "price" in keys):
        missing = [c for c in NATIVE_REQUIRED if c not in keys]
        if "handle" in missing and "id" in keys:
            missing.remove("handle")
        return "native", missing
    raise ValueError(
        "unrecognised columns; expected a Shopify product export ("
        + ", ".join(SHOPIFY_KNOWN)
        + ") or native columns ("
        + ", ".join(NATIVE_KNOWN)
        + ")"
    )


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def _check_sizes(
    row: Mapping[str, Any], limit: int, names: Mapping[str, str]
) -> list[tuple[str, str]]:
    errors = []
    for key, value in row.items():
        if isinstance(value, str) and len(value) > limit // 4 and len(value.encode()) > limit:
            errors.append((names.get(key, key), f"cell larger than {limit // 1024} KiB"))
    return errors


def _split(text: str, seps: str = ",") -> list[str]:
    for sep in seps[1:]:
        text = text.replace(sep, seps[0])
    return [t.strip() for t in text.split(seps[0]) if t.strip()]


def _stock(text: str, name: str, errors: list[tuple[str, str]]) -> int:
    if not text:
        return 0
    try:
        number = float(text)  # spreadsheets turn 3 into "3.0"; 3.5 is still an error
        if not number.is_integer():
            raise ValueError(text)
        value = int(number)
    except (ValueError, OverflowError):
        errors.append((name, f"not a whole number: {text[:40]!r}"))
        return 0
    return max(value, 0)  # Shopify exports oversold stock as negative; we sell none of it


def _price(
    raw: Any, currency: str, ctx: RowContext, name: str, errors: list[tuple[str, str]]
) -> int:
    try:
        amount = parse_price(raw, currency)
    except ValueError as exc:
        errors.append((name, str(exc)))
        return 0
    if currency != ctx.shop_currency:
        if ctx.convert is None:
            errors.append(
                (
                    "currency",
                    f"{currency} is not the shop currency "
                    f"{ctx.shop_currency} and no converter was given",
                )
            )
            return 0
        amount = ctx.convert(amount, currency, ctx.shop_currency)
    return amount


def parse_shopify(
    number: int, row: Mapping[str, Any], ctx: RowContext, names: Mapping[str, str]
) -> ParsedRow:
    handle = _text(row, "handle")
    parsed = ParsedRow(number, handle or f"\0row{number}")
    errors = parsed.errors = _check_sizes(row, ctx.max_cell_bytes, names)
    if not handle:
        errors.append(("Handle", "missing"))
    if "__extra__" in row:
        errors.append(("row", str(row["__extra__"])))
    if _text(row, "title"):
        category = _text(row, "type") or _text(row, "product category").split(">")[-1].strip()
        parsed.fields = {
            "title": {"en": _text(row, "title")},
            "description": {"en": html_to_text(_text(row, "body (html)"))},
            "vendor": _text(row, "vendor"),
            "category": category.lower() or "other",
            "tags": _split(_text(row, "tags")),
            "option_names": [_text(row, f"option{i} name") for i in (1, 2, 3)],
        }
    values = [_text(row, f"option{i} value") for i in (1, 2, 3)]
    sku, price = _text(row, "variant sku"), _text(row, "variant price")
    if any(values) or sku or price:
        parsed.option_values = values
        parsed.variant = {
            "sku": sku,
            "price": _price(
                price, ctx.shop_currency, ctx, names.get("variant price", "Variant Price"), errors
            ),
            "stock": _stock(_text(row, "variant inventory qty"), "Variant Inventory Qty", errors),
        }
    parsed.images = [u for u in (_text(row, "image src"), _text(row, "variant image")) if u]
    return parsed


def parse_native(
    number: int, row: Mapping[str, Any], ctx: RowContext, names: Mapping[str, str]
) -> ParsedRow:
    """Flat native columns; also used for flat JSON objects (prices in major units)."""
    if "__invalid__" in row:
        return ParsedRow(number, f"\0row{number}", errors=[("row", str(row["__invalid__"]))])
    handle = _text(row, "handle") or _text(row, "id")
    parsed = ParsedRow(number, handle or f"\0row{number}")
    errors = parsed.errors = _check_sizes(row, ctx.max_cell_bytes, names)
    if not handle:
        errors.append(("handle", "missing"))
    if "__extra__" in row:
        errors.append(("row", str(row["__extra__"])))
    title = row.get("title")
    titles = (
        dict(title)
        if isinstance(title, dict)
        else {"en": _text(row, "title_en") or _text(row, "title")}
    )
    for lang in ("es", "fr"):
        if _text(row, f"title_{lang}"):
            titles[lang] = _text(row, f"title_{lang}")
    if titles.get("en"):
        desc = {lang: _text(row, f"description_{lang}") for lang in ("en", "es", "fr")}
        desc = {k: html_to_text(v) if "<" in v else v for k, v in desc.items() if v}
        tags, images = row.get("tags"), row.get("images")
        parsed.fields = {
            "title": titles,
            "description": {"en": "", **desc},
            "category": _text(row, "category").lower() or "other",
            "tags": tags if isinstance(tags, list) else _split(_text(row, "tags"), ",;"),
            "vendor": _text(row, "vendor"),
            "markets": _split(_text(row, "markets"), ",; ") if row.get("markets") else [],
        }
        if _text(row, "id"):
            parsed.fields["id"] = _text(row, "id")
        parsed.images = images if isinstance(images, list) else _split(_text(row, "images"), ", |")
    currency = (_text(row, "currency") or ctx.shop_currency).upper()
    options = row.get("options")
    if not isinstance(options, dict):
        options = dict(p.split("=", 1) for p in _split(_text(row, "options"), ";|") if "=" in p)
    parsed.variant = {
        "sku": _text(row, "sku"),
        "options": {str(k).strip().lower(): str(v).strip() for k, v in options.items()},
        "price": _price(row.get("price"), currency, ctx, names.get("price", "price"), errors),
        "stock": _stock(_text(row, "stock"), "stock", errors),
    }
    return parsed
