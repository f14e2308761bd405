"""Signed checkout links: round trip, tamper and expiry detection, test-mode payment -> Order."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import pytest

from libs.contracts.orders import Order
from services.mcp_workers.storefront.basket_store import Cart, CartLine
from services.mcp_workers.storefront.checkout import (
    CheckoutTokenError,
    CheckoutTokenExpiredError,
    TestModePaymentProvider,
    make_checkout_url,
    owner_hash,
    verify_checkout_token,
)

SECRET = "test-secret"
NOW = 1_800_000_000.0


def cart(owner: str = "user-1") -> Cart:
    now = datetime.now(UTC)
    return Cart(id="cart_abc", owner=owner, currency="GBP", subtotal=590, total_quantity=2,
                created_at=now, updated_at=now,
                lines=[CartLine(product_id="P1", sku="H-1", title="Heart", quantity=2,
                                unit_price=295, line_total=590)])


def token_of(url: str) -> str:
    return parse_qs(urlparse(url).query)["token"][0]


def test_url_round_trip() -> None:
    url = make_checkout_url("https://shop.example/", cart(), SECRET, ttl=600, now=NOW)
    assert url.startswith("https://shop.example/checkout/cart_abc?token=")
    claims = verify_checkout_token(token_of(url), SECRET, now=NOW + 599)
    assert claims.cart_id == "cart_abc" and claims.total == 590 and claims.currency == "GBP"
    assert claims.lines == [("P1", "H-1", 2, 295)]
    assert claims.owner_hash == owner_hash("user-1") and "user-1" not in url


def test_tampered_payload_or_wrong_secret_is_rejected() -> None:
    token = token_of(make_checkout_url("https://s", cart(), SECRET, now=NOW))
    payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["total"] = 1
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    with pytest.raises(CheckoutTokenError, match="signature"):
        verify_checkout_token(f"{forged}.{signature}", SECRET, now=NOW)
    with pytest.raises(CheckoutTokenError):
        verify_checkout_token(token, "other-secret", now=NOW)
    with pytest.raises(CheckoutTokenError, match="malformed"):
        verify_checkout_token("garbage", SECRET, now=NOW)


def test_expired_link_is_rejected() -> None:
    token = token_of(make_checkout_url("https://s", cart(), SECRET, ttl=60, now=NOW))
    with pytest.raises(CheckoutTokenExpiredError):
        verify_checkout_token(token, SECRET, now=NOW + 60)


def test_empty_cart_or_missing_secret_gets_no_link() -> None:
    with pytest.raises(ValueError):
        make_checkout_url("https://s", cart().model_copy(update={"lines": []}), SECRET)
    with pytest.raises(ValueError):
        make_checkout_url("https://s", cart(), "")


async def test_test_mode_provider_turns_a_paid_link_into_an_order() -> None:
    provider = TestModePaymentProvider("https://shop.example", SECRET)
    link = await provider.create_payment_link(cart(), market="UK")
    assert link.provider == "test" and link.url.endswith(link.provider_ref)
    order = await provider.complete_payment(link.provider_ref, "user-1", market="UK")
    assert isinstance(order, Order)
    assert (order.cart_id, order.owner, order.total, order.currency, order.market) == (
        "cart_abc", "user-1", 590, "GBP", "UK")
    assert [(ln.sku, ln.quantity, ln.line_total) for ln in order.lines] == [("H-1", 2, 590)]
    with pytest.raises(CheckoutTokenError, match="another owner"):
        await provider.complete_payment(link.provider_ref, "mallory")
