"""Shipping updates recorded through the admin API, abandoned-cart reminders (opt-in, once per
cart, after the delay), quiet hours, and the admin's status and template preview over HTTP:
real gateway, real Kafka/Redis, real SMTP (Mailpit)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio

from libs.contracts.notifications import Contact, notification_id
from libs.contracts.topics import dlq
from services.notifications.quiet import QuietHours, zone_for
from tests.integration import notify_fixtures
from tests.integration.helpers_platform import read_topic, unique
from tests.integration.notify_fixtures import Mailpit, consent, make_order
from tests.integration.notify_rig import Rig, checkout_event, close_rig, eventually, open_rig

mailpit_server = notify_fixtures.mailpit_server  # the fixtures, used by name below
mailpit = notify_fixtures.mailpit

pytestmark = pytest.mark.asyncio(loop_scope="module")
DELAY_S = 1.0


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def rig(kafka_bootstrap: str, redis_url: str, mailpit: Mailpit,
              tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Rig]:
    r = await open_rig(kafka_bootstrap, redis_url, mailpit, tmp_path_factory.mktemp("auth"),
                       abandoned_cart_delay_s=DELAY_S)
    yield r
    await close_rig(r)


async def _mail(rig: Rig, address: str, count: int = 1) -> list[dict[str, Any]]:
    return await rig.mailpit.wait_for(address, count, timeout=25)


async def test_admin_records_a_shipment_and_the_buyer_gets_it_in_spanish_once(rig: Rig) -> None:
    email = f"{unique('ana')}@example.es"
    order = make_order(email, country="ES")
    await rig.stack.publish_order(order)
    await _mail(rig, email)
    body = {"order_id": order.order_id, "carrier": "Correos", "tracking_number": "PQ4F6P1",
            "tracking_url": "https://tracking.example/t?n=PQ4F6P1&x=<b>",
            "shipment_id": unique("shp")}
    async with await rig.http("ops") as http:
        first = await http.post("/v1/admin/shipments", json=body)
        again = await http.post("/v1/admin/shipments", json=body)  # an admin's retry
    assert (first.status_code, again.status_code) == (202, 202), first.text
    assert first.json() == {"shipment_id": body["shipment_id"], "order_id": order.order_id,
                            "status": "accepted"}
    mails = await _mail(rig, email, 2)
    shipped = [m for m in mails if m["Subject"] == f"Tu pedido {order.order_id} está en camino"]
    assert len(shipped) == 1
    message = await rig.mailpit.message(shipped[0]["ID"])
    assert "Correos" in message["Text"] and "PQ4F6P1" in message["Text"]
    # the URL was normalised on the way in (<b> percent-encoded), and & escaped in the HTML
    assert 'href="https://tracking.example/t?n=PQ4F6P1&amp;x=%3Cb%3E"' in message["HTML"]
    nid = notification_id(f"shipment:{body['shipment_id']}", "email")
    current = await eventually(lambda: rig.state(nid))
    assert current is not None and current.kind == "shipping_update" and current.state == "sent"
    assert len(await rig.mailpit.to(email)) == 2  # the confirmation and one shipping update


async def test_shipment_input_is_checked_and_scoped(rig: Rig) -> None:
    good = {"order_id": "ord_1", "carrier": "DHL", "tracking_url": "https://t.example/1"}
    async with await rig.http("ops") as ops, await rig.http("reader") as reader, \
            await rig.http() as anonymous:
        no_token = await anonymous.post("/v1/admin/shipments", json=good)
        wrong_scope = await reader.post("/v1/admin/shipments", json=good)
        script = await ops.post("/v1/admin/shipments",
                                json={**good, "tracking_url": "javascript:alert(1)"})
        missing = await ops.post("/v1/admin/shipments", json={"order_id": "ord_1"})
    assert (no_token.status_code, wrong_scope.status_code) == (401, 403)
    assert (script.status_code, missing.status_code) == (422, 422)


async def test_a_shipment_of_an_unknown_order_is_dead_lettered_not_lost(rig: Rig) -> None:
    order_id = unique("ord-unknown")
    async with await rig.http("ops") as http:
        resp = await http.post("/v1/admin/shipments", json={
            "order_id": order_id, "carrier": "DHL", "tracking_url": "https://t.example/2"})
    assert resp.status_code == 202
    topic = dlq(rig.stack.settings.shipments_topic)
    letters = await eventually(lambda: _letters(rig, topic, order_id), timeout=30)
    assert letters and json.loads(letters[0]["payload"])["order_id"] == order_id
    assert "unknown" in letters[0]["error"]


async def _letters(rig: Rig, topic: str, needle: str) -> list[dict[str, Any]]:
    records = await read_topic(rig.stack.bootstrap, topic, 50, timeout=1)
    return [json.loads(r.value or b"{}") for r in records if needle.encode() in (r.value or b"")]


async def test_abandoned_cart_reminder_is_opt_in_and_sent_once_after_the_delay(rig: Rig) -> None:
    email = f"{unique('lu')}@example.es"
    event = checkout_event(Contact(email=email, country="ES", language="es"))
    await consent(rig.stack, event.owner, marketing=True)
    await rig.publish_checkout(event)
    await rig.publish_checkout(event.model_copy(update={"event_id": unique("ev")}))  # a 2nd link
    [mail] = await _mail(rig, email)
    assert mail["Subject"] == "Te has dejado algo en la cesta"
    message = await rig.mailpit.message(mail["ID"])
    assert "25,00\u00a0€" in message["Text"] and f"{rig.gateway.base_url}/chat" in message["Text"]
    sent = datetime.fromisoformat(mail["Created"].replace("Z", "+00:00"))
    assert sent - event.at >= timedelta(seconds=DELAY_S * 0.9)  # not before the delay
    await rig.publish_checkout(event.model_copy(update={"event_id": unique("ev")}))
    await asyncio.sleep(DELAY_S * 3)
    assert len(await rig.mailpit.to(email)) == 1  # once per cart


async def test_no_reminder_without_marketing_consent_or_after_an_order(rig: Rig) -> None:
    no_consent = f"{unique('nc')}@example.es"
    ordered = f"{unique('or')}@example.es"
    cancelled = f"{unique('ca')}@example.es"
    quiet = checkout_event(Contact(email=no_consent, country="ES"))
    bought = checkout_event(Contact(email=ordered, country="ES"))
    dropped = checkout_event(Contact(email=cancelled, country="ES"))
    for event in (bought, dropped):
        await consent(rig.stack, event.owner, marketing=True)
    for event in (quiet, bought, dropped):
        await rig.publish_checkout(event)
    order = make_order(None).model_copy(update={"cart_id": bought.cart_id, "owner": bought.owner})
    await rig.stack.publish_order(order)
    await rig.publish_checkout(checkout_event(None, kind="cancelled", cart_id=dropped.cart_id,
                                              owner=dropped.owner))
    await asyncio.sleep(DELAY_S * 4)
    for address in (no_consent, ordered, cancelled):
        assert await rig.mailpit.to(address) == [], address
    assert await rig.stack.app.parts.scheduler.due_at(f"cart:{quiet.cart_id}") is None


async def test_marketing_waits_out_quiet_hours_where_the_person_is_transactional_does_not(
        rig: Rig) -> None:
    contact = Contact(email=f"{unique('qh')}@example.es", phone="+34612349999", country="ES")
    zone = zone_for(contact)
    assert str(zone) == "Europe/Madrid"
    now = datetime.now(zone)
    quiet = QuietHours((now - timedelta(hours=1)).time(), (now + timedelta(hours=2)).time())
    respect = rig.stack.app.parts.notifier.respect
    assert respect is not None
    respect.quiet = quiet
    try:
        event = checkout_event(contact)
        await consent(rig.stack, event.owner, marketing=True)
        await rig.publish_checkout(event)
        due = await eventually(lambda: rig.stack.app.parts.scheduler.due_at(
            f"defer:cart:{event.cart_id}"), timeout=15)
        expected = quiet.until(datetime.now(UTC), zone)
        assert expected is not None and due == pytest.approx(expected.timestamp(), abs=120)
        assert due > datetime.now(UTC).timestamp() + 3600
        order = make_order(contact.email, country="ES").model_copy(update={"owner": event.owner})
        await rig.stack.publish_order(order)  # an order confirmation goes now, night or not
        mails = await _mail(rig, contact.email or "")
        assert [m["Subject"] for m in mails] == [f"Tu pedido {order.order_id} está confirmado"]
    finally:
        respect.quiet = None
        await rig.stack.app.parts.scheduler.erase(event.owner)


async def test_admin_reads_a_status_and_previews_a_template_over_http(rig: Rig) -> None:
    email = f"{unique('st')}@example.fr"
    order = make_order(email, country="FR")
    await rig.stack.publish_order(order)
    await _mail(rig, email)
    nid = notification_id(f"order:{order.order_id}", "email")
    async with await rig.http("reader") as http, await rig.http("catalog") as other:
        status = await http.get(f"/v1/admin/notifications/{nid}")
        unknown = await http.get("/v1/admin/notifications/ntf_000000000000000000000000")
        preview = await http.post("/v1/admin/notifications/preview",
                                  json={"kind": "order_confirmation", "language": "es",
                                        "market": "EU"})
        sms = await http.post("/v1/admin/notifications/preview",
                              json={"kind": "shipping_update", "language": "fr", "market": "EU",
                                    "channel": "sms"})
        missing = await http.post("/v1/admin/notifications/preview", json={"kind": "nope"})
        templates = await http.get("/v1/admin/notifications/templates")
        refused = await other.get(f"/v1/admin/notifications/{nid}")
    assert status.status_code == 200, status.text
    assert status.json()["current"]["state"] == "sent"
    assert [h["state"] for h in status.json()["history"]] == ["queued", "sent"]
    assert email not in status.text
    assert (unknown.status_code, missing.status_code, refused.status_code) == (404, 404, 403)
    shown = preview.json()
    assert shown["language"] == "es" and shown["locale"] == "es_ES"
    assert shown["subject"] == "Tu pedido ord_sample42 está confirmado"
    assert "18,65\u00a0€" in shown["text"] and "18,65\u00a0€" in shown["html"]
    assert sms.json()["html"] is None and sms.json()["text"].startswith("Museo : votre commande")
    kinds = {t["kind"]: t for t in templates.json()["templates"]}
    assert set(kinds) >= {"order_confirmation", "shipping_update", "abandoned_cart"}
    assert kinds["abandoned_cart"]["transactional"] is False
    assert kinds["shipping_update"]["languages"] == ["en", "es", "fr"]

