"""Order contracts: the `orders` topic, one record per completed checkout (key = order id), and
the `checkouts` topic, what happened to a cart before (or instead of) an order (key = cart id)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from libs.contracts.notifications import Contact
from libs.contracts.topics import (  # noqa: F401 - the topics next to their models
    CHECKOUTS,
    ORDERS,
)


class OrderLine(BaseModel):
    product_id: str
    sku: str
    title: str
    quantity: int = Field(ge=1)
    unit_price: int = Field(ge=0, description="minor units, order currency")
    line_total: int = Field(ge=0)


class MarketPricing(BaseModel):
    """How a cart listed in the shop's currency was priced for the buyer's market at checkout
    (by the markets service): the rate and taxes the buyer was quoted, kept with the order so
    the amount charged can always be explained. Amounts are minor units of `currency`."""

    country: str = Field(min_length=2, max_length=2)
    source_currency: str = Field(min_length=3, max_length=3, description="the cart's currency")
    source_subtotal: int = Field(ge=0, description="the cart's subtotal, minor units of it")
    currency: str = Field(min_length=3, max_length=3, description="the market's currency")
    exchange_rate: str = Field(description="units of `currency` per unit of `source_currency`")
    tax_included: bool = Field(description="destination tax is inside the prices (VAT, GST)")
    tax_rate: str
    tax_label: str
    tax_amount: int = Field(ge=0, description="tax inside the total, or the estimate beside it")
    fee_amount: int = Field(ge=0, description="the currency-conversion fee inside the total")
    quoted_at: datetime


class Order(BaseModel):
    """A paid (or test-mode completed) order; produced once the payment provider confirms it."""

    schema_version: int = 1
    order_id: str = Field(min_length=1, max_length=64)
    cart_id: str
    owner: str = Field(description="user id or anonymous session id that owned the cart")
    lines: list[OrderLine] = Field(min_length=1)
    subtotal: int = Field(ge=0)
    shipping: int = Field(default=0, ge=0)
    tax: int = Field(default=0, ge=0)
    total: int = Field(ge=0)
    currency: str = Field(min_length=3, max_length=3)
    market: str | None = Field(default=None, description="market region, e.g. UK, EU, US")
    payment_provider: str = "test"
    payment_ref: str | None = None
    created_at: datetime
    contact: Contact | None = Field(
        default=None, description="verified contact of the buyer, from the principal (never a body)"
    )
    pricing: MarketPricing | None = Field(
        default=None, description="set when the order was priced in the buyer's market currency"
    )


class CheckoutEvent(BaseModel):
    """Value of a `checkouts` record. `started`: a shopper with a verified contact got a payment
    link for the cart (published by the storefront, with that contact, the lines and the total,
    which an abandoned-cart reminder needs). `cancelled`: the owner cancelled the cart. An order
    on `orders` for the same cart id ends the story; anything else is an abandoned checkout."""

    schema_version: int = 1
    event_id: str = Field(min_length=1, max_length=64)
    kind: Literal["started", "cancelled"]
    cart_id: str = Field(min_length=1, max_length=64)
    owner: str = Field(min_length=1, max_length=200)
    at: datetime
    market: str | None = None
    lines: list[OrderLine] = Field(default_factory=list)
    total: int | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    contact: Contact | None = Field(default=None, description="verified, from the principal")
