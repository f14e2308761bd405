"""The web chat page, served by the launcher's gateway, and the chat it speaks to over `/ws`."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import websockets

from tests.e2e.conftest import System


def test_the_chat_page_is_served(client: httpx.Client) -> None:
    for path in ("/", "/chat"):
        resp = client.get(path)
        assert resp.status_code == 200, resp.text
        assert resp.headers["content-type"].startswith("text/html")
        assert '"/ws"' in resp.text
        assert "http://" not in resp.text and "https://" not in resp.text


def test_the_frame_the_page_sends_gets_a_chat_reply(system: System) -> None:
    """The page's frame shape (locale hint, country, conversation_id sent back) works end to end."""
    url = system.base_url.replace("http://", "ws://") + "/ws"

    async def talk() -> list[dict[str, Any]]:
        async with websockets.connect(url) as ws:
            assert json.loads(await ws.recv())["type"] == "welcome"
            frame = {
                "type": "chat",
                "id": "m-1",
                "text": "hello",
                "language": "fr-FR",
                "country": "FR",
            }
            await ws.send(json.dumps(frame))
            first = json.loads(await asyncio.wait_for(ws.recv(), 30))
            cid = first["data"]["conversation_id"]
            frame = {**frame, "id": "m-2", "text": "show me scarves", "conversation_id": cid}
            await ws.send(json.dumps(frame))
            second = json.loads(await asyncio.wait_for(ws.recv(), 30))
            return [first, second]

    first, second = asyncio.run(talk())
    assert first["type"] == "reply" and first["in_reply_to"] == "m-1", first
    assert second["type"] == "reply" and second["in_reply_to"] == "m-2", second
    assert second["data"]["conversation_id"] == first["data"]["conversation_id"]
    assert {"intent", "confidence", "source"} <= set(second["data"]["intent"])
