"""Storefront contracts: the HTTP bodies of the gateway's storefront endpoints, and one typed
argument model per storefront tool, for callers over Kafka (`ToolCallRequest` on
`storefront.requests`, e.g. the chat service). `ToolArgs.call()` names the tool and drops unset
fields, so a caller cannot misspell a tool or an argument."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, Field

SESSION_HEADER = "X-Museo-Session"


class CartLineIn(BaseModel):
    """A SKU, or a product id when the product has a single variant."""

    sku: str | None = Field(default=None, max_length=64)
    product_id: str | None = Field(default=None, max_length=64)
    quantity: int = Field(default=1, ge=0, le=999, description="0 removes the line")


class CartLinesBody(BaseModel):
    lines: list[CartLineIn] = Field(default_factory=list, max_length=100)


class CheckoutBody(BaseModel):
    """Where and in what language the shopper buys (a preference: the buyer's contact comes
    only from their verified credential)."""

    country: str | None = Field(default=None, max_length=64)
    language: str | None = Field(default=None, max_length=16)


class LookupBody(BaseModel):
    ids: list[str] = Field(default_factory=list, max_length=100)
    skus: list[str] = Field(default_factory=list, max_length=100)
    language: str = Field(default="en", max_length=5)


class AskBody(BaseModel):
    question: str = Field(min_length=1, max_length=2000)
    product_id: str | None = Field(default=None, max_length=64)
    language: str = Field(default="en", max_length=5)


class ToolArgs(BaseModel):
    """Arguments of one storefront tool; `TOOL` is its name. `owner` is never an argument here:
    the bridge sets it from the verified caller."""

    TOOL: ClassVar[str]

    def call(self) -> tuple[str, dict[str, Any]]:
        return self.TOOL, self.model_dump(exclude_none=True)


class SearchCatalogArgs(ToolArgs):
    TOOL: ClassVar[str] = "search_catalog"
    query: str = Field(default="", max_length=500)
    category: str | None = None
    price_min: int | None = Field(default=None, ge=0, description="minor units")
    price_max: int | None = Field(default=None, ge=0, description="minor units")
    available: bool | None = None
    country: str | None = None
    language: str = "en"
    limit: int = Field(default=10, ge=1, le=50)


class GetProductArgs(ToolArgs):
    TOOL: ClassVar[str] = "get_product"
    product_id: str = Field(max_length=64)
    language: str = "en"


class LookupCatalogArgs(ToolArgs):
    """Several products in one call: what replaces one `get_product` per item."""

    TOOL: ClassVar[str] = "lookup_catalog"
    ids: list[str] = Field(default_factory=list, max_length=100)
    skus: list[str] = Field(default_factory=list, max_length=100)
    language: str = "en"


class GetCartArgs(ToolArgs):
    TOOL: ClassVar[str] = "get_cart"
    cart_id: str


class AddLinesArgs(ToolArgs):
    """Atomic add (same SKU adds up); no cart id creates a cart."""

    TOOL: ClassVar[str] = "add_lines"
    cart_id: str | None = None
    lines: list[CartLineIn] = Field(min_length=1, max_length=100)


class RemoveLinesArgs(ToolArgs):
    TOOL: ClassVar[str] = "remove_lines"
    cart_id: str
    skus: list[str] = Field(default_factory=list, max_length=100)
    product_ids: list[str] = Field(default_factory=list, max_length=100)


class CheckoutUrlArgs(ToolArgs):
    TOOL: ClassVar[str] = "get_checkout_url"
    cart_id: str
    country: str | None = None
    language: str | None = None


class AskBusinessArgs(ToolArgs):
    TOOL: ClassVar[str] = "ask_business"
    question: str = Field(max_length=2000)
    product_id: str | None = None
    language: str = "en"


class OrderStatusArgs(ToolArgs):
    TOOL: ClassVar[str] = "order_status"
    order_id: str | None = None
