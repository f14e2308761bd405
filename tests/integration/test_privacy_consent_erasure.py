"""Consent per market (GDPR opt-in, CCPA opt-out), erasure verified by searching Redis, export."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from libs.auth.api_keys import create_api_key
from tests.integration import test_recs_personalisation as recs
from tests.integration.helpers_platform import poll, unique
from tests.integration.test_events_ingest import checkout_completed, product_viewed
from tests.integration.test_recs_personalisation import Stack

stack = recs.stack  # the same module-scoped stack fixture, one instance for this module

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _history(stack: Stack, visitor: str, market: str, country: str | None = None) -> None:
    events = [product_viewed(visitor, pid) for pid in stack.product_ids[10:13]]
    params = {"market": market, **({"country": country} if country else {})}
    assert (await stack.send("POST", "/v1/events", json=events, params=params)).status_code == 202
    await poll(lambda: stack.event_count(visitor), lambda n: n >= 3, 20)


async def test_eu_without_consent_uses_only_the_session(stack: Stack) -> None:
    visitor = unique("eu")
    await _history(stack, visitor, "EU")
    body = await stack.recs(visitor_id=visitor, market="EU", limit=5)
    assert body["personalized"] is False and body["strategy"].startswith("rfy:session")
    resp = await stack.send("PUT", f"/v1/users/{visitor}/consent", params={"market": "EU"},
                            json={"personalization": True})
    assert resp.status_code == 202
    consented = await poll(lambda: stack.recs(visitor_id=visitor, market="EU", limit=5),
                           lambda b: b["personalized"], 20)
    assert consented["personalized"] is True and consented["strategy"] == "rfy:history"


async def test_california_opt_out_of_sale_is_honoured(stack: Stack) -> None:
    visitor = unique("ca")
    await _history(stack, visitor, "US", "US-CA")
    params = {"visitor_id": visitor, "market": "US", "country": "US", "region": "CA"}
    assert (await stack.recs(**params))["personalized"] is True  # opt-out regime
    await stack.send("PUT", f"/v1/users/{visitor}/consent", json={"sale_sharing": False})
    body = await poll(lambda: stack.recs(**params), lambda b: not b["personalized"], 20)
    assert body["personalized"] is False


def _s(value: bytes | str | None) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else (value or "")


async def _redis_mentions(stack: Stack, needles: list[str]) -> list[str]:
    hits = []
    async for key in stack.redis.scan_iter(count=1000):
        name = _s(key)
        kind = _s(await stack.redis.type(key))
        value = ""
        if kind == "string":
            value = _s(await stack.redis.get(key))
        elif kind == "hash":
            value = json.dumps({_s(k): _s(v)
                                for k, v in (await stack.redis.hgetall(key)).items()})
        if any(n in name or n in value for n in needles):
            hits.append(name)
    return hits


async def test_erasure_removes_every_piece_of_personal_data(stack: Stack) -> None:
    visitor, customer = unique("client"), unique("cust")
    key = f"customer:{customer}"  # the shop's customer id, as the owner key of their data
    await _history(stack, visitor, "UK")
    await stack.send("POST", "/v1/events", json=checkout_completed(visitor, customer, "21212"))
    await poll(lambda: stack.event_count(key), lambda n: n >= 4, 20)
    await stack.send("PUT", f"/v1/users/{key}/consent", json={"personalization": True})
    now = datetime.now(UTC).isoformat()
    conv_id = unique("conv")
    await stack.redis.set(f"conv:{conv_id}", json.dumps(
        {"id": conv_id, "user_id": key, "owner": key, "turns": []}))
    await stack.redis.set(f"user:{key}:conv", conv_id)
    basket = unique("basket")
    await stack.redis.set(f"basket:{basket}", json.dumps(
        {"id": basket, "owner": key, "lines": [], "currency": "GBP",
         "created_at": now, "updated_at": now}))
    order = unique("order")
    await stack.redis.set(f"order:{order}", json.dumps(
        {"order_id": order, "owner": key, "contact": {"email": f"{customer}@example.com"},
         "lines": [], "created_at": now}))
    await stack.redis.rpush(f"orders:{key}", order)
    await poll(lambda: stack.redis.exists(f"consent:{key}"), bool, 20)
    exported = await stack.get(f"/v1/users/{key}/export")
    assert exported.status_code == 200
    data = exported.json()
    assert data["profiles"][0]["user_id"] == key and visitor in data["profiles"][0][
        "visitor_ids"]
    assert data["consent"]["*"]["personalization"] is True
    assert [c["id"] for c in data["conversations"]] == [conv_id]
    assert [b["id"] for b in data["baskets"]] == [basket]
    assert [o["order_id"] for o in data["orders"]] == [order]  # the export names their orders
    assert await _redis_mentions(stack, [customer, visitor])  # the search finds them before

    resp = await stack.send("DELETE", f"/v1/users/{key}")
    assert resp.status_code == 200, resp.text
    done = resp.json()
    assert done["status"] == "done"
    assert done["audit"]["removed"]["profiles"] >= 1 and done["audit"]["removed"]["baskets"] == 1
    assert await _redis_mentions(stack, [customer, visitor]) == []
    kept = json.loads(await stack.redis.get(f"order:{order}") or b"{}")
    assert kept["owner"] == "erased" and "contact" not in kept  # bookkeeping stays, nobody's
    await stack.redis.delete(f"order:{order}", f"orders:{key}")
    audit = await stack.redis.get(f"privacy:audit:{done['request_id']}")
    assert audit is not None and customer.encode() not in audit and visitor.encode() not in audit
    assert (await stack.get(f"/v1/users/{key}/export")).json()["profiles"] == []


async def test_privacy_endpoints_need_a_credential_with_users_admin(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway.base_url, timeout=20) as anonymous:
        # an anonymous shopper acts on their own data only: someone else's is 403
        assert (await anonymous.delete("/v1/users/someone")).status_code == 403
        assert (await anonymous.get("/v1/users/someone/export")).status_code == 403
        resp = await anonymous.put("/v1/users/someone/consent", json={"personalization": True})
        assert resp.status_code == 403
        mine = await anonymous.get("/v1/users/me/export")  # their own, with their session
        assert mine.status_code == 200 and mine.json()["profiles"] == []
    _, weak = create_api_key(stack.gateway.app.state.gw.auth.api_keys, unique("weak"),
                             ["catalog:read"])
    async with httpx.AsyncClient(base_url=stack.gateway.base_url, timeout=20,
                                 headers={"x-api-key": weak}) as reader:
        assert (await reader.delete("/v1/users/someone")).status_code == 403


async def test_erasure_reaches_the_anonymous_identities_it_names(stack: Stack) -> None:
    customer, visitor = unique("cust"), f"anon:{unique('chat')}"
    conv_key, basket_key = f"conv:{unique('c')}", f"basket:{unique('b')}"
    await stack.redis.set(conv_key, json.dumps({"id": conv_key, "owner": visitor}))
    await stack.redis.set(basket_key, json.dumps({"id": basket_key, "owner": visitor}))
    unrelated = f"basket:{unique('other')}"
    await stack.redis.set(unrelated, json.dumps({"id": unrelated, "owner": "anon:someone-else"}))
    resp = await stack.send("DELETE", f"/v1/users/{customer}", params={"visitor_id": visitor})
    assert resp.status_code == 200, resp.text
    assert await stack.redis.exists(conv_key, basket_key) == 0
    assert await stack.redis.exists(unrelated) == 1
    await stack.redis.delete(unrelated)
