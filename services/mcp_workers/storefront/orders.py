"""Completing a checkout and answering order status.

`complete_checkout` turns a verified payment link into an `Order` fact: the token must be
genuine and unexpired, the cart must still exist, still belong to the owner the link was made
for, and still hold exactly the lines the link was signed over. The order is published to
`orders` (acks=all, idempotent producer) before anything else changes; only after the broker
acknowledged is it recorded under `orders:{owner}` in Redis and the basket emptied. The order
carries the buyer's verified contact and market from the link's context (`checkout_journal`). Paying the
same link twice (double click, retry) returns the first order instead of a second one, and a
cart is paid at most once: a second link of the same cart gets `already_paid` (409), even when
both are paid at the same moment (a per-cart lock in Redis serialises settlement).
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from redis.asyncio import Redis

from libs.contracts.catalog import Money
from libs.contracts.orders import Order
from services.mcp_workers.storefront.basket import LineError
from services.mcp_workers.storefront.basket_store import BasketStore, Cart, CartLine
from services.mcp_workers.storefront.checkout import (
    CheckoutClaims,
    CheckoutTokenError,
    CheckoutTokenExpiredError,
    PaymentError,
    PaymentProvider,
    link_ref,
    owner_hash,
    verify_checkout_token,
)
from services.mcp_workers.storefront.checkout_journal import CheckoutJournal
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


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _check_cart(cart: Cart | None, claims: CheckoutClaims, strict: bool) -> list[LineError] | None:
    """Why this cart cannot be settled for these claims, or None. `strict` (nothing paid yet):
    the cart must be open and hold exactly the signed lines."""
    if cart is None or cart.status == "cancelled":
        return _error("not_found", "the cart has expired or was cancelled")
    if not hmac.compare_digest(owner_hash(cart.owner), claims.owner_hash):
        return _error("forbidden", "this checkout belongs to someone else")
    if strict and (cart.status != "open" or not _same_lines(cart, claims)):
        return _error("cart_changed", "the cart changed after this link was made; get a new link")
    return None


def _snapshot_cart(claims: CheckoutClaims, owner: str) -> Cart:
    """The cart as the link signed it, for a confirmed payment whose cart has expired since."""
    now = datetime.now(UTC)
    lines = [CartLine(product_id=pid, sku=sku, title=sku, quantity=qty, unit_price=unit,
                      line_total=qty * unit) for pid, sku, qty, unit in claims.lines]
    return Cart(id=claims.cart_id, owner=owner, lines=lines, currency=claims.currency,
                subtotal=claims.total, total_quantity=sum(ln.quantity for ln in lines),
                status="checked_out", created_at=now, updated_at=now)


def _with_titles(order: Order, cart: Cart) -> Order:
    titles = {ln.sku: ln.title for ln in cart.lines}
    return order.model_copy(update={"lines": [
        ln.model_copy(update={"title": titles.get(ln.sku, ln.title)}) for ln in order.lines]})


def _same_lines(cart: Cart, claims: CheckoutClaims) -> bool:
    """The cart still holds the signed lines at the cart's own prices (for a link priced in
    the buyer's market currency, the quote's `source_units`)."""
    units = claims.quote.source_units if claims.quote else [ln[3] for ln in claims.lines]
    if len(units) != len(claims.lines):
        return False
    signed = [(pid, sku, qty, unit) for (pid, sku, qty, _), unit in zip(claims.lines, units,
                                                                       strict=True)]
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
        journal: CheckoutJournal | None = None,
    ) -> None:
        self.store, self.payment, self.secret = store, payment, secret
        self.redis, self.publish, self.prefix = redis, publish, prefix
        self.journal = journal  # the buyer's verified contact and market, by link

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
            pricing=claims.quote.pricing if claims.quote else None,
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
        """Pay the link through the provider's own `complete_payment` (test mode). `owner`, when
        given, must be the cart's owner; without it the link itself is the capability (it is
        signed for one cart and one owner). A provider that confirms payments only by webhook
        (Stripe) or none at all refuses here, so no link holder gets an unpaid order marked paid."""
        try:
            claims = verify_checkout_token(token, self.secret)
        except CheckoutTokenError as exc:
            return OrderResult(errors=_token_error(exc))

        async def make(cart: Cart) -> Order:
            if owner is not None and not hmac.compare_digest(cart.owner, owner):
                raise _Refused("forbidden", "this checkout belongs to someone else")
            return await self.payment.complete_payment(token, cart.owner)

        return await self.settle(claims, link_ref(token), make, confirmed=False)

    async def settle(self, claims: CheckoutClaims, ref: str,
                     make: Callable[[Cart], Awaitable[Order]], *, confirmed: bool,
                     owner: str | None = None) -> OrderResult:
        """Turn one link into at most one order, and one cart into at most one order.

        The per-cart lock makes two links of one cart (or two clicks on one link) settle one
        after the other; the loser sees the winner's order (same link) or a 409 (other link).
        `confirmed`: the provider already took the money for the signed snapshot, so the order
        is made even if the cart changed or expired since (with `owner` from the link record).
        """
        if (order := await self._done(ref)) is not None:
            return OrderResult(order=order_view(order))
        lock = self._k("checkout", "lock", claims.cart_id)
        if not await self._acquire(lock):
            return OrderResult(errors=_error("conflict", "a payment of this cart is in progress"))
        try:
            if (order := await self._done(ref)) is not None:  # settled while we waited
                return OrderResult(order=order_view(order))
            if (paid := await self.redis.get(self._k("checkout", "paid", claims.cart_id))):
                return OrderResult(errors=_error(
                    "already_paid", f"this cart was already paid (order {_text(paid)}); "
                    "a second link for it cannot be paid"))
            cart = await self.store.get(claims.cart_id)
            if not confirmed or cart is not None:
                refused = _check_cart(cart, claims, strict=not confirmed)
                if refused is not None:
                    return OrderResult(errors=refused)
            if cart is None:
                if owner is None:
                    return OrderResult(errors=_error("not_found", "the cart has expired"))
                cart = _snapshot_cart(claims, owner)
            try:
                order = await make(cart)
            except _Refused as exc:
                return OrderResult(errors=_error(exc.code, str(exc)))
            except PaymentError as exc:
                return OrderResult(errors=_error(exc.code, str(exc)))
            except CheckoutTokenError as exc:
                return OrderResult(errors=_token_error(exc))
            order = _with_titles(order, cart)
            if self.journal is not None:
                order = await self.journal.complete(order, ref)
            await self.publish(order)  # the fact first: nothing else changes unless it is stored
            await self._record(order, ref)
            await self._close(cart)
        finally:
            await self.redis.delete(lock)
        return OrderResult(order=order_view(order))

    async def _acquire(self, lock: str, wait_s: float = 10.0) -> bool:
        """Take the cart's lock, waiting (bounded) for a holder that is publishing an order."""
        deadline = time.monotonic() + wait_s
        while not await self.redis.set(lock, "1", nx=True, ex=30):
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.05)
        return True

    async def _done(self, ref: str) -> Order | None:
        done = await self.redis.get(self._k("checkout", "done", ref))
        return None if done is None else await self._load(_text(done))

    async def _close(self, cart: Cart) -> None:
        if await self.store.get(cart.id) is None:
            return
        await self.store.save(cart.model_copy(update={
            "status": "checked_out", "lines": [], "subtotal": 0, "total_quantity": 0,
            "updated_at": datetime.now(UTC)}))

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
            pipe.set(self._k("checkout", "paid", order.cart_id), order.order_id,
                     ex=ORDER_TTL_SECONDS)
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
