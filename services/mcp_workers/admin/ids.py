"""Deterministic ids and handles, so re-importing the same data yields identical products."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, *, max_length: int = 255) -> str:
    """ASCII, lowercase, hyphen-separated ("Bougie parfumée" -> "bougie-parfumee")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NON_SLUG.sub("-", ascii_text.lower()).strip("-")[:max_length].rstrip("-")


def product_id_from_handle(handle: str) -> str:
    """`prod_` + 20 hex chars of BLAKE2b(handle): stable across imports, machines and runs."""
    return "prod_" + hashlib.blake2b(handle.encode(), digest_size=10).hexdigest()


def default_sku(handle: str, options: dict[str, str]) -> str:
    """A stable SKU for a variant that came without one (Shopify allows blank SKUs)."""
    key = handle + "|" + "|".join(f"{k}={v}" for k, v in sorted(options.items()))
    suffix = hashlib.blake2b(key.encode(), digest_size=4).hexdigest()
    return f"{slugify(handle, max_length=50).upper()}-{suffix.upper()}"
