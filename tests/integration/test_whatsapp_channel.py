"""The WhatsApp chat channel on real Kafka and Redis: a webhook signed like Meta's reaches the
gateway, goes to `whatsapp.inbound` (a test topic) with the sealed channel principal, becomes a
turn of the real chat service (intent and storefront are not running here: the pattern stage
answers) and the reply reaches the provider simulator through the Graph API.

Bad input: unsigned or forged → 401 and nothing published; not JSON → 400; oversize → 413; a
replayed message id or a message older than the customer-service window → no second reply; a
record without a sealed principal → the dead-letter topic. All test topics and keys are removed.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer, TopicPartition
from redis.asyncio import Redis

from libs.contracts.topics import TopicSpec, dlq
from libs.contracts.whatsapp import InboundMessage
from libs.messaging.topics import delete_topics, ensure_topics
from libs.webhook_signatures import meta_signature
from libs.whatsapp.graph import GraphClient, GraphError
from services.chat.__main__ import ChatApp, ChatSettings
from services.chat.__main__ import build as build_chat
from services.whatsapp.__main__ import WhatsAppApp, WhatsAppSettings
from services.whatsapp.__main__ import build as build_whatsapp
from tests.integration.helpers_platform import GatewayServer, MarketsWorker, read_topic, unique
from tests.integration.notify_fixtures import SimServer

pytestmark = pytest.mark.asyncio(loop_scope="module")


@dataclass
class Rig:
    gateway: GatewayServer
    sim: SimServer
    whatsapp: WhatsAppApp
    redis: Redis
    kafka: str
    inbound: str
    prefix: str


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def rig(kafka_bootstrap: str, redis_url: str) -> AsyncIterator[Rig]:
    tag = unique("t")
    inbound, callbacks, events = (f"test.wa.inbound.{tag}", f"test.wa.callbacks.{tag}",
                                  f"test.wa.events.{tag}")
    topics = [inbound, dlq(inbound), callbacks, events]
    await ensure_topics(kafka_bootstrap, [TopicSpec(t, partitions=1) for t in topics])
    markets = MarketsWorker(kafka_bootstrap, redis_url)
    await markets.start()
    chat: ChatApp = build_chat(ChatSettings(
        kafka_bootstrap_servers=kafka_bootstrap, redis_url=redis_url,
        instance_id=unique("test-chat"), events_topic=events, intent_timeout_s=0.5,
        service_timeout_s=1.0))
    await chat.start()
    await chat.broker.start()
    gateway = GatewayServer(kafka_bootstrap, redis_url, max_body_bytes=20_000)
    await gateway.start(timeout=60)
    settings = gateway.app.state.gw.settings
    settings.callbacks_topic, settings.whatsapp_inbound_topic = callbacks, inbound
    sim = SimServer(f"{gateway.base_url}/webhooks/whatsapp")
    await sim.start()
    prefix = f"test:{tag}:wa:"
    whatsapp = build_whatsapp(WhatsAppSettings(
        kafka_bootstrap_servers=kafka_bootstrap, redis_url=redis_url,
        instance_id=unique("test-wa"), inbound_topic=inbound, group_id=f"test-wa-{tag}",
        redis_prefix=prefix, whatsapp_base_url=sim.base_url, chat_timeout_s=15.0))
    await whatsapp.start()
    await whatsapp.broker.start()
    redis = Redis.from_url(redis_url)
    try:
        yield Rig(gateway, sim, whatsapp, redis, kafka_bootstrap, inbound, prefix)
    finally:
        await whatsapp.broker.stop()
        await whatsapp.stop()
        await sim.stop()
        await gateway.stop()
        await chat.broker.stop()
        await chat.stop()
        await markets.stop()
        async for key in redis.scan_iter(match=f"{prefix}*"):
            await redis.delete(key)
        await redis.aclose()
        await delete_topics(kafka_bootstrap, topics)


async def _sent_to(rig: Rig, wa_id: str) -> list[dict[str, Any]]:
    resp = await rig.sim.http.get("/_sim/messages")
    return [m for m in resp.json()["messages"] if m["to"] == wa_id]


async def _wait_sent(rig: Rig, wa_id: str, count: int = 1, timeout: float = 30) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(sent := await _sent_to(rig, wa_id)) >= count:
            return sent
        await asyncio.sleep(0.1)
    return await _sent_to(rig, wa_id)


async def _signed(rig: Rig, **message: Any) -> tuple[bytes, str, str]:
    """A customer message as the simulator (Meta) signs it, not yet delivered."""
    resp = await rig.sim.http.post("/_sim/whatsapp/inbound", json={**message, "deliver": False})
    resp.raise_for_status()
    out = resp.json()
    return out["body"].encode(), out["signature"], out["message_id"]


async def _post(rig: Rig, body: bytes, signature: str | None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["x-hub-signature-256"] = signature
    async with httpx.AsyncClient(base_url=rig.gateway.base_url, timeout=20) as http:
        return await http.post("/webhooks/whatsapp", content=body, headers=headers)


async def _end_offset(rig: Rig, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=rig.kafka, group_id=None)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        return int((await consumer.end_offsets([tp]))[tp])
    finally:
        await consumer.stop()


async def test_a_spanish_text_is_answered_in_spanish_once_even_when_meta_retries(rig: Rig) -> None:
    body, signature, _ = await _signed(rig, **{"from": "+34611000001", "text": "hola"})
    first = await _post(rig, body, signature)
    assert first.status_code == 200, first.text
    [reply] = await _wait_sent(rig, "34611000001")
    assert reply["type"] == "text" and reply["body"].startswith("¡Hola!")
    assert reply["in_window"] is True
    again = await _post(rig, body, signature)  # Meta retries the same webhook
    assert again.status_code == 200
    await asyncio.sleep(2.0)
    assert len(await _sent_to(rig, "34611000001")) == 1


async def test_unsigned_or_forged_webhooks_get_401_and_publish_nothing(rig: Rig) -> None:
    body, signature, _ = await _signed(rig, **{"from": "+34611000002", "text": "hola"})
    before = await _end_offset(rig, rig.inbound)
    forged = meta_signature("not-the-app-secret", body)
    answers = [await _post(rig, body, None), await _post(rig, body, forged),
               await _post(rig, body + b" ", signature)]  # the body changed after signing
    assert [a.status_code for a in answers] == [401, 401, 401]
    assert all(a.json()["error"]["code"] == "unauthorized" for a in answers)
    assert await _end_offset(rig, rig.inbound) == before
    await asyncio.sleep(1.0)
    assert await _sent_to(rig, "34611000002") == []


async def test_bad_bodies_are_refused_without_a_5xx(rig: Rig) -> None:
    secret = rig.sim.cfg.meta_app_secret
    not_json = b"{not json"
    other = json.dumps({"object": "page", "entry": []}).encode()
    huge = json.dumps({"object": "whatsapp_business_account", "pad": "x" * 30_000}).encode()
    answers = [await _post(rig, b, meta_signature(secret, b)) for b in (not_json, other, huge)]
    assert [a.status_code for a in answers] == [400, 400, 413]


async def test_a_message_older_than_the_window_is_not_answered(rig: Rig) -> None:
    old = int(time.time()) - 2 * 24 * 3600
    body, signature, _ = await _signed(rig, **{"from": "+34611000003", "text": "hola",
                                               "timestamp": old})
    assert (await _post(rig, body, signature)).status_code == 200
    fresh, fresh_sig, _ = await _signed(rig, **{"from": "+34611000003", "text": "hola"})
    assert (await _post(rig, fresh, fresh_sig)).status_code == 200
    [only] = await _wait_sent(rig, "34611000003")  # the fresh one, after the stale one
    await asyncio.sleep(1.0)
    assert len(await _sent_to(rig, "34611000003")) == 1 and only["body"].startswith("¡Hola!")


async def test_an_image_gets_a_polite_answer_in_the_language_of_the_number(rig: Rig) -> None:
    for phone, expected in (("+34611000004", "Lo siento, de momento solo puedo leer"),
                            ("+33611000004", "Désolé, je ne sais lire que")):
        resp = await rig.sim.http.post("/_sim/whatsapp/inbound",
                                       json={"from": phone, "type": "image"})
        resp.raise_for_status()  # delivered signed by the simulator, as Meta does
        [reply] = await _wait_sent(rig, phone.lstrip("+"))
        assert reply["type"] == "text" and reply["body"].startswith(expected)


async def test_a_tapped_button_is_a_chat_action(rig: Rig) -> None:
    resp = await rig.sim.http.post("/_sim/whatsapp/inbound", json={
        "from": "+34611000005", "type": "button_reply", "reply_id": "basket",
        "reply_title": "Ver cesta"})
    resp.raise_for_status()
    [reply] = await _wait_sent(rig, "34611000005")
    assert reply["body"] == "Tu cesta está vacía."


async def test_a_record_without_a_sealed_principal_goes_to_the_dead_letter_topic(rig: Rig) -> None:
    forged = InboundMessage(message_id=unique("wamid"), wa_id="34611000006",
                            timestamp=int(time.time()), type="text", text="hola")
    await rig.whatsapp.broker.publish(forged.model_dump_json().encode(), rig.inbound,
                                      key=b"34611000006")
    [letter] = await read_topic(rig.kafka, dlq(rig.inbound), 1, timeout=20)
    dead = json.loads(letter.value or b"{}")
    assert dead["error_type"] == "NotTheSender" and forged.message_id in dead["payload"]
    assert await _sent_to(rig, "34611000006") == []


async def test_the_simulator_refuses_an_over_long_row_title_like_meta(rig: Rig) -> None:
    from libs.dev_secrets import dev_secret

    async with httpx.AsyncClient(timeout=10) as http:
        graph = GraphClient(http, rig.sim.base_url, "v21.0", rig.sim.cfg.meta_phone_number_id,
                            dev_secret("MUSEO_WHATSAPP_ACCESS_TOKEN", "whatsapp-access.token"))
        payload = {"messaging_product": "whatsapp", "to": "34611000007", "type": "interactive",
                   "interactive": {"type": "list", "body": {"text": "Resultados"}, "action": {
                       "button": "Ver", "sections": [{"rows": [
                           {"id": "add:p1", "title": "Una vela con un nombre larguísimo"}]}]}}}
        with pytest.raises(GraphError) as refused:
            await graph.send(payload)
    err = refused.value
    assert (err.status, err.code, err.retryable) == (400, 131009, False)
    assert err.details is not None and "Max length: 24" in err.details
