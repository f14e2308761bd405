"""Signed checkout links and the payment-provider seam.

A checkout link carries a snapshot of the cart (id, owner, lines, total, currency, expiry) signed
with HMAC-SHA256, so the payment page can trust the amount without a lookup and nobody can edit
the price or quantities in the URL. The owner is stored as a hash: links end up in chat logs and
browser histories, and a raw user id or phone number should not. Verification compares in
constant time and rejects expired tokens.

`PaymentProvider` is the seam for a provider: `TestModePaymentProvider` (dev only) signs links
itself and turns a verified token into an `Order`; `stripe_provider.StripePaymentProvider` hands
out Stripe Checkout Sessions and confirms orders only from a signed Stripe webhook;
`RefusedPaymentProvider` stands in when no provider may run, so paying fails with a clear reason.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import quote as url_quote

from pydantic import BaseModel

from libs.contracts.orders import MarketPricing, Order, OrderLine
from services.mcp_workers.storefront.basket_store import Cart

DEFAULT_LINK_TTL_SECONDS = 30 * 60


class CheckoutTokenError(ValueError):
    """The token is malformed, was tampered with, or has expired."""


class CheckoutTokenExpiredError(CheckoutTokenError):
    pass


class CheckoutQuote(BaseModel):
    """The cart priced for the buyer's market (`market_prices`): the signed lines and total are
    in `pricing.currency`; `source_units` are the cart's own unit prices, which the cart must
    still hold when the link is paid."""

    pricing: MarketPricing
    source_units: list[int]


class CheckoutClaims(BaseModel):
    cart_id: str
    owner_hash: str
    lines: list[tuple[str, str, int, int]]  # (product id, sku, quantity, unit price)
    total: int
    currency: str
    expires_at: int  # unix seconds
    quote: CheckoutQuote | None = None  # set when priced in the market's currency


def owner_hash(owner: str) -> str:
    return hashlib.sha256(owner.encode()).hexdigest()[:24]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(payload: bytes, secret: str) -> bytes:
    return hmac.new(secret.encode(), payload, hashlib.sha256).digest()


def make_checkout_token(cart: Cart, secret: str, ttl: int = DEFAULT_LINK_TTL_SECONDS,
                        now: float | None = None, quote: CheckoutQuote | None = None) -> str:
    """A signed snapshot of `cart` (as it will be charged: in the market's currency when
    `quote` says how it was priced from the cart's own)."""
    if not secret:
        raise ValueError("a checkout secret is required")
    if not cart.lines:
        raise ValueError("cannot check out an empty cart")
    claims = CheckoutClaims(
        cart_id=cart.id,
        owner_hash=owner_hash(cart.owner),
        lines=[(ln.product_id, ln.sku, ln.quantity, ln.unit_price) for ln in cart.lines],
        total=cart.subtotal,
        currency=cart.currency,
        expires_at=int((time.time() if now is None else now) + ttl),
        quote=quote,
    )
    # Canonical JSON: sorted keys, no spaces, so the same snapshot always signs the same bytes
    # (no `quote` key at all when there is none: a shop-currency link is as it always was).
    payload = json.dumps(claims.model_dump(mode="json", exclude_none=True), sort_keys=True,
                         separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_sign(payload, secret))}"


def make_checkout_url(base_url: str, cart: Cart, secret: str,
                      ttl: int = DEFAULT_LINK_TTL_SECONDS, now: float | None = None) -> str:
    token = make_checkout_token(cart, secret, ttl, now)
    return f"{base_url.rstrip('/')}/checkout/{url_quote(cart.id)}?token={token}"


