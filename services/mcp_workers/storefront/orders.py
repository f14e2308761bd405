"""Completing a checkout and answering order status.

`complete_checkout` turns a verified payment link into an `Order` fact: the token must be
genuine and unexpired, the cart must still exist, still belong to the owner the link was made
for, and still hold exactly the lines the link was signed over. The order is published to
`orders` (acks=all, idempotent producer) before anything else changes; only after the broker
acknowledged is it recorded under `orders:{owner}` in Redis and the basket emptied. Paying the
same link twice (double click, retry) returns the first order instead of a second one.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from redis.asyncio import Redis

from libs.contracts.catalog import Money
from libs.contracts.orders import Order
from services.mcp_workers.storefront.basket import LineError
from services.mcp_workers.storefront.basket_store import BasketStore, Cart
from services.mcp_workers.storefront.checkout import (
    CheckoutClaims,
    CheckoutTokenError,
    CheckoutTokenExpiredError,
    PaymentProvider,
    owner_hash,
    verify_checkout_token,
)
from services.mcp_workers.storefront.order_views import (
    CheckoutPreview,
    OrderLineView,
    OrderResult,
    OrderStatusResult,
    order_view,
)

PublishOrder = Callable[[Order], Awaitable[None]]
ORDER_TTL_SECONDS = 90 * 24 * 3600
MAX_ORDERS_LISTED = 50


def _error(code: str, message: str) -> list[LineError]:
    return [LineError(line=-1, code=code, message=message)]


def _token_error(exc: CheckoutTokenError) -> list[LineError]:
    code = "expired_token" if isinstance(exc, CheckoutTokenExpiredError) else "invalid_token"
    return _error(code, str(exc))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _same_lines(cart: Cart, claims: CheckoutClaims) -> bool:
    signed = [(pid, sku, qty, unit) for pid, sku, qty, unit in claims.lines]
    return signed == [(ln.product_id, ln.sku, ln.quantity, ln.unit_price) for ln in cart.lines]


class OrderDesk:
    """Checkout completion and order history over the basket store, Redis and `orders`."""

    def __init__(
        self,
        store: BasketStore,
        payment: PaymentProvider,
        secret: str,
        redis: Redis,
        publish: PublishOrder,
        prefix: str = "",
    ) -> None:
        self.store, self.payment, self.secret = store, payment, secret
        self.redis, self.publish, self.prefix = redis, publish, prefix

    def _k(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    async def preview(self, token: str) -> CheckoutPreview:
        """What the link is for (lines with titles, total), for the checkout page."""
        try:
            claims = verify_checkout_token(token, self.secret)
        except CheckoutTokenError as exc:
            return CheckoutPreview(errors=_token_error(exc))
        cart = await self.store.get(claims.cart_id)
        titles = {ln.sku: ln.title for ln in cart.lines} if cart else {}
        money = lambda amount: Money(amount=amount, currency=claims.currency)  # noqa: E731
        return CheckoutPreview(
            cart_id=claims.cart_id,
            total=money(claims.total),
            expires_at=datetime.fromtimestamp(claims.expires_at, UTC),
            lines=[
                OrderLineView(
                    product_id=pid,
                    sku=sku,
                    title=titles.get(sku, sku),
                    quantity=qty,
                    unit_price=money(unit),
                    line_total=money(qty * unit),
                )
                for pid, sku, qty, unit in claims.lines
            ],
        )

    async def complete_checkout(self, token: str, owner: str | None = None) -> OrderResult:
        """Pay the link in test mode. `owner`, when given, must be the cart's owner; without
        it the link itself is the capability (it is signed for one cart and one owner)."""
        try:
            claims = verify_checkout_token(token, self.secret)
        except CheckoutTokenError as exc:
            return OrderResult(errors=_token_error(exc))
        ref = hashlib.sha256(token.encode()).hexdigest()[:32]
        if (done := await self.redis.get(self._k("checkout", "done", ref))) is not None:
            order = await self._load(_text(done))
            if order is not None:
                return OrderResult(order=order_view(order))
        cart = await self.store.get(claims.cart_id)
        if cart is None or cart.status == "cancelled":
            return OrderResult(errors=_error("not_found", "the cart has expired or was cancelled"))
        if not hmac.compare_digest(owner_hash(cart.owner), claims.owner_hash) or (
            owner is not None and not hmac.compare_digest(cart.owner, owner)
        ):
            return OrderResult(errors=_error("forbidden", "this checkout belongs to someone else"))
        if cart.status != "open" or not _same_lines(cart, claims):
            return OrderResult(
                errors=_error(
                    "cart_changed", "the cart changed after this link was made; get a new link"
                )
            )
        lock = self._k("checkout", "lock", ref)
        if not await self.redis.set(lock, "1", nx=True, ex=30):
            return OrderResult(errors=_error("conflict", "this payment is already in progress"))
        try:
            order = await self.payment.complete_payment(token, cart.owner)
            titles = {ln.sku: ln.title for ln in cart.lines}
            order = order.model_copy(
                update={
                    "lines": [
                        ln.model_copy(update={"title": titles.get(ln.sku, ln.title)})
                        for ln in order.lines
                    ]
                }
            )
            await self.publish(order)  # the fact first: nothing else changes unless it is stored
            await self._record(order, ref)
            await self.store.save(
                cart.model_copy(
                    update={
                        "status": "checked_out",
                        "lines": [],
                        "subtotal": 0,
                        "total_quantity": 0,
                        "updated_at": datetime.now(UTC),
                    }
                )
            )
        finally:
            await self.redis.delete(lock)
        return OrderResult(order=order_view(order))

    async def _record(self, order: Order, ref: str) -> None:
        owner_key = self._k("orders", order.owner)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(
                self._k("order", order.order_id), order.model_dump_json(), ex=ORDER_TTL_SECONDS
            )
            pipe.lpush(owner_key, order.order_id)
            pipe.ltrim(owner_key, 0, MAX_ORDERS_LISTED - 1)
            pipe.expire(owner_key, ORDER_TTL_SECONDS)
            pipe.set(self._k("checkout", "done", ref), order.order_id, ex=ORDER_TTL_SECONDS)
            await pipe.execute()

    async def _load(self, order_id: str) -> Order | None:
        raw = await self.redis.get(self._k("order", order_id))
        return None if raw is None else Order.model_validate_json(raw)

    async def order_status(self, owner: str, order_id: str | None = None) -> OrderStatusResult:
        """One order of `owner`, or their most recent orders (newest first)."""
        if not owner:
            return OrderStatusResult(errors=_error("forbidden", "an owner is required"))
        if order_id:
            order = await self._load(order_id)
            if order is None:
                return OrderStatusResult(errors=_error("not_found", f"no order {order_id}"))
            if not hmac.compare_digest(order.owner, owner):
                return OrderStatusResult(
                    errors=_error("forbidden", "this order belongs to someone else")
                )
            return OrderStatusResult(orders=[order_view(order)])
        ids = await self.redis.lrange(self._k("orders", owner), 0, MAX_ORDERS_LISTED - 1)
        orders = [o for i in ids if (o := await self._load(_text(i))) is not None]
        return OrderStatusResult(orders=[order_view(o) for o in orders])
