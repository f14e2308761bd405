"""The whole system (launcher): pixel events change recommendations; erasure through the API."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import httpx


def viewed(client_id: str, product_id: str) -> dict[str, object]:
    return {"id": f"sh-{uuid.uuid4()}", "name": "product_viewed", "clientId": client_id,
            "timestamp": datetime.now(UTC).isoformat(),
            "data": {"productVariant": {"product": {"id": f"gid://shopify/Product/{product_id}"},
                                        "price": {"amount": 2.5, "currencyCode": "GBP"}}}}


def recs(client: httpx.Client, visitor: str, headers: dict[str, str]) -> dict[str, object]:
    """As the shop's backend asks for a visitor's recommendations (a `recs:read` credential)."""
    for _ in range(60):  # the catalog is seeded right after start-up; the model refits
        resp = client.get("/v1/recommendations", params={"visitor_id": visitor, "market": "US"},
                          headers=headers)
        if resp.status_code == 200:
            return resp.json()  # type: ignore[no-any-return]
        time.sleep(1)
    raise AssertionError(resp.text)


def test_pixel_events_personalise_then_erasure_forgets(
    client: httpx.Client, admin_headers: dict[str, str]
) -> None:
    visitor = f"e2e-{uuid.uuid4().hex[:8]}"
    before = recs(client, visitor, admin_headers)
    assert before["strategy"] == "cold_start"
    resp = client.post("/v1/events", json=[viewed(visitor, "21212"), {"name": "bad"}],
                       params={"market": "US"})
    assert resp.status_code == 202 and resp.json()["accepted"] == 1
    after = before
    for _ in range(40):
        after = recs(client, visitor, admin_headers)
        if after["personalized"]:
            break
        time.sleep(0.25)
    assert after["personalized"] is True and after["items"] != before["items"]
    assert client.delete(f"/v1/users/{visitor}").status_code == 403, "erasure is not public"
    erased = client.delete(f"/v1/users/{visitor}", headers=admin_headers)
    assert erased.status_code == 200 and erased.json()["status"] == "done"
    exported = client.get(f"/v1/users/{visitor}/export", headers=admin_headers)
    assert exported.json()["profiles"] == []
