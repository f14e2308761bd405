"""The storefront through the launcher's whole system: real demo products in search, a cart
that belongs to its session, a signed checkout link, test-mode payment, order status."""

from __future__ import annotations

import re
from typing import Any

import httpx

SESSION = "X-Museo-Session"


def in_stock_sku(client: httpx.Client, query: str) -> tuple[str, dict[str, Any]]:
    found = client.get("/v1/catalog/search", params={"q": query, "available": "true"})
    assert found.status_code == 200, found.text
    products = found.json()["products"]
    assert products, f"no demo products for {query!r}"
    product = products[0]
    variant = next(v for v in product["variants"] if v["stock"] >= 2)
    return variant["sku"], product


def test_search_returns_real_demo_products(client: httpx.Client) -> None:
    found = client.get("/v1/catalog/search", params={"q": "heart", "limit": 5}).json()
    assert found["total"] > 5 and len(found["products"]) == 5
    assert all("heart" in p["title"].lower() for p in found["products"][:3])
    product = client.get(f"/v1/products/{found['products'][0]['id']}").json()["product"]
    assert product["price"]["amount"] > 0 and product["price"]["currency"] == "GBP"
    tazas = client.get("/v1/catalog/search", params={"q": "tazas", "language": "es"}).json()
    assert tazas["products"], "Spanish query finds English-titled mugs"


def test_cart_checkout_pay_and_order_status(client: httpx.Client) -> None:
    sku, _ = in_stock_sku(client, "mug")
    made = client.post("/v1/carts", json={"lines": [{"sku": sku, "quantity": 1}]})
    assert made.status_code == 201, made.text
    mine = {SESSION: made.headers[SESSION]}
    cart_id = made.json()["cart"]["id"]
    client.cookies.clear()  # the session cookie would make the "stranger" this same shopper
    stranger = client.post("/v1/carts", json={"lines": []}).headers[SESSION]
    assert client.get(f"/v1/carts/{cart_id}", headers={SESSION: stranger}).status_code == 403

    updated = client.put(
        f"/v1/carts/{cart_id}", headers=mine, json={"lines": [{"sku": sku, "quantity": 2}]}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["cart"]["total_quantity"] == 2

    link = client.post(f"/v1/carts/{cart_id}/checkout", headers=mine)
    assert link.status_code == 200, link.text
    url = httpx.URL(link.json()["checkout_url"])
    assert str(url).startswith(str(client.base_url))
    page = client.get(url.path, params=dict(url.params))
    assert page.status_code == 200 and "Pay (test mode)" in page.text
    paid = client.post(f"{url.path}/pay", data={"token": url.params["token"]})
    assert paid.status_code == 200, paid.text
    match = re.search(r'id="order-id">([^<]+)<', paid.text)
    assert match is not None
    order = client.get(f"/v1/orders/{match.group(1)}", headers=mine).json()["order"]
    assert order["total"] == link.json()["total"]
    assert order["lines"][0]["sku"] == sku and order["lines"][0]["quantity"] == 2
    cart = client.get(f"/v1/carts/{cart_id}", headers=mine).json()["cart"]
    assert cart["status"] == "checked_out" and cart["lines"] == []
