"""Map Shopify Web Pixels events (and our own events) to the internal `UserEvent` vocabulary.

Money arrives as decimal major units (`{"amount": 12.5, "currencyCode": "GBP"}`) and is stored in
minor units like every other amount in the system; Shopify ids arrive as GIDs
(`gid://shopify/Product/123`) and are reduced to the bare id the catalog uses.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from libs.contracts.events import (
    CartLine,
    CartViewed,
    Checkout,
    CheckoutCompleted,
    CheckoutStarted,
    CollectionViewed,
    ConversationTurn,
    MoneyV2,
    OrderCompleted,
    PageViewed,
    ProductAddedToCart,
    ProductDetail,
    ProductRemovedFromCart,
    ProductVariant,
    ProductViewed,
    SearchSubmitted,
    UserEvent,
)
from libs.locale import minor_units

# Path prefixes of Shopify's online store that tell the page kind.
_HOME_PATHS = {"", "/"}


def normalize_id(raw: str | None) -> str | None:
    """`gid://shopify/Product/123?x=1` → `123`; plain ids are returned trimmed."""
    if raw is None:
        return None
    value = str(raw).strip()
    if value.startswith("gid://"):
        value = value.rsplit("/", 1)[-1].split("?", 1)[0]
    return value or None


def to_minor(amount: float | str | Decimal, currency: str) -> int:
    """Decimal major units → integer minor units, half-up, using the currency's exponent (from
    CLDR through `libs.locale`; an unknown code is a ValueError, so the event is rejected)."""
    exponent = minor_units(currency)
    scaled = Decimal(str(amount)) * (Decimal(10) ** exponent)
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _money(money: MoneyV2 | None) -> tuple[int | None, str | None]:
    if money is None:
        return None, None
    return to_minor(money.amount, money.currencyCode), money.currencyCode.upper()


def _variant_detail(variant: ProductVariant, quantity: int = 1) -> ProductDetail | None:
    product = variant.product
    pid = normalize_id(product.id if product and product.id else variant.id)
    if pid is None:
        return None
    price, currency = _money(variant.price)
    return ProductDetail(
        id=pid,
        quantity=quantity,
        price=price,
        currency=currency,
        category=(product.type or None) if product else None,
        vendor=(product.vendor or None) if product else None,
    )


def _cart_line_detail(line: CartLine) -> list[ProductDetail]:
    detail = _variant_detail(line.merchandise, line.quantity)
    return [detail] if detail else []


def _path(context: dict[str, Any]) -> str | None:
    document = context.get("document") or {}
    location = document.get("location") or {} if isinstance(document, dict) else {}
    path = location.get("pathname") if isinstance(location, dict) else None
    return str(path) if path is not None else None


def _checkout_fields(checkout: Checkout) -> dict[str, Any]:
    details: list[ProductDetail] = []
    for item in checkout.lineItems:
        if item.variant is None:
            continue
        detail = _variant_detail(item.variant, item.quantity)
        if detail:
            details.append(detail)
    revenue, currency = _money(checkout.totalPrice)
    order = checkout.order
    address = checkout.shippingAddress or checkout.billingAddress
    return {
        "product_details": details,
        "revenue": revenue,
        "currency": currency or checkout.currencyCode,
        "order_id": normalize_id(order.id) if order else None,
        "user_id": normalize_id(order.customer.id) if order and order.customer else None,
        "country": address.countryCode if address else None,
    }


def _fields(event: Any) -> dict[str, Any] | None:
    """Per-event-name fields of the `UserEvent`; None means "no internal equivalent"."""
    if isinstance(event, PageViewed):
        path = _path(event.context)
        if path in _HOME_PATHS:
            return {"event_type": "home-page-view", "page_path": path}
        return {"event_type": "page-view", "page_path": path}
    if isinstance(event, ProductViewed):
        detail = _variant_detail(event.data.productVariant)
        if detail is None:
            return None
        return {"event_type": "detail-page-view", "product_details": [detail]}
    if isinstance(event, CollectionViewed):
        coll = event.data.collection
        return {"event_type": "category-page-view", "category": coll.title or normalize_id(coll.id)}
    if isinstance(event, SearchSubmitted):
        return {"event_type": "search", "search_query": event.data.searchResult.query.strip()}
    if isinstance(event, ProductAddedToCart | ProductRemovedFromCart):
        kind = "add-to-cart" if isinstance(event, ProductAddedToCart) else "remove-from-cart"
        details = _cart_line_detail(event.data.cartLine)
        return {"event_type": kind, "product_details": details} if details else None
    if isinstance(event, CartViewed):
        lines = event.data.cart.lines if event.data.cart else []
        details = [d for line in lines for d in _cart_line_detail(line)]
        return {"event_type": "shopping-cart-page-view", "product_details": details}
    if isinstance(event, CheckoutStarted | CheckoutCompleted):
        kind = "checkout-start" if isinstance(event, CheckoutStarted) else "purchase-complete"
        return {"event_type": kind, **_checkout_fields(event.data.checkout)}
    if isinstance(event, ConversationTurn):
        return {
            "event_type": "conversation",
            "source": f"conversation:{event.channel}",
            "session_id": event.conversation_id,
            "user_id": event.customer_id,
            "product_details": [ProductDetail(id=p) for p in event.product_ids],
            "search_query": event.query,
            "intent_name": event.intent_name,
            "intent_type": event.intent_type,
            "market": event.market,
            "country": event.country,
        }
    if isinstance(event, OrderCompleted):
        return {
            "event_type": "purchase-complete",
            "source": "order",
            "order_id": event.order_id,
            "user_id": event.customer_id,
            "product_details": [
                ProductDetail(id=normalize_id(ln.product_id) or ln.product_id,
                              quantity=ln.quantity, price=ln.price, currency=ln.currency)
                for ln in event.lines
            ],
            "revenue": sum(ln.price * ln.quantity for ln in event.lines),
            "currency": event.lines[0].currency,
            "market": event.market,
            "country": event.country,
        }
    return None


def map_pixel_event(
    event: Any, *, market: str | None = None, country: str | None = None
) -> UserEvent | None:
    """Map one validated pixel/system event; `market`/`country` fill in what the event lacks
    (the gateway knows them from the storefront's host, a pixel does not send them)."""
    fields = _fields(event)
    if fields is None:
        return None
    fields = {k: v for k, v in fields.items() if v is not None}
    fields.setdefault("market", market)
    fields.setdefault("country", country)
    return UserEvent(
        event_id=event.id,
        visitor_id=event.clientId,
        event_time=event.timestamp,
        **fields,
    )
