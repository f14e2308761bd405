"""The WhatsApp channel through the whole system (`make run`'s launcher): a Spanish customer
writes, the signed webhook reaches the gateway, the whatsapp service asks chat (intent,
storefront, markets over Kafka), and the answers reach the provider simulator's Graph API as
Meta's interactive messages: a product list, reply buttons for the basket, the payment link as a
CTA URL button. An unsigned webhook gets 401."""

from __future__ import annotations

import os
import time
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import System

WA_ID = "34699000111"


SIM_PORT: dict[str, str] = {}


def sim_url() -> str:
    """The system's own simulator (a system may be given its own port, else the env's)."""
    return f"http://127.0.0.1:{SIM_PORT.get('port') or os.environ.get('MUSEO_SIM_PORT', '8089')}"


@pytest.fixture(autouse=True)
def _sim_port(system: System) -> None:
    SIM_PORT["port"] = system.env.get("MUSEO_SIM_PORT", "")


def customer(**message: Any) -> tuple[bytes, str]:
    """A message from the customer, signed by the simulator as Meta signs it (not delivered)."""
    resp = httpx.post(f"{sim_url()}/_sim/whatsapp/inbound",
                      json={"from": "+" + WA_ID, "deliver": False, **message}, timeout=10)
    resp.raise_for_status()
    return resp.json()["body"].encode(), resp.json()["signature"]


def post(system: System, body: bytes, signature: str | None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if signature:
        headers["x-hub-signature-256"] = signature
    return httpx.post(f"{system.base_url}/webhooks/whatsapp", content=body, headers=headers,
                      timeout=20)


def sent(after: int) -> list[dict[str, Any]]:
    messages = httpx.get(f"{sim_url()}/_sim/messages", timeout=10).json()["messages"]
    return [m for m in messages[after:] if m["to"] == WA_ID]


def next_reply(after: int, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := sent(after):
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no WhatsApp reply to {WA_ID} within {timeout:.0f}s")


def mark() -> int:
    return len(httpx.get(f"{sim_url()}/_sim/messages", timeout=10).json()["messages"])


def test_the_banner_prints_the_whatsapp_dev_settings(system: System) -> None:
    from libs.dev_secrets import dev_secret

    banner = "".join(system.output)
    token = dev_secret("MUSEO_WHATSAPP_VERIFY_TOKEN", "whatsapp-verify.token")
    assert f"webhook {system.base_url}/webhooks/whatsapp   verify token: {token}" in banner
    assert "whatsapp-app.secret" in banner or "MUSEO_WHATSAPP_APP_SECRET" in banner
    challenge = httpx.get(f"{system.base_url}/webhooks/whatsapp", params={
        "hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "4242"}, timeout=10)
    assert (challenge.status_code, challenge.text) == (200, "4242")


def test_unsigned_webhook_gets_401(system: System) -> None:
    body, _ = customer(text="busco velas")
    assert post(system, body, None).status_code == 401
    assert post(system, body, "sha256=" + "0" * 64).status_code == 401


def test_spanish_text_gets_a_product_list_then_buttons_then_a_payment_link(system: System) -> None:
    start = mark()
    body, signature = customer(text="busco velas")
    assert post(system, body, signature).status_code == 200
    found = next_reply(start)
    assert (found["type"], found["payload"]["interactive"]["type"]) == ("interactive", "list")
    [section] = found["payload"]["interactive"]["action"]["sections"]
    rows = section["rows"]
    assert 1 <= len(rows) <= 10 and all(len(r["title"]) <= 24 for r in rows)
    assert any("€" in r.get("description", "") for r in rows), "prices in the market's currency"
    assert found["body"] == "Esto es lo que encontré:"

    start = mark()
    tap = rows[0]
    body, signature = customer(type="list_reply", reply_id=tap["id"], reply_title=tap["title"])
    assert post(system, body, signature).status_code == 200
    added = next_reply(start)
    buttons = added["payload"]["interactive"]["action"]["buttons"]
    assert added["body"].startswith("Añadido 1 ×")
    assert [b["reply"]["id"] for b in buttons] == ["basket", "checkout", "remove"]

    start = mark()
    body, signature = customer(type="button_reply", reply_id="checkout", reply_title="Pagar")
    assert post(system, body, signature).status_code == 200
    pay = next_reply(start)
    assert pay["payload"]["interactive"]["type"] == "cta_url"
    params = pay["payload"]["interactive"]["action"]["parameters"]
    assert params["display_text"] == "Pagar ahora" and "/checkout/" in params["url"]
