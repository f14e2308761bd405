"""`make run` end to end: the launcher's system answers through Kafka and stops cleanly."""

from __future__ import annotations

import httpx

from tests.e2e.conftest import System


def test_markets_resolve_through_the_whole_system(client: httpx.Client) -> None:
    reply = client.get("/v1/markets/resolve", params={"phone": "+33612345678"})
    assert reply.status_code == 200, reply.text
    market = reply.json()["market"]
    assert (market["country"], market["currency"], market["language"]) == ("FR", "EUR", "fr")


def test_system_is_ready_and_prints_its_urls(system: System, client: httpx.Client) -> None:
    assert client.get("/readyz").json()["status"] == "ready"
    banner = "".join(system.output)
    assert f"{system.base_url}/docs" in banner
    assert "ws://" in banner


def test_asyncapi_document_is_served(client: httpx.Client) -> None:
    doc = client.get("/asyncapi").json()
    assert "markets.requests" in doc["x-museo-topic-schemas"]
