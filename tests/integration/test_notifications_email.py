"""Order confirmation email over real SMTP (Mailpit), localised, sent once, with its status."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer

from libs.contracts.notifications import (
    DeliveryStatus,
    NotificationRequest,
    StatusQuery,
    StatusReply,
    notification_id,
)
from libs.contracts.privacy import PrivacyCommand
from libs.contracts.topics import dlq
from libs.messaging.rpc import RpcClient
from tests.integration import notify_fixtures
from tests.integration.helpers_platform import free_port, unique
from tests.integration.notify_fixtures import (
    Mailpit,
    NotifyStack,
    make_order,
    start_stack,
    stop_stack,
)

mailpit_server = notify_fixtures.mailpit_server  # the fixtures, used by name below
mailpit = notify_fixtures.mailpit

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(kafka_bootstrap: str, redis_url: str, mailpit: Mailpit) -> AsyncIterator[NotifyStack]:
    s = await start_stack(kafka_bootstrap, redis_url, smtp_port=mailpit.smtp_port,
                          retry_base_s=0.05, send_attempts=3)
    yield s
    await stop_stack(s)


async def _records(bootstrap: str, topic: str, want: int, timeout: float = 10) -> list[dict]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", fetch_max_wait_ms=50)
    await consumer.start()
    out: list[dict] = []
    try:
        deadline = time.monotonic() + timeout
        while len(out) < want and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for recs in batch.values():
                out.extend(json.loads(r.value) for r in recs)
    finally:
        await consumer.stop()
    return out


async def test_spanish_customer_gets_a_spanish_email_with_euro_amounts(
        stack: NotifyStack, mailpit: Mailpit) -> None:
    email = f"{unique('ana')}@example.es"
    order = make_order(email, phone="+34612345678")
    await stack.publish_order(order)
    [summary] = await mailpit.wait_for(email)
    assert summary["Subject"] == f"Tu pedido {order.order_id} está confirmado"
    message = await mailpit.message(summary["ID"])
    assert "1.234,50\u00a0€" in message["Text"] and "2 de diciembre de 2026" in message["Text"]
    assert "Corazón de cerámica" in message["HTML"] and "1.234,50\u00a0€" in message["HTML"]
    headers = (await mailpit.http.get(f"/api/v1/message/{summary['ID']}/headers")).json()
    assert headers["Content-Language"] == ["es"]


async def test_redelivered_order_sends_one_email_and_status_is_sent(
        stack: NotifyStack, mailpit: Mailpit) -> None:
    email = f"{unique('bob')}@example.com"
    order = make_order(email, currency="GBP", market="UK", country="GB")
    await stack.publish_order(order, repeat=3)  # the same fact three times (redelivery)
    await mailpit.wait_for(email)
    nid = notification_id(f"order:{order.order_id}", "email")
    statuses = [DeliveryStatus.model_validate(r) for r in
                await _records(stack.bootstrap, stack.settings.status_topic, 50, timeout=3)]
    mine = [s for s in statuses if s.notification_id == nid]
    assert [s.state for s in mine] == ["queued", "sent"]
    assert len(await mailpit.to(email)) == 1
    reply = await stack.app.store.current(nid)
    assert reply is not None and reply.state == "sent" and reply.provider == "smtp"
    history = await stack.app.store.history(nid)
    assert [h.state for h in history] == ["queued", "sent"]
    assert email not in json.dumps([s.model_dump(mode="json") for s in mine])  # no contact data


async def test_an_english_fallback_for_a_market_without_a_shop_language(
        stack: NotifyStack, mailpit: Mailpit) -> None:
    email = f"{unique('jo')}@example.de"
    await stack.publish_order(make_order(email, country="DE"))
    [summary] = await mailpit.wait_for(email)
    assert summary["Subject"].startswith("Your order")
    assert "1.234,50\u00a0€" in (await mailpit.message(summary["ID"]))["Text"]  # de_DE money


async def test_order_without_verified_contact_sends_nothing(
        stack: NotifyStack, mailpit: Mailpit) -> None:
    order = make_order(None)
    await stack.publish_order(order)
    nid = notification_id(f"order:{order.order_id}", "email")
    await asyncio.sleep(1.5)
    assert await stack.app.store.current(nid) is None
    assert await stack.app.store.current(notification_id(f"order:{order.order_id}", "sms")) is None


async def test_smtp_down_retries_then_dead_letters_the_request(
        kafka_bootstrap: str, redis_url: str, mailpit: Mailpit) -> None:
    down = await start_stack(kafka_bootstrap, redis_url, smtp_port=free_port(),
                             retry_base_s=0.01, send_attempts=3)
    try:
        order = make_order(f"{unique('x')}@example.com")
        await down.publish_order(order)
        letters = await _records(kafka_bootstrap, dlq(down.settings.requests_topic), 1, 20)
        assert len(letters) == 1
        replay = NotificationRequest.model_validate_json(letters[0]["payload"])
        assert replay.trigger == f"order:{order.order_id}"
        nid = notification_id(replay.trigger, "email")
        current = await down.app.store.current(nid)
        assert current is not None and current.state == "failed" and current.attempt == 3
    finally:
        await stop_stack(down)


async def test_status_is_answered_over_request_reply_and_erasure_forgets_the_contact(
        stack: NotifyStack, mailpit: Mailpit) -> None:
    email = f"{unique('eve')}@example.fr"
    order = make_order(email, country="FR")
    await stack.publish_order(order)
    await mailpit.wait_for(email)
    nid = notification_id(f"order:{order.order_id}", "email")
    rpc = RpcClient(stack.bootstrap, unique("test-notify-rpc"))
    await rpc.start()
    try:
        reply = await rpc.request(stack.settings.rpc_topic, StatusQuery(notification_id=nid),
                                  StatusReply, timeout=10)
    finally:
        await rpc.stop()
    assert reply.current is not None and reply.current.state == "sent"
    assert [h.state for h in reply.history] == ["queued", "sent"]
    assert await stack.app.store.contact(order.owner) is not None
    erase = PrivacyCommand(request_id=unique("er"), kind="erase", user_id=order.owner)
    await stack.app.broker.publish(erase.model_dump(mode="json"), stack.settings.privacy_topic)
    deadline = time.monotonic() + 15
    while await stack.app.store.contact(order.owner) is not None and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert await stack.app.store.contact(order.owner) is None
    assert not await stack.redis.exists(f"{stack.settings.redis_prefix}owner:{order.owner}")
    # the status itself stays: it names no one
    assert (await stack.app.store.current(nid)) is not None
