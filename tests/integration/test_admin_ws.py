"""The web admin's WebSocket frames against the real gateway, admin worker and Kafka: each frame
is authorised by its scope, a natural-language change shows before/after and writes only when
confirmed, and list/search/edit/delete reach the catalog topic."""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
from typing import Any

import pytest
import websockets

from tests.integration import test_admin_support as support
from tests.integration.test_admin_support import AdminStack, CatalogTail

admin_stack = support.admin_stack  # the shared module fixture
pytestmark = pytest.mark.asyncio(loop_scope="module")
_ids = itertools.count()


class Admin:
    """One `/ws` connection speaking admin frames (replies matched by `in_reply_to`)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    async def send(self, kind: str, **fields: Any) -> dict[str, Any]:
        frame_id = f"f-{next(_ids)}"
        await self.ws.send(json.dumps({"type": kind, "id": frame_id, **fields}))
        while True:
            out: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), 30))
            if out.get("in_reply_to") == frame_id:
                return out


async def connect(stack: AdminStack) -> tuple[Any, Admin]:
    ws = await websockets.connect(stack.base_url.replace("http://", "ws://") + "/ws")
    assert json.loads(await ws.recv())["type"] == "welcome"
    return ws, Admin(ws)


def _product(pid: str, title: str, price: int) -> dict[str, Any]:
    return {
        "id": pid,
        "handle": pid,
        "title": {"en": title},
        "category": "prints",
        "variants": [{"sku": pid.upper(), "price": price, "stock": 3}],
    }


async def test_admin_frames_need_a_token_and_the_right_scope(admin_stack: AdminStack) -> None:
    ws, admin = await connect(admin_stack)
    async with ws:
        anonymous = await admin.send("admin.products.list")
        assert anonymous["type"] == "error" and anonymous["error"]["code"] == "unauthorized"
        forged = await admin.send("admin.auth", token="not.a.jwt")
        assert forged["type"] == "error" and forged["error"]["code"] == "unauthorized"
        authed = await admin.send("admin.auth", token=await admin_stack.token("reader"))
        assert authed["type"] == "admin.authenticated"
        assert authed["principal"]["scopes"] == ["catalog:read"]
        listed = await admin.send("admin.products.list", limit=5)
        assert listed["type"] == "reply" and "total" in listed["data"]
        for kind, fields in [
            ("admin.products.delete", {"product_id": "x"}),
            ("admin.nl.parse", {"text": "add a mug at 5 GBP in gifts"}),
            ("admin.import.status", {"job_id": "nope"}),
        ]:
            refused = await admin.send(kind, **fields)
            assert refused["type"] == "error", refused
            assert refused["error"]["code"] == "forbidden", refused


async def test_list_search_edit_delete_reach_the_catalog(admin_stack: AdminStack) -> None:
    word = "Zq" + secrets.token_hex(4)
    pid = f"ws-{secrets.token_hex(4)}"
    http = await admin_stack.client("importer")
    ws, admin = await connect(admin_stack)
    async with http, ws, CatalogTail(admin_stack.kafka, admin_stack.catalog_topic) as tail:
        made = await http.post("/v1/admin/products", json=_product(pid, f"{word} poster", 1500))
        assert made.status_code == 201, made.text
        await tail.next_for(pid)
        await admin.send("admin.auth", token=await admin_stack.token("importer"))
        found = await admin.send("admin.products.list", query=word.lower())
        assert [p["id"] for p in found["data"]["products"]] == [pid]
        assert found["data"]["total"] == 1

        edited = await admin.send("admin.products.update", product=_product(pid, "New", 1700))
        assert edited["type"] == "reply" and edited["data"]["changed"] is True
        _, value = await tail.next_for(pid)
        assert value is not None and value["variants"][0]["price"] == 1700
        got = await admin.send("admin.products.get", product_id=pid)
        assert got["data"]["product"]["title"]["en"] == "New"

        deleted = await admin.send("admin.products.delete", product_id=pid)
        assert deleted["data"]["product_id"] == pid and deleted["data"]["deleted"] is True
        found, value = await tail.next_for(pid)
        assert found and value is None
        gone = await admin.send("admin.products.get", product_id=pid)
        assert gone["type"] == "error" and gone["error"]["code"] == "not_found"


async def test_natural_language_change_shows_before_after_and_writes_on_confirm(
    admin_stack: AdminStack,
) -> None:
    word = "Zq" + secrets.token_hex(4)
    ws, admin = await connect(admin_stack)
    async with ws, CatalogTail(admin_stack.kafka, admin_stack.catalog_topic) as tail:
        await admin.send("admin.auth", token=await admin_stack.token("importer"))
        parsed = await admin.send(
            "admin.nl.parse", text=f"add a 50x70 cm poster of Zorb {word} at 29.90 GBP in prints"
        )
        assert parsed["type"] == "reply", parsed
        data = parsed["data"]
        assert data["missing"] == [] and data["before"] is None
        assert data["after"]["variants"][0]["price"] == 2990
        pid = data["operation"]["product_id"]
        unconfirmed, _ = await tail.next_for(pid, timeout=2)
        assert not unconfirmed, "parse alone writes nothing"

        other, other_admin = await connect(admin_stack)
        async with other:
            await other_admin.send("admin.auth", token=await admin_stack.token("admin"))
            stolen = await other_admin.send("admin.nl.confirm", token=data["confirmation_token"])
            assert stolen["type"] == "error" and stolen["error"]["code"] == "forbidden"
        bad = await admin.send("admin.nl.confirm", token="x" * 20)
        assert bad["type"] == "error" and bad["error"]["code"] == "invalid_confirmation"

        applied = await admin.send("admin.nl.confirm", token=data["confirmation_token"])
        assert applied["type"] == "reply" and applied["data"]["created"] is True, applied
        found, value = await tail.next_for(pid)
        assert found and value is not None and value["variants"][0]["price"] == 2990
        await admin.send("admin.products.delete", product_id=pid)


async def test_the_live_panel_is_pushed_to_an_ops_reader_only(admin_stack: AdminStack) -> None:
    ws, admin = await connect(admin_stack)
    async with ws:
        await admin.send("admin.auth", token=await admin_stack.token("reader"))
        refused = await admin.send("admin.live.subscribe")
        assert refused["type"] == "error" and refused["error"]["code"] == "forbidden"
        assert "ops:read" in refused["error"]["message"]

        await admin.send("admin.auth", token=await admin_stack.token("admin"))
        ok = await admin.send("admin.live.subscribe", interval_s=1)
        assert ok["type"] == "admin.live.subscribed"

        async def pushed() -> dict[str, Any]:
            while True:
                out: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if out["type"] == "admin.live":
                    return out

        first = await pushed()
        assert "in_reply_to" not in first and first["sources"]["gateway"] is True
        for _ in range(5):  # traffic through the gateway: admin requests over Kafka
            await admin.send("admin.products.list", limit=1)
        later = await pushed()
        while later["requests_total"] == first["requests_total"]:
            later = await pushed()
        assert later["requests_total"] >= first["requests_total"] + 5
        assert later["p95_ms"] is not None and later["p95_ms"] > 0
        bye = await admin.send("admin.live.unsubscribe")
        assert bye["type"] == "admin.live.unsubscribed"
