"""Catalog contracts: the compacted `catalog.products` topic (key = product id, tombstone = delete)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from libs.contracts.base import MAX_MINOR_UNITS
from libs.contracts.topics import CATALOG_PRODUCTS  # noqa: E402,F401 - the topic next to its models

LANGUAGES = ("en", "es", "fr")


class Money(BaseModel):
    """Money as minor units plus ISO 4217 currency, the shape every tool and endpoint returns."""

    amount: int
    currency: str = Field(min_length=3, max_length=3)


class LocalizedText(BaseModel):
    """Text per language; `en` is required, `es`/`fr` where the shop gave them."""

    en: str
    es: str | None = None
    fr: str | None = None

    def get(self, lang: str) -> str:
        value = getattr(self, lang, None) if lang in LANGUAGES else None
        return value or self.en


class Variant(BaseModel):
    sku: str = Field(min_length=1, max_length=64)
    options: dict[str, str] = Field(
        default_factory=dict
    )  # e.g. {"size": "50x70 cm", "colour": "blue"}
    price: int = Field(ge=0, le=MAX_MINOR_UNITS, description="price in the shop currency, minor units")
    stock: int = Field(ge=0, default=0)
    max_per_order: int | None = Field(default=None, ge=1)


class Product(BaseModel):
    """One product; the value of a `catalog.products` record."""

    schema_version: int = 1
    id: str = Field(min_length=1, max_length=64)
    handle: str = Field(min_length=1, max_length=255)
    title: LocalizedText
    description: LocalizedText = Field(default_factory=lambda: LocalizedText(en=""))
    category: str = "other"
    tags: list[str] = Field(default_factory=list)
    vendor: str = ""
    images: list[str] = Field(default_factory=list)
    variants: list[Variant] = Field(min_length=1)
    currency: str = "GBP"
    # Markets (region codes such as "UK", "EU", "US") where the product is sold; empty = everywhere.
    markets: list[str] = Field(default_factory=list)
    consumable: bool = False
    updated_at: str | None = None

    @property
    def price(self) -> int:
        """Lowest variant price, minor units."""
        return min(v.price for v in self.variants)

    @property
    def in_stock(self) -> bool:
        return any(v.stock > 0 for v in self.variants)

    def available_in(self, region: str) -> bool:
        return not self.markets or region in self.markets
