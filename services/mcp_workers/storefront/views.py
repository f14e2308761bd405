"""Response shapes of the storefront tools (UCP-like): money is always {amount, currency}.

These are what agents see, so they are localised (one language per response) and leave out
internal fields such as the basket owner.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from libs.contracts.catalog import Money, Product, Variant
from services.mcp_workers.storefront.basket import Cart, LineError, PriceFn

# Market regions for country codes, until the markets service answers this per request.
_EU = frozenset(
    {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
     "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}
)


def region_for_country(country: str | None) -> str | None:
    if not country:
        return None
    code = country.strip().upper()
    if code in ("GB", "UK"):
        return "UK"
    return "EU" if code in _EU else code


class VariantView(BaseModel):
    sku: str
    options: dict[str, str]
    price: Money
    available: bool
    stock: int


class ProductView(BaseModel):
    id: str
    handle: str
    title: str
    description: str
    category: str
    tags: list[str]
    vendor: str
    price: Money = Field(description="lowest variant price")
    available: bool
    markets: list[str] = Field(description="regions where sold; empty = everywhere")
    variants: list[VariantView]
    url: str


class SearchResult(BaseModel):
    products: list[ProductView]
    total: int
    next_cursor: str | None = None
    error: str | None = None


class ProductResult(BaseModel):
    product: ProductView | None = None
    error: str | None = None


class LookupResult(BaseModel):
    products: list[ProductView]
    missing: list[str] = Field(default_factory=list)


class CartLineView(BaseModel):
    product_id: str
    sku: str
    title: str
    options: dict[str, str]
    quantity: int
    unit_price: Money
    line_total: Money


class CartView(BaseModel):
    id: str
    status: str
    lines: list[CartLineView]
    subtotal: Money
    total_quantity: int
    updated_at: datetime


class CartResult(BaseModel):
    cart: CartView | None = None
    errors: list[LineError] = Field(default_factory=list)


class CheckoutResult(BaseModel):
    checkout_url: str | None = None
    expires_at: datetime | None = None
    total: Money | None = None
    errors: list[LineError] = Field(default_factory=list)


def product_view(product: Product, language: str, base_url: str, price_fn: PriceFn) -> ProductView:
    variants = [
        VariantView(sku=v.sku, options=v.options, price=price_fn(product, v),
                    available=v.stock > 0, stock=v.stock)
        for v in product.variants
    ]
    cheapest: Variant = min(product.variants, key=lambda v: v.price)
    return ProductView(
        id=product.id, handle=product.handle, title=product.title.get(language),
        description=product.description.get(language), category=product.category,
        tags=product.tags, vendor=product.vendor, price=price_fn(product, cheapest),
        available=product.in_stock, markets=product.markets, variants=variants,
        url=f"{base_url.rstrip('/')}/products/{product.handle}",
    )


def cart_view(cart: Cart) -> CartView:
    def money(amount: int) -> Money:
        return Money(amount=amount, currency=cart.currency)

    return CartView(
        id=cart.id, status=cart.status, total_quantity=cart.total_quantity,
        subtotal=money(cart.subtotal), updated_at=cart.updated_at,
        lines=[CartLineView(product_id=ln.product_id, sku=ln.sku, title=ln.title,
                            options=ln.options, quantity=ln.quantity,
                            unit_price=money(ln.unit_price), line_total=money(ln.line_total))
               for ln in cart.lines],
    )
