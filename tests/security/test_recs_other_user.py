"""Attack: read another user's recommendations (their browsing history), or lift their GDPR
opt-in with `market=US`."""

from __future__ import annotations

import httpx
import pytest

from libs.auth.customer import CustomerTokens
from tests.security.helpers import bearer


@pytest.mark.parametrize("extra", [{}, {"market": "US"}, {"visitor_id": "client-of-alice"}])
async def test_recommendations_of_another_user_are_refused(gateway: str,
                                                           extra: dict[str, str]) -> None:
    params = {"user_id": "alice", "kind": "recently_viewed", **extra}
    if "visitor_id" in extra:
        params.pop("user_id")
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as http:
        resp = await http.get("/v1/recommendations", params=params)
    assert resp.status_code == 403, resp.text


async def test_a_customer_cannot_read_another_customer(gateway: str,
                                                       customer_tokens: CustomerTokens) -> None:
    token = customer_tokens.issue("mallory", None)
    async with httpx.AsyncClient(base_url=gateway, timeout=30, headers=bearer(token)) as http:
        resp = await http.get("/v1/recommendations",
                              params={"user_id": "alice", "kind": "recently_viewed"})
    assert resp.status_code == 403, resp.text


async def test_a_machine_needs_recs_read_to_name_a_user(gateway: str) -> None:
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as http:
        resp = await http.get("/v1/recommendations", params={"user_id": "alice"},
                              headers={"X-API-Key": "mk_live_nope_nope"})
    assert resp.status_code == 401, resp.text
