"""Attack: open `/ws` from another site (cross-site WebSocket hijacking) or with a forged token."""

from __future__ import annotations

import json

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from libs.auth.customer import CustomerTokens
from tests.security.helpers import ws_url


async def test_ws_from_a_foreign_origin_is_refused(gateway: str) -> None:
    with pytest.raises(InvalidStatus) as info:
        async with websockets.connect(ws_url(gateway), origin="https://evil.example"):  # type: ignore[arg-type]
            pass
    assert info.value.response.status_code == 403


async def test_ws_from_the_gateways_own_page_is_accepted(gateway: str) -> None:
    async with websockets.connect(ws_url(gateway), origin=gateway) as ws:  # type: ignore[arg-type]
        assert json.loads(await ws.recv())["type"] == "welcome"


async def test_ws_forged_session_cookie_is_refused(gateway: str) -> None:
    headers = {"X-Museo-Session": "alice.AAAAAAAAAAAAAAAAAAAAAAAA"}
    with pytest.raises(InvalidStatus):
        async with websockets.connect(ws_url(gateway), additional_headers=headers):
            pass


async def test_ws_auth_frame_needs_a_genuine_token(gateway: str,
                                                   customer_tokens: CustomerTokens) -> None:
    forged = CustomerTokens(customer_tokens.settings, secret="x" * 40).issue("alice", None)
    async with websockets.connect(ws_url(gateway)) as ws:
        await ws.recv()
        await ws.send(json.dumps({"type": "auth", "id": "a1", "token": forged}))
        refused = json.loads(await ws.recv())
        assert refused["type"] == "error" and refused["error"]["code"] == "unauthorized"
        await ws.send(json.dumps({"type": "auth", "id": "a2",
                                  "token": customer_tokens.issue("alice", None)}))
        accepted = json.loads(await ws.recv())
    assert accepted["type"] == "authenticated"
    assert accepted["principal"] == {"kind": "customer", "subject": "customer:alice"}
