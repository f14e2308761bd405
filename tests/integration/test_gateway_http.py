"""HTTP -> Kafka -> markets worker -> Kafka -> HTTP, with the real broker and Redis."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from services.gateway.ops import create_ops_app
from tests.integration.fixtures_platform import Stack, stack
from tests.integration.helpers_platform import GatewayServer, group_member_count

__all__ = ["stack"]
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module")
async def http(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.gateway.base_url, timeout=20) as client:
        yield client


async def test_resolve_by_e164_phone(http: httpx.AsyncClient) -> None:
    resp = await http.get("/v1/markets/resolve", params={"phone": "+33612345678"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["market"]["country"] == "FR"
    assert body["market"]["currency"] == "EUR"
    assert body["market"]["language"] == "fr"
    assert body["source"] == "phone"


async def test_resolve_by_whatsapp_id_without_plus(http: httpx.AsyncClient) -> None:
    resp = await http.get("/v1/markets/resolve?phone=33612345678")
    assert resp.status_code == 200, resp.text
    assert resp.json()["market"]["country"] == "FR"


async def test_resolve_by_accept_language_header(http: httpx.AsyncClient) -> None:
    resp = await http.get("/v1/markets/resolve", headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["market"]["country"], body["market"]["language"]) == ("ES", "es")
    assert body["source"] == "accept_language"


async def test_unreadable_phone_is_400_with_a_clear_message(http: httpx.AsyncClient) -> None:
    resp = await http.get("/v1/markets/resolve", params={"phone": "not-a-phone"})
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert error["code"] == "bad_request"
    assert error["service"] == "markets"
    assert "international format" in error["message"]


async def test_over_long_query_parameter_is_422(http: httpx.AsyncClient) -> None:
    resp = await http.get("/v1/markets/resolve", params={"phone": "1" * 41})
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "invalid_request"


async def test_localize_prices(http: httpx.AsyncClient) -> None:
    resp = await http.post("/v1/markets/localize", json={
        "country": "FR", "items": [{"id": "p1", "amount": 1000, "currency": "GBP", "quantity": 2}]})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["market"]["currency"] == "EUR"
    price = body["prices"][0]
    assert price["id"] == "p1"
    assert price["currency"] == "EUR"
    assert price["quantity"] == 2
    assert price["amount"] > 0
    assert "€" in price["formatted"]


async def test_localize_takes_the_market_from_accept_language(http: httpx.AsyncClient) -> None:
    resp = await http.post("/v1/markets/localize", json={"items": [{"amount": 500}]},
                           headers={"Accept-Language": "es-ES"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["market"]["country"] == "ES"


async def test_malformed_json_body_is_422_not_500(http: httpx.AsyncClient) -> None:
    resp = await http.post("/v1/markets/localize", content=b'{"items": [',
                           headers={"content-type": "application/json"})
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "invalid_request"


async def test_body_failing_the_contract_is_422_naming_the_field(http: httpx.AsyncClient) -> None:
    resp = await http.post("/v1/markets/localize", json={"items": [{"amount": -5}]})
    assert resp.status_code == 422
    locs = [d["loc"] for d in resp.json()["error"]["details"]]
    assert ["body", "items", 0, "amount"] in locs


async def test_oversize_declared_body_is_413(http: httpx.AsyncClient, stack: Stack) -> None:
    limit = stack.gateway.settings.max_body_bytes
    resp = await http.post("/v1/markets/localize", content=b"x" * (limit + 1),
                           headers={"content-type": "application/json"})
    assert resp.status_code == 413
    assert resp.json()["error"]["code"] == "too_large"


async def test_oversize_chunked_body_is_413(http: httpx.AsyncClient, stack: Stack) -> None:
    limit = stack.gateway.settings.max_body_bytes

    async def body() -> AsyncIterator[bytes]:
        yield b'{"items": [{"amount": 1, "id": "'
        for _ in range(limit // 1000 + 2):
            yield b"y" * 1000
        yield b'"}]}'

    resp = await http.post("/v1/markets/localize", content=body(),
                           headers={"content-type": "application/json"})
    assert resp.status_code == 413
    assert resp.json()["error"]["code"] == "too_large"


async def test_healthz(http: httpx.AsyncClient) -> None:
    resp = await http.get("/healthz")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok"}


@pytest_asyncio.fixture(loop_scope="module")
async def ops(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """The operations listener's app over the running gateway's state (in-process)."""
    transport = httpx.ASGITransport(app=create_ops_app(stack.gateway.app))
    async with httpx.AsyncClient(transport=transport, base_url="http://ops", timeout=20) as client:
        yield client


async def test_public_readyz_says_only_ready(http: httpx.AsyncClient) -> None:
    resp = await http.get("/readyz")
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"status": "ready"}


async def test_metrics_are_not_on_the_public_port(http: httpx.AsyncClient) -> None:
    assert (await http.get("/metrics")).status_code == 404


async def test_ops_readyz_reports_kafka_and_redis(ops: httpx.AsyncClient) -> None:
    resp = await ops.get("/readyz")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["status"] == "ready"
    assert body["checks"]["kafka"]["ok"] is True
    assert body["checks"]["kafka"]["missing_topics"] == []
    assert body["checks"]["kafka"]["reply_consumer"] is True
    assert body["checks"]["redis"] == {"ok": True}


async def test_ops_metrics_expose_rpc_latency(http: httpx.AsyncClient, ops: httpx.AsyncClient) -> None:
    assert (await http.get("/v1/markets/resolve?country=FR")).status_code == 200
    resp = await ops.get("/metrics")
    assert resp.status_code == 200
    assert "museo_rpc_seconds_bucket" in resp.text
    assert 'topic="markets.requests"' in resp.text


async def test_no_worker_means_504_not_a_hang(stack: Stack) -> None:
    """Stops the module's worker, then starts it again (so test order does not matter)."""
    await stack.worker.stop()
    restarted = False
    try:
        if await group_member_count(stack.kafka, "markets"):
            pytest.skip("another markets worker is running against this broker")
        gateway = GatewayServer(stack.kafka, stack.redis, request_timeout_s=1.5)
        await gateway.start()
        try:
            async with httpx.AsyncClient(base_url=gateway.base_url, timeout=10) as client:
                started = time.perf_counter()
                resp = await client.get("/v1/markets/resolve", params={"country": "FR"})
                waited = time.perf_counter() - started
            assert resp.status_code == 504
            assert resp.json()["error"]["code"] == "timeout"
            assert "markets.requests" in resp.json()["error"]["message"]
            assert 1.4 < waited < 5
            # The worker comes back and finds the expired request: it skips it without a reply
            # (nobody waits for it), and goes on answering new requests.
            before = gateway.rpc.late_replies
            await stack.worker.start()
            restarted = True
            async with httpx.AsyncClient(base_url=gateway.base_url, timeout=10) as client:
                assert (await client.get("/v1/markets/resolve", params={"country": "FR"})).status_code == 200
            assert gateway.rpc.late_replies == before
        finally:
            await gateway.stop()
    finally:
        if not restarted:
            await stack.worker.start()
