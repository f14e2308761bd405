"""The whole notification path in one process, on topics and keys of its own: the real gateway
(admin routes with real service-account tokens, vendor webhooks, unsubscribe pages), the
notification service's composition root, the provider simulator calling the gateway back, and
Mailpit. Everything is removed afterwards."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from libs.auth import AuthSettings, JsonFileServiceAccountStore, create_service_account
from libs.auth.scopes import CATALOG_READ, ORDERS_READ, ORDERS_WRITE
from libs.contracts.notifications import Contact, DeliveryStatus
from libs.contracts.orders import CheckoutEvent, OrderLine
from services.gateway.deps import GatewayState
from tests.integration.helpers_platform import GatewayServer, unique
from tests.integration.notify_fixtures import (
    Mailpit,
    NotifyStack,
    SimServer,
    start_stack,
    stop_stack,
)

SCOPES = {"ops": [ORDERS_READ, ORDERS_WRITE], "reader": [ORDERS_READ], "catalog": [CATALOG_READ]}


@dataclass
class Rig:
    stack: NotifyStack
    sim: SimServer
    gateway: GatewayServer
    mailpit: Mailpit
    secrets: dict[str, tuple[str, str]]

    async def token(self, who: str) -> str:
        client_id, secret = self.secrets[who]
        async with httpx.AsyncClient(base_url=self.gateway.base_url, timeout=20) as http:
            resp = await http.post("/oauth/token", data={"grant_type": "client_credentials"},
                                   auth=(client_id, secret))
        assert resp.status_code == 200, resp.text
        return str(resp.json()["access_token"])

    async def http(self, who: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {await self.token(who)}"} if who else {}
        return httpx.AsyncClient(base_url=self.gateway.base_url, headers=headers, timeout=30)

    async def sent_to(self, to: str) -> list[dict[str, Any]]:
        messages = (await self.sim.http.get("/_sim/messages")).json()["messages"]
        return [m for m in messages if m["to"] in (to, to.lstrip("+"))]

    async def publish_checkout(self, event: CheckoutEvent) -> None:
        await self.stack.app.broker.publish(event.model_dump(mode="json"),
                                            self.stack.settings.checkouts_topic,
                                            key=event.cart_id.encode())

    async def state(self, nid: str) -> DeliveryStatus | None:
        return await self.stack.app.store.current(nid)


def checkout_event(contact: Contact | None, *, kind: str = "started", cart_id: str | None = None,
                   owner: str | None = None, market: str = "EU",
                   currency: str = "EUR") -> CheckoutEvent:
    return CheckoutEvent(
        event_id=unique("ev"), kind=kind, cart_id=cart_id or unique("cart"),  # type: ignore[arg-type]
        owner=owner or f"customer:{unique('c')}", at=datetime.now(UTC), market=market,
        lines=[OrderLine(product_id="p1", sku="HEART-1", title="Corazón de cerámica", quantity=2,
                         unit_price=1250, line_total=2500)],
        total=2500, currency=currency, contact=contact)


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 20.0) -> Any:
    """The first truthy result of `check`, polled; the last result when time runs out."""
    deadline = time.monotonic() + timeout
    result = await check()
    while not result and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        result = await check()
    return result


async def open_rig(kafka: str, redis_url: str, mailpit: Mailpit, auth_dir: Path,
                   **overrides: Any) -> Rig:
    auth = AuthSettings(state_dir=auth_dir, token_ttl_seconds=600, leeway_seconds=0)
    store = JsonFileServiceAccountStore(auth.accounts_path)
    secrets = {}
    for name, scopes in SCOPES.items():
        account, secret = create_service_account(store, f"test-{name}-{unique('n')}", scopes,
                                                  hash_n=2**10)
        secrets[name] = (account.client_id, secret)
    gateway = GatewayServer(kafka, redis_url, request_timeout_s=15.0)
    gateway.settings.public_base_url = gateway.base_url  # what Twilio signs, links point to
    gateway.app.state.auth_settings = auth
    sim = SimServer(f"{gateway.base_url}/webhooks/whatsapp",
                    f"{gateway.base_url}/webhooks/twilio/inbound")
    stack = await start_stack(
        kafka, redis_url, smtp_port=mailpit.smtp_port, retry_base_s=0.02, send_attempts=3,
        twilio_base_url=sim.base_url, whatsapp_base_url=sim.base_url,
        public_base_url=gateway.base_url, quiet_hours="off",
        fallback={"EU": ["whatsapp", "sms", "email"], "US": ["sms", "email"]}, **overrides)

    async def isolate(gw: GatewayState) -> None:
        gw.settings.callbacks_topic = stack.settings.callbacks_topic
        gw.settings.notifications_topic = stack.settings.rpc_topic
        gw.settings.shipments_topic = stack.settings.shipments_topic

    gateway.app.state.startup_hooks.append(isolate)
    await gateway.start(timeout=60)  # a loaded machine starts the gateway slowly
    await sim.start()
    return Rig(stack, sim, gateway, mailpit, secrets)


async def close_rig(rig: Rig) -> None:
    await stop_stack(rig.stack)
    await rig.sim.stop()
    await rig.gateway.stop()
