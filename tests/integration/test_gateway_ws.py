"""The WebSocket protocol end to end: gateway in-process, markets worker, real Kafka."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from websockets.asyncio.client import ClientConnection, connect

from tests.integration.fixtures_platform import WS_FRAME_LIMIT, Stack, stack

__all__ = ["stack"]
pytestmark = pytest.mark.asyncio(loop_scope="module")


async def recv(ws: ClientConnection, timeout: float = 15) -> dict[str, Any]:
    import asyncio

    frame = json.loads(await asyncio.wait_for(ws.recv(), timeout))
    assert isinstance(frame, dict)
    return frame


@pytest_asyncio.fixture(loop_scope="module")
async def ws(stack: Stack) -> AsyncIterator[ClientConnection]:
    async with connect(stack.gateway.ws_url, max_size=2**20) as conn:
        welcome = await recv(conn)
        assert welcome["type"] == "welcome"
        yield conn


async def ping_works(ws: ClientConnection, frame_id: str) -> None:
    await ws.send(json.dumps({"type": "ping", "id": frame_id}))
    pong = await recv(ws)
    assert pong["type"] == "pong"
    assert pong["in_reply_to"] == frame_id


async def test_welcome_frame_describes_the_session(stack: Stack) -> None:
    async with connect(stack.gateway.ws_url) as conn:
        welcome = await recv(conn)
    assert welcome["type"] == "welcome"
    assert welcome["protocol"] == 1
    assert len(welcome["session_id"]) == 32
    assert welcome["correlation_id"]
    assert {"ping", "markets.resolve", "markets.localize"} <= set(welcome["types"])


async def test_ping_gets_pong_in_reply_to_its_id(ws: ClientConnection) -> None:
    await ws.send(json.dumps({"type": "ping", "id": "p-1"}))
    pong = await recv(ws)
    assert pong == {"type": "pong", "in_reply_to": "p-1", "correlation_id": pong["correlation_id"]}
    assert len(pong["correlation_id"]) == 32


async def test_markets_resolve_goes_through_kafka(ws: ClientConnection) -> None:
    await ws.send(json.dumps({"type": "markets.resolve", "id": 7, "phone": "+33612345678"}))
    reply = await recv(ws)
    assert reply["type"] == "reply", reply
    assert reply["in_reply_to"] == 7
    assert reply["correlation_id"]
    assert reply["data"]["market"]["country"] == "FR"
    assert reply["data"]["market"]["currency"] == "EUR"
    assert reply["data"]["source"] == "phone"


async def test_markets_localize(ws: ClientConnection) -> None:
    await ws.send(json.dumps({"type": "markets.localize", "id": "l1", "country": "FR",
                              "items": [{"amount": 1000, "currency": "GBP"}]}))
    reply = await recv(ws)
    assert reply["type"] == "reply", reply
    assert reply["data"]["prices"][0]["currency"] == "EUR"


async def test_worker_error_becomes_an_error_frame(ws: ClientConnection) -> None:
    await ws.send(json.dumps({"type": "markets.resolve", "id": "e1", "phone": "not-a-phone"}))
    reply = await recv(ws)
    assert reply["type"] == "error"
    assert reply["in_reply_to"] == "e1"
    assert reply["error"]["code"] == "bad_request"
    assert "international format" in reply["error"]["message"]


async def test_invalid_payload_is_bad_request(ws: ClientConnection) -> None:
    await ws.send(json.dumps({"type": "markets.localize", "id": "b1", "items": []}))
    reply = await recv(ws)
    assert reply["type"] == "error"
    assert reply["error"]["code"] == "bad_request"
    assert "items" in reply["error"]["message"]
    await ping_works(ws, "after-b1")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("this is not json", "malformed"),
        ("[1, 2, 3]", "malformed"),
        ('{"id": "x"}', "malformed"),
        ('{"type": "teleport", "id": "x"}', "unknown_type"),
        (json.dumps({"type": "ping", "pad": "z" * (WS_FRAME_LIMIT + 10)}), "too_large"),
        (b'{"type": "ping"', "malformed"),
    ],
    ids=["not-json", "not-object", "no-type", "unknown-type", "oversize", "binary-bad-json"],
)
async def test_malformed_frame_gets_error_and_connection_stays_open(
    ws: ClientConnection, raw: str | bytes, code: str
) -> None:
    await ws.send(raw)
    reply = await recv(ws)
    assert reply["type"] == "error"
    assert reply["error"]["code"] == code
    assert reply["error"]["message"]
    assert reply["correlation_id"]
    await ping_works(ws, f"after-{code}")


async def test_binary_frame_with_valid_json_is_accepted(ws: ClientConnection) -> None:
    await ws.send(json.dumps({"type": "ping", "id": "bin"}).encode())
    pong = await recv(ws)
    assert pong["type"] == "pong"
    assert pong["in_reply_to"] == "bin"


async def test_concurrent_frames_each_get_their_answer(ws: ClientConnection) -> None:
    for i in range(5):
        await ws.send(json.dumps({"type": "markets.resolve", "id": f"r{i}", "country": "ES"}))
    await ws.send(json.dumps({"type": "ping", "id": "p"}))
    replies = [await recv(ws) for _ in range(6)]
    by_id = {r["in_reply_to"]: r for r in replies}
    assert set(by_id) == {"r0", "r1", "r2", "r3", "r4", "p"}
    assert all(by_id[f"r{i}"]["data"]["market"]["country"] == "ES" for i in range(5))
    assert len({r["correlation_id"] for r in replies}) == 6
