"""SMS (Twilio) and WhatsApp (Meta Cloud API) through the provider simulator: signed status
callbacks through the gateway move the delivery status (to read), in any order; a failing
provider is retried, then the next channel of the market's policy is used."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio

from libs.contracts.notifications import notification_id
from libs.contracts.topics import TopicSpec
from libs.messaging.topics import delete_topics, ensure_topics
from libs.webhook_signatures import meta_signature
from tests.integration import notify_fixtures
from tests.integration.helpers_platform import GatewayServer, unique
from tests.integration.notify_fixtures import (
    Mailpit,
    NotifyStack,
    SimServer,
    consent,
    make_order,
    start_stack,
    stop_stack,
)

mailpit_server = notify_fixtures.mailpit_server  # the fixtures, used by name below
mailpit = notify_fixtures.mailpit

pytestmark = pytest.mark.asyncio(loop_scope="module")


@dataclass
class Rig:
    stack: NotifyStack
    sim: SimServer
    gateway: GatewayServer


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def rig(kafka_bootstrap: str, redis_url: str, mailpit: Mailpit) -> AsyncIterator[Rig]:
    gateway = GatewayServer(kafka_bootstrap, redis_url)
    # Twilio signs the URL it called: the gateway rebuilds it from its public base URL
    gateway.settings.public_base_url = gateway.base_url
    await gateway.start(timeout=60)  # a loaded machine starts the gateway slowly
    sim = SimServer(f"{gateway.base_url}/webhooks/whatsapp")
    await sim.start()
    stack = await start_stack(
        kafka_bootstrap, redis_url, smtp_port=mailpit.smtp_port, retry_base_s=0.02,
        send_attempts=4, twilio_base_url=sim.base_url, whatsapp_base_url=sim.base_url,
        public_base_url=gateway.base_url,
        fallback={"EU": ["whatsapp", "sms", "email"], "US": ["sms", "email"]},
    )
    gateway.app.state.gw.settings.callbacks_topic = stack.settings.callbacks_topic
    # inbound customer messages (the chat channel's topic) stay out of the real whatsapp.inbound
    inbound = f"{stack.settings.callbacks_topic}.inbound"
    await ensure_topics(kafka_bootstrap, [TopicSpec(inbound, partitions=1)])
    gateway.app.state.gw.settings.whatsapp_inbound_topic = inbound
    yield Rig(stack, sim, gateway)
    await delete_topics(kafka_bootstrap, [inbound])
    await stop_stack(stack)
    await sim.stop()
    await gateway.stop()


async def _wait_state(rig: Rig, nid: str, state: str, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    current = None
    while time.monotonic() < deadline:
        current = await rig.stack.app.store.current(nid)
        if current is not None and current.state == state:
            return current
        await asyncio.sleep(0.1)
    raise AssertionError(f"{nid} is {current.state if current else None}, not {state}")


async def _sent(rig: Rig) -> list[dict[str, Any]]:
    return list((await rig.sim.http.get("/_sim/messages")).json()["messages"])


async def test_whatsapp_status_callbacks_move_the_status_to_read(rig: Rig) -> None:
    await rig.sim.control(reorder=False, fail_next=0)
    order = make_order(None, phone="+34612340001", market="EU")
    await consent(rig.stack, order.owner, channels={"whatsapp": True})  # WhatsApp is opt-in
    await rig.stack.publish_order(order)
    nid = notification_id(f"order:{order.order_id}", "whatsapp")
    current = await _wait_state(rig, nid, "read")
    assert current.provider == "whatsapp" and current.provider_message_id.startswith("wamid.")
    history = [h.state for h in await rig.stack.app.store.history(nid)]
    assert history == ["queued", "sent", "sent", "delivered", "read"]
    [msg] = [m for m in await _sent(rig) if m["to"] == "34612340001"]
    # no window open: an approved template in Spanish with the localised total
    assert msg["type"] == "template" and msg["payload"]["template"]["language"]["code"] == "es"
    params = msg["payload"]["template"]["components"][0]["parameters"]
    assert [p["text"] for p in params] == [order.order_id, "1.234,50\u00a0€"]


async def test_callbacks_in_reverse_order_still_end_on_read(rig: Rig) -> None:
    await rig.sim.control(reorder=True, fail_next=0)
    try:
        order = make_order(None, phone="+34612340002", market="EU")
        await consent(rig.stack, order.owner, channels={"whatsapp": True})
        await rig.stack.publish_order(order)
        nid = notification_id(f"order:{order.order_id}", "whatsapp")
        await _wait_state(rig, nid, "read")
        await asyncio.sleep(1.0)  # the older "delivered" and "sent" arrive after "read"
        history = [h.state for h in await rig.stack.app.store.history(nid)]
        assert history[-3:] == ["read", "delivered", "sent"]
        current = await rig.stack.app.store.current(nid)
        assert current is not None and current.state == "read"
    finally:
        await rig.sim.control(reorder=False)


async def test_free_text_inside_the_customer_window(rig: Rig) -> None:
    phone = "+34612340003"
    resp = await rig.sim.http.post("/_sim/whatsapp/inbound", json={"from": phone, "text": "hola"})
    resp.raise_for_status()
    wa = phone.lstrip("+")
    deadline = time.monotonic() + 15
    while not await rig.stack.app.store.in_window(wa) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    order = make_order(None, phone=phone, market="EU")
    await rig.stack.publish_order(order)
    await _wait_state(rig, notification_id(f"order:{order.order_id}", "whatsapp"), "read")
    [msg] = [m for m in await _sent(rig) if m["to"] == wa]
    assert msg["type"] == "text" and order.order_id in msg["body"] and "¡Gracias!" in msg["body"]


async def test_sms_through_twilio_retries_failures_and_is_delivered_once(rig: Rig) -> None:
    await rig.sim.control(fail_next=3)
    order = make_order(None, phone="+12025550123", market="US")
    await rig.stack.publish_order(order, repeat=2)
    nid = notification_id(f"order:{order.order_id}", "sms")
    current = await _wait_state(rig, nid, "delivered")
    assert current.attempt == 4 and current.provider == "twilio"
    sent = [m for m in await _sent(rig) if m["to"] == "+12025550123"]
    assert len(sent) == 1 and sent[0]["body"].startswith("Museo: order")


async def test_provider_down_falls_back_to_the_next_channel(rig: Rig, mailpit: Mailpit) -> None:
    from prometheus_client import REGISTRY

    def failures(channel: str) -> float:
        value = REGISTRY.get_sample_value("museo_notifications_failed_total", {"channel": channel})
        return value or 0.0

    before = {c: failures(c) for c in ("whatsapp", "sms", "email")}
    await rig.sim.control(fail_next=100)  # WhatsApp and SMS both fail every attempt
    try:
        email = f"{unique('fb')}@example.es"
        order = make_order(email, phone="+34612340004", market="EU")
        await consent(rig.stack, order.owner, market="EU", channels={"whatsapp": True})
        await rig.stack.publish_order(order)
        [mail] = await mailpit.wait_for(email, timeout=30)
        assert mail["Subject"].startswith("Tu pedido")
        trig = f"order:{order.order_id}"
        for channel in ("whatsapp", "sms"):
            failed = await rig.stack.app.store.current(notification_id(trig, channel))
            assert failed is not None and failed.state == "failed" and failed.attempt == 4
        sent = await rig.stack.app.store.current(notification_id(trig, "email"))
        assert sent is not None and sent.state == "sent"
        assert {c: failures(c) - before[c] for c in before} == {"whatsapp": 1, "sms": 1,
                                                                "email": 0}
    finally:
        await rig.sim.control(fail_next=0)


async def test_gateway_rejects_unsigned_or_forged_webhooks(rig: Rig) -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    async with httpx.AsyncClient(base_url=rig.gateway.base_url) as http:
        none = await http.post("/webhooks/whatsapp", content=body)
        forged = await http.post("/webhooks/whatsapp", content=body,
                                 headers={"X-Hub-Signature-256": meta_signature("wrong", body)})
        good = await http.post("/webhooks/whatsapp", content=body, headers={
            "X-Hub-Signature-256": meta_signature(rig.sim.cfg.meta_app_secret, body)})
        twilio = await http.post("/webhooks/twilio/status",
                                 data={"MessageSid": "SM1", "MessageStatus": "delivered"},
                                 headers={"X-Twilio-Signature": "AAAA"})
    assert (none.status_code, forged.status_code, good.status_code) == (401, 401, 200)
    assert twilio.status_code == 403


async def test_meta_verification_challenge(rig: Rig) -> None:
    from libs.dev_secrets import dev_secret

    token = dev_secret("MUSEO_WHATSAPP_VERIFY_TOKEN", "whatsapp-verify.token")
    async with httpx.AsyncClient(base_url=rig.gateway.base_url) as http:
        ok = await http.get("/webhooks/whatsapp", params={
            "hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444"})
        bad = await http.get("/webhooks/whatsapp", params={
            "hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"})
    assert (ok.status_code, ok.text) == (200, "1158201444")
    assert bad.status_code == 403
