"""An admin through the whole system: natural-language product, live in the storefront; import."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def search_titles(client: httpx.Client, query: str) -> list[str]:
    resp = client.get("/v1/catalog/search", params={"q": query, "limit": 5})
    assert resp.status_code == 200, resp.text
    return [p["title"] for p in resp.json()["products"]]


def remove_starry_night(client: httpx.Client, headers: dict[str, str]) -> None:
    found = client.get("/v1/catalog/search", params={"q": "starry night poster", "limit": 10})
    for product in found.json()["products"]:
        if "Starry Night" in product["title"]:
            resp = client.delete(f"/v1/admin/products/{product['id']}", headers=headers)
            assert resp.status_code < 300, resp.text
    for _ in range(50):
        if not any("Starry Night" in t for t in search_titles(client, "starry night poster")):
            return
        time.sleep(0.2)
    raise AssertionError("the deleted product stayed in the storefront")


def test_admin_api_refuses_without_a_token(client: httpx.Client) -> None:
    assert client.post("/v1/admin/products/parse", json={"text": "add a mug"}).status_code == 401


def test_natural_language_product_is_confirmed_then_sold(
    client: httpx.Client, admin_headers: dict[str, str]
) -> None:
    remove_starry_night(client, admin_headers)  # the broker may keep it from an earlier run
    text = "add a 50x70 cm poster of The Starry Night at 29.90 GBP in prints"
    parsed = client.post("/v1/admin/products/parse", json={"text": text}, headers=admin_headers)
    assert parsed.status_code == 200, parsed.text
    draft = parsed.json()
    assert draft["confirmation_token"], f"nothing should be missing: {draft}"
    assert not any("Starry" in t for t in search_titles(client, "starry night poster")), \
        "parsing alone writes nothing"
    confirmed = client.post("/v1/admin/products/confirm", json={"token": draft["confirmation_token"]},
                            headers=admin_headers)
    assert confirmed.status_code < 300, confirmed.text
    for _ in range(50):  # catalog.products -> the storefront's live read model
        if any("Starry Night" in t for t in search_titles(client, "starry night poster")):
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the new product never reached the storefront")
    remove_starry_night(client, admin_headers)


def test_import_reports_bad_rows_and_applies_good_ones(
    client: httpx.Client, admin_headers: dict[str, str]
) -> None:
    with (FIXTURES / "bad_prices.csv").open("rb") as fh:
        started = client.post("/v1/admin/imports", files={"file": ("bad_prices.csv", fh, "text/csv")},
                              headers=admin_headers)
    assert started.status_code == 202, started.text
    job_id = started.json()["job_id"]
    for _ in range(100):
        job = client.get(f"/v1/admin/imports/{job_id}", headers=admin_headers).json()
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert job["state"] == "done", job
    report = job["report"]
    assert report["errors"], "bad prices are reported row by row"
    assert all({"row", "field", "reason"} <= set(e) for e in report["errors"])
    assert report["products_ok"] >= 1
