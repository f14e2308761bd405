"""Notifications through the whole system as `make run` starts it: a signed-in Spanish customer
checks out in test mode through the gateway and a Spanish order confirmation with € amounts
arrives in Mailpit (the launcher's); an admin records the shipment and the shipping update
follows; the admin reads the delivery status over HTTP."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from deploy.local import mailpit
from libs.contracts.notifications import notification_id
from tests.e2e.conftest import System

LUCIA = "lucia@example.com"  # the demo customer with market EU, language es


@pytest.fixture
def mailbox(system: System) -> Iterator[httpx.Client]:
    port = system.env.get("MUSEO_MAILPIT_HTTP_PORT", str(mailpit.HTTP_PORT))  # the system's own
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as box:
        yield box


def wait_for_mail(box: httpx.Client, needle: str, timeout: float = 60) -> dict[str, Any]:
    """The message to Lucía whose subject holds `needle` (order ids are unique per run)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = box.get("/api/v1/search", params={"query": f'to:"{LUCIA}"', "limit": 200})
        for summary in found.json()["messages"]:
            if needle in summary["Subject"]:
                return dict(box.get(f"/api/v1/message/{summary['ID']}").json())
        time.sleep(0.3)
    raise AssertionError(f"no email about {needle} for {LUCIA} in Mailpit")


@pytest.fixture
def euro_product(client: httpx.Client, admin_headers: dict[str, str]) -> Iterator[str]:
    """A product the shop sells in euros (the demo catalog is priced in pounds)."""
    pid = f"E2E-EUR-{uuid.uuid4().hex[:8].upper()}"
    product = {"id": pid, "handle": pid.lower(), "currency": "EUR",
               "title": {"en": "Ceramic heart", "es": "Corazón de cerámica"},
               "variants": [{"sku": pid, "price": 1250, "stock": 20}]}
    made = client.post("/v1/admin/products", json=product, headers=admin_headers)
    assert made.status_code == 201, made.text
    for _ in range(100):  # catalog.products -> the storefront's live read model
        if client.get(f"/v1/products/{pid}").status_code == 200:
            break
        time.sleep(0.2)
    yield pid
    client.delete(f"/v1/admin/products/{pid}", headers=admin_headers)


def test_spanish_customer_checkout_mails_a_spanish_confirmation_then_the_shipping_update(
        client: httpx.Client, admin_headers: dict[str, str], mailbox: httpx.Client,
        euro_product: str) -> None:
    token = client.post("/v1/demo/customer-token", json={"customer_id": "lucia"})
    assert token.status_code == 200, token.text
    lucia = {"authorization": f"Bearer {token.json()['token']}"}
    assert client.get("/v1/me", headers=lucia).json()["subject"] == "customer:lucia"

    cart = client.post("/v1/carts", headers=lucia,
                       json={"lines": [{"sku": euro_product, "quantity": 2}]})
    assert cart.status_code == 201, cart.text
    cart_id = cart.json()["cart"]["id"]
    link = client.post(f"/v1/carts/{cart_id}/checkout", headers=lucia,
                       json={"country": "ES"})  # she shops in Spain: nothing names an address
    assert link.status_code == 200, link.text
    url = httpx.URL(link.json()["checkout_url"])
    assert "lucia" not in str(url)
    paid = client.post(f"{url.path}/pay", data={"token": url.params["token"]})
    assert paid.status_code == 200, paid.text
    match = re.search(r'id="order-id">([^<]+)<', paid.text)
    assert match is not None
    order_id = match.group(1)

    confirmation = wait_for_mail(mailbox, order_id)
    assert confirmation["Subject"] == f"Tu pedido {order_id} está confirmado"
    assert "25,00\u00a0€" in confirmation["Text"] and "2 × Ceramic heart" in confirmation["Text"]
    assert "25,00\u00a0€" in confirmation["HTML"]
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
