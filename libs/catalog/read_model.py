"""The catalog read model every service builds from the compacted `catalog.products` topic.

Kafka is the system of record; this is a derived in-memory view. `apply` takes the record key and
value exactly as the topic carries them (a `None` value is a tombstone = delete), so replaying the
topic from the beginning at start-up and then following it gives the current catalog. Listeners
(e.g. the search index) are told about every change so they can update incrementally.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from libs.contracts.catalog import Product, Variant

Listener = Callable[[str, Product | None], None]


class CatalogReadModel:
    """Products by id, SKU and handle, plus a version counter that bumps on every change."""

    def __init__(self) -> None:
        self._by_id: dict[str, Product] = {}
        self._by_sku: dict[str, str] = {}
        self._by_handle: dict[str, str] = {}
        self._listeners: list[Listener] = []
        self.version = 0

    @classmethod
    def from_products(cls, products: Iterator[Product] | list[Product]) -> CatalogReadModel:
        model = cls()
        for product in products:
            model.apply(product.id, product)
        return model

    @classmethod
    def from_jsonl(cls, path: str | Path) -> CatalogReadModel:
        """Load a catalog file with one Product JSON per line (the demo catalog's format)."""
        model = cls()
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    product = Product.model_validate_json(line)
                    model.apply(product.id, product)
        return model

    def subscribe(self, listener: Listener) -> None:
        """Call `listener(product_id, product_or_None)` after every applied change."""
        self._listeners.append(listener)

    def apply(self, product_id: str, product: Product | None) -> None:
        """Apply one topic record; `None` deletes. The key must match the product's id."""
        if product is not None and product.id != product_id:
            raise ValueError(f"record key {product_id!r} != product id {product.id!r}")
        old = self._by_id.pop(product_id, None)
        if old is not None:
            for variant in old.variants:
                if self._by_sku.get(variant.sku) == product_id:
                    del self._by_sku[variant.sku]
            if self._by_handle.get(old.handle) == product_id:
                del self._by_handle[old.handle]
        if product is None and old is None:
            return  # tombstone for an unknown product: nothing changed
        if product is not None:
            self._by_id[product_id] = product
            for variant in product.variants:
                self._by_sku[variant.sku] = product_id
            self._by_handle[product.handle] = product_id
        self.version += 1
        for listener in self._listeners:
            listener(product_id, product)

    def apply_record(self, key: bytes | str, value: bytes | str | None) -> None:
        """Apply a raw Kafka record (JSON value, or None for a tombstone)."""
        product_id = key.decode() if isinstance(key, bytes) else key
        product = None if value is None else Product.model_validate(json.loads(value))
        self.apply(product_id, product)

    def get(self, product_id: str) -> Product | None:
        return self._by_id.get(product_id)

    def by_sku(self, sku: str) -> tuple[Product, Variant] | None:
        product_id = self._by_sku.get(sku)
        product = self._by_id.get(product_id) if product_id else None
        if product is None:
            return None
        variant = next((v for v in product.variants if v.sku == sku), None)
        return (product, variant) if variant else None

    def by_handle(self, handle: str) -> Product | None:
        product_id = self._by_handle.get(handle)
        return self._by_id.get(product_id) if product_id else None

    def __iter__(self) -> Iterator[Product]:
        return iter(list(self._by_id.values()))

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, product_id: object) -> bool:
        return product_id in self._by_id
