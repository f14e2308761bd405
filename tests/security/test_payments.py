"""Payments that mean something: holding a link never buys anything by itself.

Each test attacks the real gateway with the real storefront worker behind it (real Kafka and
Redis; Stripe mode against the official stripe-mock server)."""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from services.mcp_workers.storefront.basket_store import Cart
from services.mcp_workers.storefront.checkout import make_checkout_token
from tests.security.payments_fixtures import (
    CHECKOUT_SECRET,
    SESSION,
    WEBHOOK_SECRET,
    Shop,
    cart_with_link,
    completed_event,
    shop,
    stripe_session_of,
    stripe_signature,
    token_of,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stripe_mock() -> Iterator[str]:
    from deploy.local.stripe_mock import start_stripe_mock

    proc, url = start_stripe_mock()
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def stripe_env(api_base: str) -> dict[str, str]:
    return {"MUSEO_ENV": "production", "MUSEO_PAYMENT_PROVIDER": "stripe",
            "MUSEO_STRIPE_API_KEY": "sk_test_123", "MUSEO_STRIPE_API_BASE": api_base,
            "MUSEO_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET}


async def leaked_link_token(s: Shop, cart_id: str) -> str:
    """A correctly signed test-mode link for the cart (as an old dev run would have made)."""
    raw = await s.redis.get(f"{s.prefix}basket:{cart_id}")
    assert raw is not None
    return make_checkout_token(Cart.model_validate_json(raw), CHECKOUT_SECRET)


async def orders_of(http: httpx.AsyncClient, mine: dict[str, str]) -> list[dict[str, Any]]:
    resp = await http.get("/v1/orders", headers=mine)
    assert resp.status_code == 200, resp.text
    return list(resp.json()["orders"])


async def test_test_mode_payment_is_refused_outside_dev(kafka_bootstrap: str,
                                                       redis_url: str) -> None:
    async with shop(kafka_bootstrap, redis_url, {"MUSEO_ENV": "production"}) as s, \
            httpx.AsyncClient(base_url=s.base, timeout=30) as http:
        mine, cart_id, link = await cart_with_link(http)
        assert link.status_code == 503, link.text
        assert link.json()["error"]["code"] == "payments_unavailable"
        assert "MUSEO_ENV=dev" in link.json()["error"]["message"]
        paid = await http.post(f"/checkout/{cart_id}/pay",
                               data={"token": await leaked_link_token(s, cart_id)})
        assert paid.status_code == 503, paid.text
        assert "order-id" not in paid.text
        assert await orders_of(http, mine) == []


async def test_stripe_link_holder_cannot_mark_an_order_paid(kafka_bootstrap: str, redis_url: str,
                                                           stripe_mock: str) -> None:
    async with shop(kafka_bootstrap, redis_url, stripe_env(stripe_mock)) as s, \
            httpx.AsyncClient(base_url=s.base, timeout=30) as http:
        mine, cart_id, link = await cart_with_link(http)
        assert link.status_code == 200, link.text
        assert link.json()["checkout_url"].startswith("https://checkout.stripe.com/")
        paid = await http.post(f"/checkout/{cart_id}/pay",
                               data={"token": await leaked_link_token(s, cart_id)})
        assert paid.status_code == 402, paid.text
        assert await orders_of(http, mine) == []


async def test_forged_unsigned_and_stale_stripe_webhooks_are_refused(
    kafka_bootstrap: str, redis_url: str, stripe_mock: str
) -> None:
    async with shop(kafka_bootstrap, redis_url, stripe_env(stripe_mock)) as s, \
            httpx.AsyncClient(base_url=s.base, timeout=30) as http:
        mine, cart_id, link = await cart_with_link(http)
        total = link.json()["total"]
        session = await stripe_session_of(s, cart_id)
        payload = completed_event(session, amount_total=total["amount"],
                                  currency=total["currency"].lower())

        async def send(body: str, signature: str | None) -> httpx.Response:
            headers = {"Content-Type": "application/json"}
            if signature is not None:
                headers["Stripe-Signature"] = signature
            return await http.post("/webhooks/stripe", content=body.encode(), headers=headers)

        unsigned = await send(payload, None)
        forged = await send(payload, stripe_signature(payload, "whsec_guessed"))
        stale = await send(payload, stripe_signature(payload, WEBHOOK_SECRET,
                                                     at=int(time.time()) - 3600))
        cheaper = payload.replace(f'"amount_total": {total["amount"]}', '"amount_total": 1')
        tampered = await send(cheaper, stripe_signature(payload, WEBHOOK_SECRET))
        for answer in (unsigned, forged, stale, tampered):
            assert answer.status_code == 400, answer.text
            assert answer.json()["error"]["code"] == "invalid_signature"
        assert await orders_of(http, mine) == []

        genuine = await send(payload, stripe_signature(payload, WEBHOOK_SECRET))
        assert genuine.status_code == 200, genuine.text
        order_id = genuine.json()["order_id"]
        again = await send(payload, stripe_signature(payload, WEBHOOK_SECRET))
        assert again.status_code == 200 and again.json()["duplicate"] is True
        orders = await orders_of(http, mine)
        assert [(o["order_id"], o["payment_provider"]) for o in orders] == [(order_id, "stripe")]


async def test_two_links_for_one_cart_cannot_both_be_paid(kafka_bootstrap: str,
                                                         redis_url: str) -> None:
    async with shop(kafka_bootstrap, redis_url, {"MUSEO_ENV": "dev"}) as s, \
            httpx.AsyncClient(base_url=s.base, timeout=30) as http:
        mine, cart_id, first = await cart_with_link(http)
        await asyncio.sleep(1.1)  # links sign their expiry second: a later one differs
        second = await http.post(f"/v1/carts/{cart_id}/checkout", headers=mine, json={})
        tokens = [token_of(first.json()["checkout_url"]), token_of(second.json()["checkout_url"])]
        assert tokens[0] != tokens[1]
        answers = await asyncio.gather(*(http.post(f"/checkout/{cart_id}/pay", data={"token": t})
                                         for t in tokens))
        assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
        winner = next(t for t, a in zip(tokens, answers, strict=True) if a.status_code == 200)
        order_id = re.search(r'id="order-id">([^<]+)<', answers[tokens.index(winner)].text)
        assert order_id is not None
        loser = tokens[1 - tokens.index(winner)]
        late = await http.post(f"/checkout/{cart_id}/pay", data={"token": loser})
        assert late.status_code == 409 and "already paid" in late.text
        repeat = await http.post(f"/checkout/{cart_id}/pay", data={"token": winner})
        assert repeat.status_code == 200 and order_id.group(1) in repeat.text
        assert [o["order_id"] for o in await orders_of(http, mine)] == [order_id.group(1)]


async def test_a_second_stripe_payment_of_one_cart_is_refunded_not_ordered(
    kafka_bootstrap: str, redis_url: str, stripe_mock: str
) -> None:
    async with shop(kafka_bootstrap, redis_url, stripe_env(stripe_mock)) as s, \
            httpx.AsyncClient(base_url=s.base, timeout=30) as http:
        mine, cart_id, link = await cart_with_link(http)
        total = link.json()["total"]
        first = await stripe_session_of(s, cart_id)
        await asyncio.sleep(1.1)
        assert (await http.post(f"/v1/carts/{cart_id}/checkout", headers=mine,
                                json={})).status_code == 200
        second = await stripe_session_of(s, cart_id)
        assert first["metadata"] != second["metadata"]
        answers = []
        for session in (first, second):
            body = completed_event(session, amount_total=total["amount"],
                                   currency=total["currency"].lower())
            answers.append(await http.post("/webhooks/stripe", content=body.encode(), headers={
                "Stripe-Signature": stripe_signature(body, WEBHOOK_SECRET)}))
        assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
        assert answers[0].json()["order_id"]
        assert answers[1].json()["order_id"] is None and answers[1].json()["refunded"] is True
        assert [o["order_id"] for o in await orders_of(http, mine)] == [answers[0].json()["order_id"]]


async def test_a_stripe_paid_order_carries_the_signed_in_buyers_contact_not_a_sent_one(
    kafka_bootstrap: str, redis_url: str, stripe_mock: str
) -> None:
    from libs.auth.customer import CustomerTokens
    from libs.contracts.orders import Order

    async with shop(kafka_bootstrap, redis_url, stripe_env(stripe_mock)) as s, \
            httpx.AsyncClient(base_url=s.base, timeout=30) as http:
        lucia = {"Authorization": f"Bearer {CustomerTokens().issue('lucia', 'lucia@example.com')}"}
        made = await http.post("/v1/carts", headers=lucia,
                               json={"lines": [{"sku": "H-1", "quantity": 1}]})
        assert made.status_code == 201, made.text
        cart_id = made.json()["cart"]["id"]
        link = await http.post(f"/v1/carts/{cart_id}/checkout", headers=lucia, json={
            "country": "ES", "contact": {"email": "attacker@evil.example"}})
        assert link.status_code == 200, link.text
        total = link.json()["total"]
        payload = completed_event(await stripe_session_of(s, cart_id),
                                  amount_total=total["amount"], currency=total["currency"].lower())
        paid = await http.post("/webhooks/stripe", content=payload.encode(), headers={
            "Content-Type": "application/json",
            "Stripe-Signature": stripe_signature(payload, WEBHOOK_SECRET)})
        assert paid.status_code == 200, paid.text
        raw = await s.redis.get(f"{s.prefix}order:{paid.json()['order_id']}")
        assert raw is not None
        order = Order.model_validate_json(raw)
        assert order.owner == "customer:lucia" and order.market == "EU"
        # Priced for Spain by markets: Stripe was asked for, and the order records, euros.
        assert total["currency"] == "EUR" and (order.currency, order.total) == ("EUR",
                                                                                total["amount"])
        assert order.pricing is not None and order.pricing.source_currency == "GBP"
        assert order.contact is not None
        assert (order.contact.email, order.contact.country) == ("lucia@example.com", "ES")


async def test_no_price_from_markets_means_no_link_not_a_wrong_amount(
        kafka_bootstrap: str, redis_url: str) -> None:
    async with shop(kafka_bootstrap, redis_url, {"MUSEO_ENV": "dev"}) as s, \
            httpx.AsyncClient(base_url=s.base, timeout=30) as http:
        made = await http.post("/v1/carts", json={"lines": [{"sku": "H-1", "quantity": 1}]})
        assert made.status_code == 201, made.text
        mine, cart_id = {SESSION: made.headers[SESSION]}, made.json()["cart"]["id"]
        unknown = await http.post(f"/v1/carts/{cart_id}/checkout", headers=mine,
                                  json={"country": "XQ"})  # markets knows no such country
        assert unknown.status_code == 422, unknown.text
        assert unknown.json()["error"]["code"] == "market_unsupported"
        await s.markets.stop()  # markets is down: Spain's price cannot be quoted
        link = await http.post(f"/v1/carts/{cart_id}/checkout", headers=mine,
                               json={"country": "ES"})
        assert link.status_code == 503, link.text
        assert link.json()["error"]["code"] == "pricing_unavailable"
        assert link.headers["Retry-After"]
        home = await http.post(f"/v1/carts/{cart_id}/checkout", headers=mine,
                               json={"country": "GB"})  # pounds need no quote
        assert home.status_code == 200, home.text
        assert home.json()["total"] == {"amount": 295, "currency": "GBP"}
