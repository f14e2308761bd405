"""Baskets (carts) with UCP-like operations: create, get, update (full line list), cancel.

Every operation takes the caller's `owner` (user id or anonymous session id) and refuses with
`BasketAccessError` when the basket belongs to someone else — nobody reads or changes another's
basket, even with a leaked basket id. Lines are validated all at once and every problem is
reported with its line index, so an agent can fix them in one round trip.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from libs.catalog.read_model import CatalogReadModel
from libs.contracts.catalog import Money, Product, Variant
from libs.contracts.storefront import CartLineIn as CartLineInput
from services.mcp_workers.storefront.basket_store import (
    DEFAULT_TTL_SECONDS,
    BasketStore,
    Cart,
    CartLine,
    InMemoryBasketStore,
    RedisBasketStore,
)

__all__ = [
    "BasketAccessError", "BasketError", "BasketNotFoundError", "BasketService", "BasketStore",
    "Cart", "CartLine", "CartLineInput", "CartValidationError", "InMemoryBasketStore",
    "LineError", "PriceFn", "RedisBasketStore",
]

DEFAULT_MAX_PER_LINE = 99
MAX_LINES = 100
PriceFn = Callable[[Product, Variant], Money]


class LineError(BaseModel):
    line: int = Field(description="index in the request's line list, -1 for the whole cart")
    code: str  # unknown_product, variant_required, out_of_stock, insufficient_stock, ...
    message: str
    sku: str | None = None
    available: int | None = None


class BasketError(Exception):
    """Base class for basket errors."""


class BasketNotFoundError(BasketError):
    pass


class BasketAccessError(BasketError):
    """The caller does not own this basket."""


class CartValidationError(BasketError):
    def __init__(self, errors: list[LineError]) -> None:
        super().__init__("; ".join(f"line {e.line}: {e.message}" for e in errors))
        self.errors = errors


def _default_price(product: Product, variant: Variant) -> Money:
    return Money(amount=variant.price, currency=product.currency)


class BasketService:
    """Cart operations over a `BasketStore` and the catalog read model."""

    def __init__(
        self,
        catalog: CatalogReadModel,
        store: BasketStore,
        *,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        max_per_line: int = DEFAULT_MAX_PER_LINE,
        price_fn: PriceFn | None = None,
        shop_currency: str = "GBP",
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.ttl_seconds = ttl_seconds
        self.max_per_line = max_per_line
        self.price_fn = price_fn or _default_price
        self.shop_currency = shop_currency

    async def create_cart(self, owner: str, lines: list[CartLineInput]) -> Cart:
        if not owner:
            raise BasketAccessError("an owner (user or session id) is required")
        now = datetime.now(UTC)
        cart = Cart(id=f"cart_{secrets.token_urlsafe(12)}", owner=owner,
                    currency=self.shop_currency, created_at=now, updated_at=now)
        cart = self._with_lines(cart, lines)
        await self.store.save(cart, self.ttl_seconds)
        return cart

    async def get_cart(self, owner: str, cart_id: str) -> Cart:
        cart = await self.store.get(cart_id)
        if cart is None or cart.status == "cancelled":
            raise BasketNotFoundError(f"cart {cart_id} not found or expired")
        if not secrets.compare_digest(cart.owner.encode(), owner.encode()):
            raise BasketAccessError("this cart belongs to someone else")
        return cart

    async def update_cart(self, owner: str, cart_id: str, lines: list[CartLineInput]) -> Cart:
        """Replace the cart's lines with `lines` (quantity 0 drops a line)."""
        cart = await self.get_cart(owner, cart_id)
        if cart.status != "open":
            raise CartValidationError([LineError(line=-1, code="cart_closed",
                                                 message=f"cart is {cart.status}")])
        cart = self._with_lines(cart, lines)
        await self.store.save(cart, self.ttl_seconds)
        return cart

    async def add_lines(self, owner: str, cart_id: str, lines: list[CartLineInput]) -> Cart:
        """Add `lines` to what the cart holds (same SKU: quantities add up), atomically, so
        concurrent adds never lose one another's lines."""

        def change(cart: Cart | None) -> Cart:
            cart = self._owned_open(owner, cart_id, cart)
            held = [CartLineInput(sku=ln.sku, quantity=ln.quantity) for ln in cart.lines]
            return self._with_lines(cart, held + lines, offset=len(held))

        return await self.store.modify(cart_id, change, self.ttl_seconds)

    async def remove_lines(
        self, owner: str, cart_id: str, skus: list[str], product_ids: list[str]
    ) -> Cart:
        """Drop the lines of these SKUs and/or products, atomically."""
        drop_skus, drop_products = set(skus), set(product_ids)

        def change(cart: Cart | None) -> Cart:
            cart = self._owned_open(owner, cart_id, cart)
            keep = [CartLineInput(sku=ln.sku, quantity=ln.quantity) for ln in cart.lines
                    if ln.sku not in drop_skus and ln.product_id not in drop_products]
            return self._with_lines(cart, keep)

        return await self.store.modify(cart_id, change, self.ttl_seconds)

    def _owned_open(self, owner: str, cart_id: str, cart: Cart | None) -> Cart:
        if cart is None or cart.status == "cancelled":
            raise BasketNotFoundError(f"cart {cart_id} not found or expired")
        if not secrets.compare_digest(cart.owner.encode(), owner.encode()):
            raise BasketAccessError("this cart belongs to someone else")
        if cart.status != "open":
            raise CartValidationError([LineError(line=-1, code="cart_closed",
                                                 message=f"cart is {cart.status}")])
        return cart

    async def cancel_cart(self, owner: str, cart_id: str) -> Cart:
        cart = await self.get_cart(owner, cart_id)
        await self.store.delete(cart_id)
        return cart.model_copy(update={"status": "cancelled", "updated_at": datetime.now(UTC)})

    async def mark_checked_out(self, owner: str, cart_id: str) -> Cart:
        cart = await self.get_cart(owner, cart_id)
        cart = cart.model_copy(update={"status": "checked_out", "updated_at": datetime.now(UTC)})
        await self.store.save(cart, self.ttl_seconds)
        return cart

    def _with_lines(self, cart: Cart, lines: list[CartLineInput], offset: int = 0) -> Cart:
        """`offset`: how many leading lines were already in the cart, so error indexes name
        the caller's own lines."""
        priced, errors = self.price_lines(lines)
        errors = [e.model_copy(update={"line": max(e.line - offset, -1)}) for e in errors]
        if errors:
            raise CartValidationError(errors)
        currencies = {p.currency for p in priced}
        currency = currencies.pop() if len(currencies) == 1 else cart.currency
        return cart.model_copy(update={
            "lines": [p.line for p in priced],
            "currency": currency,
            "subtotal": sum(p.line.line_total for p in priced),
            "total_quantity": sum(p.line.quantity for p in priced),
            "updated_at": datetime.now(UTC),
        })

    def price_lines(self, lines: list[CartLineInput]) -> tuple[list[_Priced], list[LineError]]:
        """Resolve, validate and price every line; returns priced lines and all errors."""
        if len(lines) > MAX_LINES:
            return [], [LineError(line=-1, code="too_many_lines",
                                  message=f"at most {MAX_LINES} lines per cart")]
        priced: list[_Priced] = []
        errors: list[LineError] = []
        merged: dict[str, int] = {}
        for index, item in enumerate(lines):
            resolved = self._resolve(index, item, errors)
            if resolved is None or item.quantity == 0:
                continue
            product, variant = resolved
            merged[variant.sku] = merged.get(variant.sku, 0) + item.quantity
            quantity = merged[variant.sku]
            limit = min(self.max_per_line, variant.max_per_order or self.max_per_line)
            if quantity > limit:
                errors.append(LineError(line=index, code="quantity_limit", sku=variant.sku,
                                        available=limit, message=f"at most {limit} per order"))
            elif variant.stock < quantity:
                code = "out_of_stock" if variant.stock == 0 else "insufficient_stock"
                errors.append(LineError(line=index, code=code, sku=variant.sku,
                                        available=variant.stock,
                                        message=f"only {variant.stock} in stock"))
            else:
                priced = [p for p in priced if p.line.sku != variant.sku]
                money = self.price_fn(product, variant)
                priced.append(_Priced(currency=money.currency, line=CartLine(
                    product_id=product.id, sku=variant.sku, title=product.title.en,
                    options=variant.options, quantity=quantity, unit_price=money.amount,
                    line_total=money.amount * quantity)))
        if len({p.currency for p in priced}) > 1:
            errors.append(LineError(line=-1, code="mixed_currency",
                                    message="all lines must be priced in one currency"))
        return priced, errors

    def _resolve(self, index: int, item: CartLineInput,
                 errors: list[LineError]) -> tuple[Product, Variant] | None:
        if item.sku:
            found = self.catalog.by_sku(item.sku)
            if found is None:
                errors.append(LineError(line=index, code="unknown_product", sku=item.sku,
                                        message=f"no product with SKU {item.sku}"))
            return found
        product = self.catalog.get(item.product_id) if item.product_id else None
        if product is None:
            errors.append(LineError(line=index, code="unknown_product",
                                    message=f"no product {item.product_id!r}"))
            return None
        if len(product.variants) > 1:
            errors.append(LineError(line=index, code="variant_required",
                                    message="choose a SKU: " + ", ".join(
                                        v.sku for v in product.variants)))
            return None
        return product, product.variants[0]


class _Priced(BaseModel):
    currency: str
    line: CartLine
