"""Order contracts: the `orders` topic, one record per completed checkout (key = order id)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from libs.contracts.notifications import Contact
from libs.contracts.topics import ORDERS  # noqa: E402,F401 - the topic next to its models


class OrderLine(BaseModel):
    product_id: str
    sku: str
    title: str
    quantity: int = Field(ge=1)
    unit_price: int = Field(ge=0, description="minor units, order currency")
    line_total: int = Field(ge=0)


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
