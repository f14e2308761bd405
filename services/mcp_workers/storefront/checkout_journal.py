"""What the storefront remembers about a checkout between the link and the order.

When a shopper asks for a payment link, the worker bridging Kafka passes the verified contact of
the caller (a customer token's email, a channel's phone; never a body field) with the market and
language they buy in. That context is kept in Redis under the link's ref (`link_ref(token)`:
never the token or a raw owner) for as long as the link can still be paid (at most 4 days, the
Stripe webhook retry window), and moved onto the `Order` when the payment completes (test mode
or Stripe's webhook). A raw email or phone never
goes into the link itself: links end up in chat logs and browser histories.

A link handed to someone with a verified contact is also a `started` fact on `checkouts` (the
notification service's abandoned-cart reminders start from it), and a cancelled cart a
`cancelled` one. Those are best effort: a broker that does not answer costs a reminder, never
the shopper's checkout.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from pydantic import BaseModel
from redis.asyncio import Redis

from libs.contracts.notifications import Contact
from libs.contracts.orders import CheckoutEvent, Order, OrderLine
from libs.locale import normalise_language
from services.mcp_workers.storefront.basket_store import Cart

log = logging.getLogger(__name__)
PublishCheckout = Callable[[CheckoutEvent], Awaitable[None]]
CONTEXT_TTL_S = 4 * 86400  # as long as a Stripe webhook for the link may still come


class CheckoutContext(BaseModel):
    contact: Contact | None = None
    market: str | None = None


def buyer_contact(contact: Contact | None, country: str | None,
                  language: str | None) -> Contact | None:
    """The verified contact with the shopper's country (an ISO code) and shop language."""
    if contact is None or not (contact.email or contact.phone):
        return None
    code = (country or "").strip().upper()
    return contact.model_copy(update={
        "country": code if len(code) == 2 and code.isalpha() else contact.country,
        "language": normalise_language(language) or contact.language,
    })


class CheckoutJournal:
    """Checkout context in Redis (by link ref) and `checkouts` facts."""

    def __init__(self, redis: Redis, publish: PublishCheckout | None = None, prefix: str = "",
                 ttl_s: int = CONTEXT_TTL_S) -> None:
        self.redis, self.publish, self.prefix, self.ttl_s = redis, publish, prefix, ttl_s

    def _key(self, ref: str) -> str:
        return f"{self.prefix}checkout:context:{ref}"

    async def started(self, ref: str, cart: Cart, contact: Contact | None,
                      market: str | None) -> None:
        context = CheckoutContext(contact=contact, market=market)
        await self.redis.set(self._key(ref), context.model_dump_json(), ex=self.ttl_s)
        if contact is not None:
            lines = [OrderLine(product_id=ln.product_id, sku=ln.sku, title=ln.title,
                               quantity=ln.quantity, unit_price=ln.unit_price,
                               line_total=ln.line_total) for ln in cart.lines]
            await self._publish(CheckoutEvent(
                event_id=uuid.uuid4().hex, kind="started", cart_id=cart.id, owner=cart.owner,
                at=datetime.now(UTC), market=market, lines=lines, total=cart.subtotal,
                currency=cart.currency, contact=contact))

    async def cancelled(self, cart: Cart) -> None:
        await self._publish(CheckoutEvent(event_id=uuid.uuid4().hex, kind="cancelled",
                                          cart_id=cart.id, owner=cart.owner,
                                          at=datetime.now(UTC)))

    async def context(self, ref: str) -> CheckoutContext | None:
        raw = await self.redis.get(self._key(ref))
        return CheckoutContext.model_validate_json(raw) if raw else None

    async def complete(self, order: Order, ref: str) -> Order:
        """The order with the buyer's verified contact and market from its link's context."""
        context = await self.context(ref)
        if context is None:
            return order
        await self.redis.delete(self._key(ref))  # on the order now: no second copy kept
        return order.model_copy(update={"contact": context.contact or order.contact,
                                        "market": order.market or context.market})

    async def _publish(self, event: CheckoutEvent) -> None:
        if self.publish is None:
            return
        try:
            await self.publish(event)
        except Exception as exc:  # noqa: BLE001 - a missed reminder, not a failed checkout
            log.warning("checkout fact %s of cart %s not published: %s", event.kind,
                        event.cart_id, type(exc).__name__)
