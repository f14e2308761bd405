"""Event contracts: raw Shopify Web Pixels events, the system's own events, and `UserEvent`.

`events.raw` carries what a custom pixel (or our own services) sent, after validation, already
mapped to `UserEvent`. The pixel models follow Shopify's Web Pixels API standard events field by
field (camelCase) so a pixel can post `event` objects unchanged; unknown extra fields are kept
(`extra="allow"`) because Shopify adds fields over time and a new field must never reject an event.
`UserEvent` is close to Google Retail's user event so the vocabulary is familiar to whoever
replaces the recommender.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from libs.contracts.topics import EVENTS_RAW  # noqa: E402,F401 - the topic next to its models


class _Shopify(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class MoneyV2(_Shopify):
    """Shopify money: a decimal amount in major units plus currency (converted to minor later)."""

    amount: float
    currencyCode: str = Field(min_length=3, max_length=3)


class PixelProduct(_Shopify):
    id: str | None = None
    title: str | None = None
    untranslatedTitle: str | None = None
    vendor: str | None = None
    type: str | None = None
    url: str | None = None


class ProductVariant(_Shopify):
    id: str | None = None
    image: dict[str, Any] | None = None
    price: MoneyV2 | None = None
    product: PixelProduct | None = None
    sku: str | None = None
    title: str | None = None
    untranslatedTitle: str | None = None


class CartLineCost(_Shopify):
    totalAmount: MoneyV2 | None = None


class CartLine(_Shopify):
    cost: CartLineCost | None = None
    merchandise: ProductVariant
    quantity: int = Field(ge=0)


class Cart(_Shopify):
    id: str | None = None
    cost: CartLineCost | None = None
    lines: list[CartLine] = Field(default_factory=list)
    totalQuantity: int | None = None


class Collection(_Shopify):
    id: str | None = None
    title: str | None = None
    productVariants: list[ProductVariant] = Field(default_factory=list)


class SearchResult(_Shopify):
    query: str
    productVariants: list[ProductVariant] = Field(default_factory=list)


class CheckoutLineItem(_Shopify):
    id: str | None = None
    quantity: int = Field(ge=0)
    title: str | None = None
    variant: ProductVariant | None = None
    finalLinePrice: MoneyV2 | None = None


class OrderCustomer(_Shopify):
    id: str | None = None
    isFirstOrder: bool | None = None


class Order(_Shopify):
    id: str | None = None
    customer: OrderCustomer | None = None


class MailingAddress(_Shopify):
    countryCode: str | None = None
    city: str | None = None


class Checkout(_Shopify):
    token: str | None = None
    currencyCode: str | None = None
    email: str | None = None
    phone: str | None = None
    lineItems: list[CheckoutLineItem] = Field(default_factory=list)
    totalPrice: MoneyV2 | None = None
    subtotalPrice: MoneyV2 | None = None
    totalTax: MoneyV2 | None = None
    order: Order | None = None
    shippingAddress: MailingAddress | None = None
    billingAddress: MailingAddress | None = None


class _Envelope(_Shopify):
    """Fields every Web Pixels event carries; `context` stays a dict (document/window/navigator)."""

    id: str = Field(min_length=1, max_length=128)
    clientId: str = Field(min_length=1, max_length=128)
    timestamp: datetime
    seq: int | None = None
    type: Literal["standard", "custom", "dom"] = "standard"
    context: dict[str, Any] = Field(default_factory=dict)

    @field_validator("timestamp")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        # Naive timestamps are taken as UTC: pixels send ISO with "Z", our replays may not.
        return value if value.tzinfo else value.replace(tzinfo=UTC)


class PageViewed(_Envelope):
    name: Literal["page_viewed"]
    data: dict[str, Any] = Field(default_factory=dict)


class ProductViewedData(_Shopify):
    productVariant: ProductVariant


class ProductViewed(_Envelope):
    name: Literal["product_viewed"]
    data: ProductViewedData


class CollectionViewedData(_Shopify):
    collection: Collection


class CollectionViewed(_Envelope):
    name: Literal["collection_viewed"]
    data: CollectionViewedData


class SearchSubmittedData(_Shopify):
    searchResult: SearchResult


class SearchSubmitted(_Envelope):
    name: Literal["search_submitted"]
    data: SearchSubmittedData


class CartLineData(_Shopify):
    cartLine: CartLine


class ProductAddedToCart(_Envelope):
    name: Literal["product_added_to_cart"]
    data: CartLineData


class ProductRemovedFromCart(_Envelope):
    name: Literal["product_removed_from_cart"]
    data: CartLineData


class CartViewedData(_Shopify):
    cart: Cart | None = None


class CartViewed(_Envelope):
    name: Literal["cart_viewed"]
    data: CartViewedData = Field(default_factory=CartViewedData)


class CheckoutData(_Shopify):
    checkout: Checkout


class CheckoutStarted(_Envelope):
    name: Literal["checkout_started"]
    data: CheckoutData


class CheckoutCompleted(_Envelope):
    name: Literal["checkout_completed"]
    data: CheckoutData


class ConversationTurn(_Envelope):
    """A chat/MCP turn, emitted by the gateway; `clientId` is the visitor/conversation owner."""

    name: Literal["conversation_turn"]
    type: Literal["standard", "custom", "dom"] = "custom"
    conversation_id: str
    channel: str = "web"
    customer_id: str | None = None
    intent_name: str | None = None
    intent_type: Literal["purchase", "comparison", "browsing", "research"] | None = None
    product_ids: list[str] = Field(default_factory=list)
    query: str | None = None
    market: str | None = None
    country: str | None = None


class OrderLine(BaseModel):
    product_id: str
    quantity: int = Field(ge=1)
    price: int = Field(ge=0, description="unit price, minor units")
    currency: str = Field(min_length=3, max_length=3)


class OrderCompleted(_Envelope):
    """Emitted by our checkout flow (the `orders` topic fact, seen as a user event)."""

    name: Literal["order_completed"]
    type: Literal["standard", "custom", "dom"] = "custom"
    order_id: str
    customer_id: str | None = None
    lines: list[OrderLine] = Field(min_length=1)
    market: str | None = None
    country: str | None = None


PixelEvent = Annotated[
    PageViewed
    | ProductViewed
    | CollectionViewed
    | SearchSubmitted
    | ProductAddedToCart
    | ProductRemovedFromCart
    | CartViewed
    | CheckoutStarted
    | CheckoutCompleted
    | ConversationTurn
    | OrderCompleted,
    Field(discriminator="name"),
]

EventType = Literal[
    "detail-page-view",
    "add-to-cart",
    "remove-from-cart",
    "search",
    "category-page-view",
    "shopping-cart-page-view",
    "checkout-start",
    "purchase-complete",
    "home-page-view",
    "page-view",
    "conversation",
]


class ProductDetail(BaseModel):
    id: str = Field(min_length=1)
    quantity: int = 1
    price: int | None = Field(default=None, description="unit price, minor units")
    currency: str | None = None
    # Carried when the source knows them, so profiles need no catalog lookup.
    category: str | None = None
    vendor: str | None = None


class UserEvent(BaseModel):
    """The internal user event on `events.raw` (key = visitor id)."""

    schema_version: int = 1
    event_id: str = Field(min_length=1)
    event_type: EventType
    visitor_id: str = Field(min_length=1)
    user_id: str | None = None
    event_time: datetime
    product_details: list[ProductDetail] = Field(default_factory=list)
    search_query: str | None = None
    category: str | None = None
    page_path: str | None = None
    order_id: str | None = None
    revenue: int | None = Field(default=None, description="order total, minor units")
    currency: str | None = None
    market: str | None = None
    country: str | None = None
    session_id: str | None = None
    source: str = "web_pixel"
    intent_name: str | None = None
    intent_type: Literal["purchase", "comparison", "browsing", "research"] | None = None

    @property
    def product_ids(self) -> list[str]:
        return [p.id for p in self.product_details]
