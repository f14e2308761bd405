"""Shared bits of the attack tests."""

from __future__ import annotations

from typing import Any

import httpx

SESSION = "X-Museo-Session"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/ws"


async def anonymous_session(http: httpx.AsyncClient) -> str:
    resp = await http.post("/v1/sessions")
    assert resp.status_code == 201, resp.text
    return str(resp.json()["session"])


def structured(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    return result.structured_content  # type: ignore[no-any-return]
