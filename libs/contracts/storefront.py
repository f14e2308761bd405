"""HTTP bodies of the storefront endpoints on the gateway; the tools behind them are reached with
`libs.contracts.mcp.ToolCallRequest` on `storefront.requests`."""

from __future__ import annotations

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
    country: str | None = Field(default=None, max_length=64)


class LookupBody(BaseModel):
    ids: list[str] = Field(default_factory=list, max_length=100)
    skus: list[str] = Field(default_factory=list, max_length=100)
    language: str = Field(default="en", max_length=5)


class AskBody(BaseModel):
    question: str = Field(min_length=1, max_length=2000)
    product_id: str | None = Field(default=None, max_length=64)
    language: str = Field(default="en", max_length=5)