def link_ref(token: str) -> str:
    """A short stable name for one link (Redis keys, Stripe metadata): never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def verify_checkout_token(token: str, secret: str, now: float | None = None, *,
                          allow_expired: bool = False) -> CheckoutClaims:
    """The claims of a valid token; raises `CheckoutTokenError` on tamper, `...Expired` if old.
    `allow_expired` is for a payment the provider already confirmed: money moved, honour it."""
    try:
        payload_part, signature_part = token.split(".")
        payload, signature = _unb64(payload_part), _unb64(signature_part)
    except ValueError as exc:
        raise CheckoutTokenError("malformed checkout token") from exc
    if not hmac.compare_digest(signature, _sign(payload, secret)):
        raise CheckoutTokenError("checkout token signature mismatch")
    claims = CheckoutClaims.model_validate_json(payload)
    if not allow_expired and (time.time() if now is None else now) >= claims.expires_at:
        raise CheckoutTokenExpiredError("checkout link has expired")
    return claims


class PaymentError(Exception):
    """Paying cannot go on; `code` is what the gateway maps to a status."""

    code = "payment_failed"


class PaymentsUnavailableError(PaymentError):
    """No payment provider may run here (e.g. test mode outside MUSEO_ENV=dev)."""

    code = "payments_unavailable"


class ProviderConfirmationRequiredError(PaymentError):
    """Only the provider's own confirmation (a signed webhook) can mark this order paid."""

    code = "provider_confirmation_required"


class ProviderFailedError(PaymentError):
    """The provider's API refused or could not be reached."""

    code = "payment_provider_error"


def order_from_claims(claims: CheckoutClaims, owner: str, provider: str, payment_ref: str,
                      market: str | None = None) -> Order:
    lines = [OrderLine(product_id=pid, sku=sku, title=sku, quantity=qty, unit_price=unit,
                       line_total=qty * unit) for pid, sku, qty, unit in claims.lines]
    return Order(
        order_id=f"ord_{secrets.token_hex(8)}", cart_id=claims.cart_id, owner=owner,
        lines=lines, subtotal=claims.total, total=claims.total, currency=claims.currency,
        market=market, payment_provider=provider, payment_ref=payment_ref,
        created_at=datetime.now(UTC), pricing=claims.quote.pricing if claims.quote else None,
    )


class PaymentLink(BaseModel):
    url: str
    provider: str
    provider_ref: str
    expires_at: datetime
    ref: str | None = None  # `link_ref` of the signed token: what settles the order later


class PaymentProvider(Protocol):
    """What a payment provider does for us: hand out a link, then confirm it was paid."""

    name: str

    async def create_payment_link(self, cart: Cart, market: str | None = None,
                                  quote: CheckoutQuote | None = None) -> PaymentLink:
        """A link to pay `cart` as given (already in the buyer's currency when `quote`)."""
        ...

    async def complete_payment(self, provider_ref: str, owner: str,
                               market: str | None = None) -> Order: ...


class TestModePaymentProvider:
    """No money moves: the link is our own signed checkout URL; completing it makes an Order."""

    name = "test"
    __test__ = False  # not a pytest test class

    def __init__(self, base_url: str, secret: str, ttl: int = DEFAULT_LINK_TTL_SECONDS) -> None:
        self.base_url, self.secret, self.ttl = base_url, secret, ttl

    async def create_payment_link(self, cart: Cart, market: str | None = None,
                                  quote: CheckoutQuote | None = None) -> PaymentLink:
        token = make_checkout_token(cart, self.secret, self.ttl, quote=quote)
        claims = verify_checkout_token(token, self.secret)
        return PaymentLink(
            url=f"{self.base_url.rstrip('/')}/checkout/{url_quote(cart.id)}?token={token}",
            provider=self.name, provider_ref=token,
            expires_at=datetime.fromtimestamp(claims.expires_at, UTC), ref=link_ref(token),
        )

    async def complete_payment(self, provider_ref: str, owner: str,
                               market: str | None = None) -> Order:
        """Verify the token (the provider ref) belongs to `owner` and build the Order."""
        claims = verify_checkout_token(provider_ref, self.secret)
        if not hmac.compare_digest(claims.owner_hash, owner_hash(owner)):
            raise CheckoutTokenError("checkout token belongs to another owner")
        return order_from_claims(claims, owner, self.name, link_ref(provider_ref)[:16], market)


class RefusedPaymentProvider:
    """Stands in when no provider may run: the shop still browses, paying says why it cannot."""

    name = "refused"

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def create_payment_link(self, cart: Cart, market: str | None = None,
                                  quote: CheckoutQuote | None = None) -> PaymentLink:
        raise PaymentsUnavailableError(self.reason)

    async def complete_payment(self, provider_ref: str, owner: str,
                               market: str | None = None) -> Order:
        raise PaymentsUnavailableError(self.reason)
