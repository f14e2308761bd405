"""Stripe Checkout Sessions behind `PaymentProvider`, and the webhook that confirms orders.

A payment link is a Checkout Session (`POST /v1/checkout/sessions`, form-encoded by the official
SDK: `line_items[n][price_data]` with `unit_amount` in minor units, `success_url`/`cancel_url`,
`client_reference_id` = cart id, `metadata.museo_ref` = our link's ref); the shopper pays on the
session `url`. Nothing on our side marks an order paid: only `checkout.session.completed` (with
`payment_status=paid`) or `checkout.session.async_payment_succeeded`, in a webhook whose
`Stripe-Signature` verifies (`Webhook.construct_event`: HMAC-SHA256 of `"{t}.{raw body}"` with the
endpoint secret, `t` within the tolerance), makes the order. Events are idempotent by event id,
and the order by link (`OrderDesk.settle`).

One cart has at most one open session: a new link expires the previous session at Stripe, so
two links of one cart cannot both take money. If two payments still race through (a session
completed while being expired), the second is refunded at once and answered `already_paid`.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

import stripe
from redis.asyncio import Redis

from libs.contracts.orders import Order
from services.mcp_workers.storefront.basket import LineError
from services.mcp_workers.storefront.basket_store import Cart
from services.mcp_workers.storefront.checkout import (
    DEFAULT_LINK_TTL_SECONDS,
    CheckoutQuote,
    CheckoutTokenError,
    PaymentLink,
    ProviderConfirmationRequiredError,
    ProviderFailedError,
    link_ref,
    make_checkout_token,
    order_from_claims,
    verify_checkout_token,
)
from services.mcp_workers.storefront.order_views import WebhookResult
from services.mcp_workers.storefront.orders import OrderDesk

log = logging.getLogger(__name__)
LINK_RECORD_TTL_S = 4 * 86400  # Stripe retries a webhook for up to 3 days
EVENT_SEEN_TTL_S = 7 * 86400
PAID_EVENTS = {"checkout.session.completed", "checkout.session.async_payment_succeeded"}
SESSION_MIN_S, SESSION_MAX_S = 1860, 86400  # Stripe: expires_at 30 min .. 24 h ahead


class StripePaymentProvider:
    """Hands out Checkout Sessions; `complete_payment` always refuses (webhook only)."""

    name = "stripe"

    def __init__(self, client: stripe.StripeClient, *, base_url: str, secret: str,
                 webhook_secret: str, redis: Redis, prefix: str = "",
                 ttl: int = DEFAULT_LINK_TTL_SECONDS, tolerance_s: int = 300) -> None:
        if not webhook_secret:
            raise ValueError("a Stripe webhook signing secret is required")
        self.client, self.base_url, self.secret = client, base_url.rstrip("/"), secret
        self.webhook_secret, self.redis, self.prefix = webhook_secret, redis, prefix
        self.ttl, self.tolerance_s = ttl, tolerance_s

    def _k(self, *parts: str) -> str:
        return self.prefix + ":".join(("stripe", *parts))

    async def create_payment_link(self, cart: Cart, market: str | None = None,
                                  quote: CheckoutQuote | None = None) -> PaymentLink:
        """A Checkout Session for `cart` as given: its currency and unit amounts are what
        Stripe charges (the market's, when `quote` priced it for the buyer)."""
        lifetime = min(max(self.ttl, SESSION_MIN_S), SESSION_MAX_S)
        token = make_checkout_token(cart, self.secret, ttl=lifetime, quote=quote)
        ref = link_ref(token)
        expires_at = int(time.time()) + lifetime
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {"quantity": ln.quantity, "price_data": {
                    "currency": cart.currency.lower(), "unit_amount": ln.unit_price,
                    "product_data": {"name": ln.title or ln.sku, "metadata": {"sku": ln.sku}}}}
                for ln in cart.lines
            ],
            "success_url": f"{self.base_url}/checkout/{cart.id}/done?session_id="
                           "{CHECKOUT_SESSION_ID}",
            "cancel_url": f"{self.base_url}/checkout/{cart.id}/cancelled",
            "client_reference_id": cart.id,
            "metadata": {"museo_ref": ref, "cart_id": cart.id},
            "expires_at": expires_at,
        }
        await self._expire_previous(cart.id)
        try:
            session = await self.client.v1.checkout.sessions.create_async(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": f"museo-{ref}"})
        except stripe.StripeError as exc:
            log.warning("Stripe refused a Checkout Session: %s", exc.user_message or exc)
            raise ProviderFailedError("the payment provider is not answering; try again") from exc
        record = {"token": token, "owner": cart.owner, "session_id": session.id,
                  "market": market}
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._k("link", ref), json.dumps(record), ex=LINK_RECORD_TTL_S)
            pipe.set(self._k("cart", cart.id), session.id, ex=LINK_RECORD_TTL_S)
            await pipe.execute()
        return PaymentLink(url=str(session.url), provider=self.name, provider_ref=session.id,
                           expires_at=datetime.fromtimestamp(expires_at, UTC), ref=ref)

    async def _expire_previous(self, cart_id: str) -> None:
        previous = await self.redis.get(self._k("cart", cart_id))
        if previous is None:
            return
        sid = previous.decode() if isinstance(previous, bytes) else previous
        try:
            await self.client.v1.checkout.sessions.expire_async(sid)
        except stripe.InvalidRequestError:
            pass  # already expired or completed: nothing left to close
        except stripe.StripeError as exc:
            raise ProviderFailedError("could not close the cart's previous payment link") from exc

    async def complete_payment(self, provider_ref: str, owner: str,
                               market: str | None = None) -> Order:
        raise ProviderConfirmationRequiredError(
            "this shop takes payment through Stripe: an order is confirmed only when Stripe "
            "confirms the payment")

    def verify(self, payload: str, signature: str) -> stripe.Event:
        """The event, if `signature` is Stripe's for this exact payload and recent enough."""
        return stripe.Webhook.construct_event(payload, signature, self.webhook_secret,
                                              tolerance=self.tolerance_s)

    async def refund(self, payment_intent: str | None) -> bool:
        if not payment_intent:
            return False
        await self.client.v1.refunds.create_async(
            params={"payment_intent": payment_intent, "reason": "duplicate"},
            options={"idempotency_key": f"museo-refund-{payment_intent}"})
        return True


