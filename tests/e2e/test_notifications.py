"""Notifications through the whole system as `make run` starts it: a signed-in Spanish customer
buys a product of the demo catalog (priced in pounds) in test mode through the gateway; the
checkout is in euros at the price the markets service quotes for Spain, and a Spanish order
confirmation whose € amounts are the order's arrives in Mailpit (the launcher's); an admin
records the shipment and the shipping update follows; the admin reads the delivery status over
HTTP."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from deploy.local import mailpit
from libs.contracts.notifications import notification_id
from libs.locale import format_money
from tests.e2e.conftest import System

LUCIA = "lucia@example.com"  # the demo customer with market EU, language es


@pytest.fixture
def mailbox(system: System) -> Iterator[httpx.Client]:
    port = system.env.get("MUSEO_MAILPIT_HTTP_PORT", str(mailpit.HTTP_PORT))  # the system's own
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as box:
        yield box


def wait_for_mail(box: httpx.Client, needle: str, timeout: float = 180) -> dict[str, Any]:
    """The message to Lucía whose subject holds `needle` (order ids are unique per run)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = box.get("/api/v1/search", params={"query": f'to:"{LUCIA}"', "limit": 200})
        for summary in found.json()["messages"]:
            if needle in summary["Subject"]:
                return dict(box.get(f"/api/v1/message/{summary['ID']}").json())
        time.sleep(0.3)
    raise AssertionError(f"no email about {needle} for {LUCIA} in Mailpit")


def demo_product(client: httpx.Client) -> tuple[str, int, str]:
    """(SKU, price in pence, title) of an in-stock product of the demo catalog (all GBP)."""
    found = client.get("/v1/catalog/search", params={"q": "heart", "available": "true"})
    assert found.status_code == 200, found.text
    for product in found.json()["products"]:
        for variant in product["variants"]:
            if variant["stock"] >= 2:
                assert variant["price"]["currency"] == "GBP"
                return variant["sku"], variant["price"]["amount"], product["title"]
    raise AssertionError("no demo product in stock")


def test_spanish_customer_checkout_mails_a_spanish_confirmation_then_the_shipping_update(
        client: httpx.Client, admin_headers: dict[str, str], mailbox: httpx.Client) -> None:
    token = client.post("/v1/demo/customer-token", json={"customer_id": "lucia"})
    assert token.status_code == 200, token.text
    lucia = {"authorization": f"Bearer {token.json()['token']}"}
    assert client.get("/v1/me", headers=lucia).json()["subject"] == "customer:lucia"

    sku, pence, title = demo_product(client)
    quoted = client.post("/v1/markets/localize", json={
        "country": "ES", "items": [{"id": sku, "amount": pence, "currency": "GBP"}]})
    assert quoted.status_code == 200, quoted.text
    unit = quoted.json()["prices"][0]
    assert unit["currency"] == "EUR" and unit["quantity"] == 1

    cart = client.post("/v1/carts", headers=lucia, json={"lines": [{"sku": sku, "quantity": 2}]})
    assert cart.status_code == 201, cart.text
    assert cart.json()["cart"]["subtotal"] == {"amount": 2 * pence, "currency": "GBP"}
    cart_id = cart.json()["cart"]["id"]
    link = client.post(f"/v1/carts/{cart_id}/checkout", headers=lucia,
                       json={"country": "ES"})  # she shops in Spain: nothing names an address
    assert link.status_code == 200, link.text
    total = {"amount": 2 * unit["amount"], "currency": "EUR"}  # what markets quotes, x2
    assert link.json()["total"] == total
    url = httpx.URL(link.json()["checkout_url"])
    assert "lucia" not in str(url)
    page = client.get(str(url))  # the test-mode checkout page shows the same euros
    assert page.status_code == 200 and format_money(total["amount"], "EUR", "en_GB") in page.text
    assert 'id="pricing"' in page.text and "converted from GBP" in page.text
    paid = client.post(f"{url.path}/pay", data={"token": url.params["token"]})
    assert paid.status_code == 200, paid.text
    match = re.search(r'id="order-id">([^<]+)<', paid.text)
    assert match is not None
    order_id = match.group(1)
    order = client.get(f"/v1/orders/{order_id}", headers=lucia)
    assert order.status_code == 200, order.text
    assert order.json()["order"]["total"] == total  # amount paid = link = order

    confirmation = wait_for_mail(mailbox, order_id)
    assert confirmation["Subject"] == f"Tu pedido {order_id} está confirmado"
    euros = format_money(total["amount"], "EUR", "es_ES")  # e.g. "6,98\u00a0€"
    assert euros.endswith("\u00a0€") and "£" not in confirmation["Text"]
    assert f"Total: {euros}" in confirmation["Text"]
    assert f"2 × {title}: {euros}" in confirmation["Text"]
    assert euros in confirmation["HTML"] and "£" not in confirmation["HTML"]
    headers = mailbox.get(f"/api/v1/message/{confirmation['ID']}/headers").json()
    assert headers["Content-Language"] == ["es"]
    assert headers["List-Unsubscribe"][0].startswith(f"<{client.base_url}/unsubscribe/")
    unsubscribe = client.get(headers["List-Unsubscribe"][0].strip("<>"))
    assert unsubscribe.status_code == 200 and "l***@example.com" in unsubscribe.text

    nid = notification_id(f"order:{order_id}", "email")
    status = client.get(f"/v1/admin/notifications/{nid}", headers=admin_headers)
    assert status.status_code == 200, status.text
    assert status.json()["current"]["state"] == "sent"

    shipped = client.post("/v1/admin/shipments", headers=admin_headers, json={
        "order_id": order_id, "carrier": "Correos", "tracking_number": "PQ4F6P0000001",
        "tracking_url": "https://www.correos.es/es/es/herramientas/localizador/envios"})
    assert shipped.status_code == 202, shipped.text
    update = wait_for_mail(mailbox, f"{order_id} está en camino")
    assert "Correos" in update["Text"] and "PQ4F6P0000001" in update["Text"]
