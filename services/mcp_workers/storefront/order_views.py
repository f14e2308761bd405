"""Result shapes of the order tools (`get_checkout`, `complete_checkout`, `order_status`);
money is {amount (minor units), currency} as everywhere else."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from libs.contracts.catalog import Money
from libs.contracts.orders import MarketPricing, Order
from services.mcp_workers.storefront.basket import LineError


class OrderLineView(BaseModel):
    product_id: str
    sku: str
    title: str
    quantity: int
    unit_price: Money
    line_total: Money


class OrderView(BaseModel):
    order_id: str
    cart_id: str
    status: str = "paid"
    lines: list[OrderLineView]
    total: Money
    payment_provider: str
    created_at: datetime


class OrderResult(BaseModel):
    order: OrderView | None = None
    errors: list[LineError] = Field(default_factory=list)


class OrderStatusResult(BaseModel):
    orders: list[OrderView] = Field(default_factory=list)
    errors: list[LineError] = Field(default_factory=list)


class CheckoutPreview(BaseModel):
    cart_id: str | None = None
    lines: list[OrderLineView] = Field(default_factory=list)
    total: Money | None = None
    expires_at: datetime | None = None
    pricing: MarketPricing | None = None  # how the cart was priced in the buyer's currency
    errors: list[LineError] = Field(default_factory=list)


def order_view(order: Order) -> OrderView:
    def money(amount: int) -> Money:
        return Money(amount=amount, currency=order.currency)

    return OrderView(
        order_id=order.order_id,
        cart_id=order.cart_id,
        total=money(order.total),
        payment_provider=order.payment_provider,
        created_at=order.created_at,
        lines=[
            OrderLineView(
                product_id=ln.product_id,
                sku=ln.sku,
                title=ln.title,
                quantity=ln.quantity,
                unit_price=money(ln.unit_price),
                line_total=money(ln.line_total),
            )
            for ln in order.lines
        ],
    )


class WebhookResult(BaseModel):
    received: bool = False
    event_id: str | None = None
    duplicate: bool = False
    ignored: str | None = None  # why an authentic event changed nothing
    refunded: bool = False
    order: OrderView | None = None
    errors: list[LineError] = Field(default_factory=list)