def _fail(code: str, message: str) -> WebhookResult:
    return WebhookResult(errors=[LineError(line=-1, code=code, message=message)])


class StripeWebhooks:
    """`handle(raw body, Stripe-Signature)`: verify, then settle the order once."""

    def __init__(self, provider: StripePaymentProvider, desk: OrderDesk) -> None:
        self.provider, self.desk = provider, desk

    async def handle(self, payload: str, signature: str) -> WebhookResult:
        try:
            event = self.provider.verify(payload, signature)
        except stripe.SignatureVerificationError as exc:
            return _fail("invalid_signature", f"Stripe-Signature does not verify: {exc}")
        except ValueError:
            return _fail("invalid_payload", "the webhook body is not a Stripe event")
        seen = self.provider._k("event", event.id)
        if await self.provider.redis.exists(seen):
            return WebhookResult(received=True, event_id=event.id, duplicate=True)
        result = await self._apply(event)
        if not result.errors:  # only a handled event is remembered: a failure is retried
            await self.provider.redis.set(seen, "1", ex=EVENT_SEEN_TTL_S)
        return result.model_copy(update={"event_id": event.id, "received": not result.errors})

    async def _apply(self, event: stripe.Event) -> WebhookResult:
        if event.type not in PAID_EVENTS:
            return WebhookResult(ignored=f"event type {event.type} is not handled")
        session: dict[str, Any] = event.data.object.to_dict()
        if session.get("payment_status") != "paid":
            return WebhookResult(ignored="not paid yet (an async payment method)")
        ref = (session.get("metadata") or {}).get("museo_ref")
        raw = await self.provider.redis.get(self.provider._k("link", str(ref))) if ref else None
        record = json.loads(raw) if raw else None
        if record is None or record.get("session_id") != session.get("id"):
            return WebhookResult(ignored="not a session of this shop")
        try:
            claims = verify_checkout_token(record["token"], self.provider.secret,
                                           allow_expired=True)
        except CheckoutTokenError:
            return _fail("invalid_token", "the stored link does not verify")
        if (session.get("amount_total") != claims.total
                or str(session.get("currency", "")).upper() != claims.currency.upper()):
            log.error("Stripe session %s paid %s %s for a link of %s %s", session.get("id"),
                      session.get("amount_total"), session.get("currency"), claims.total,
                      claims.currency)
            return _fail("amount_mismatch", "the amount paid is not the amount of the link")

        async def make(cart: Cart) -> Order:
            return order_from_claims(claims, record["owner"], "stripe", str(session["id"]),
                                     record.get("market"))

        settled = await self.desk.settle(claims, str(ref), make, confirmed=True,
                                         owner=record["owner"])
        if settled.errors and settled.errors[0].code == "already_paid":
            refunded = await self.provider.refund(session.get("payment_intent"))
            log.warning("second payment of cart %s refunded: %s", claims.cart_id, refunded)
            return WebhookResult(ignored=settled.errors[0].message, refunded=refunded)
        return WebhookResult(order=settled.order, errors=settled.errors)
