"""Consent and respect: WhatsApp needs an opt-in, an SMS "STOP" (Twilio's signed inbound webhook
through the gateway) opts the number out and "START" back in, and every email's unsubscribe
link works (GET shows, POST unsubscribes, RFC 8058 one-click), through the real gateway, the
provider simulator and Mailpit."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from libs.contracts.notifications import notification_id
from libs.contracts.orders import Order
from libs.webhook_signatures import twilio_signature
from tests.integration import notify_fixtures
from tests.integration.helpers_platform import unique
from tests.integration.notify_fixtures import Mailpit, consent, make_order
from tests.integration.notify_rig import Rig, close_rig, eventually, open_rig

mailpit_server = notify_fixtures.mailpit_server  # the fixtures, used by name below
mailpit = notify_fixtures.mailpit

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def rig(kafka_bootstrap: str, redis_url: str, mailpit: Mailpit,
              tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Rig]:
    r = await open_rig(kafka_bootstrap, redis_url, mailpit, tmp_path_factory.mktemp("auth"))
    yield r
    await close_rig(r)


async def _sent_state(rig: Rig, trigger: str, channel: str) -> str | None:
    """The state once past `queued` (or None when nothing was ever queued on the channel)."""
    nid = notification_id(trigger, channel)

    async def settled() -> str | None:
        current = await rig.state(nid)
        return None if current is None or current.state == "queued" else str(current.state)

    return await eventually(settled)


SENT = ("sent", "delivered", "read")  # accepted by the provider, and maybe further by now


async def test_whatsapp_is_used_only_after_an_opt_in(rig: Rig) -> None:
    phone = "+34612350001"
    first = make_order(None, phone=phone, market="EU")
    await rig.stack.publish_order(first)
    assert await _sent_state(rig, f"order:{first.order_id}", "sms") in SENT
    assert await rig.state(notification_id(f"order:{first.order_id}", "whatsapp")) is None
    await consent(rig.stack, first.owner, market="EU", channels={"whatsapp": True})
    second = make_order(None, phone=phone, market="EU").model_copy(update={"owner": first.owner})
    await rig.stack.publish_order(second)
    assert await _sent_state(rig, f"order:{second.order_id}", "whatsapp") in SENT
    kinds = [m.get("type", "sms") for m in await rig.sent_to(phone)]
    assert kinds == ["sms", "template"]


async def _text(rig: Rig, phone: str, body: str) -> dict[str, object]:
    resp = await rig.sim.http.post("/_sim/twilio/inbound", json={"from": phone, "body": body})
    resp.raise_for_status()
    return dict(resp.json())


async def _opted_out(rig: Rig, phone: str) -> bool:
    consent_store = rig.stack.app.parts.consent
    return await consent_store.opted_out("sms", phone)


async def test_sms_stop_opts_the_number_out_and_start_back_in(rig: Rig) -> None:
    phone = "+12025550177"
    email = f"{unique('stop')}@example.com"
    owner = f"customer:{unique('c')}"

    def order() -> Order:
        return make_order(email, phone=phone, market="US").model_copy(update={"owner": owner})

    before = order()
    await rig.stack.publish_order(before)
    assert await _sent_state(rig, f"order:{before.order_id}", "sms") in SENT
    stop = await _text(rig, phone, " stop ")
    assert stop["opt_out_type"] == "STOP" and stop["webhook_status"] == 200
    assert await eventually(lambda: _opted_out(rig, phone))
    during = order()
    await rig.stack.publish_order(during)
    assert await _sent_state(rig, f"order:{during.order_id}", "email") in SENT  # fell back
    assert await rig.state(notification_id(f"order:{during.order_id}", "sms")) is None
    assert len(await rig.sent_to(phone)) == 1
    start = await _text(rig, phone, "START")
    assert start["opt_out_type"] == "START"
    assert await eventually(lambda: _opted_in(rig, phone))
    after = order()
    await rig.stack.publish_order(after)
    assert await _sent_state(rig, f"order:{after.order_id}", "sms") in SENT


async def _opted_in(rig: Rig, phone: str) -> bool:
    return not await _opted_out(rig, phone)


async def test_a_forged_inbound_message_changes_nothing(rig: Rig) -> None:
    phone = "+12025550178"
    form = {"MessageSid": "SM" + "0" * 32, "From": phone, "To": "+15005550006", "Body": "STOP"}
    url = f"{rig.gateway.base_url}/webhooks/twilio/inbound"
    async with httpx.AsyncClient() as http:
        unsigned = await http.post(url, data=form)
        forged = await http.post(url, data=form, headers={
            "X-Twilio-Signature": twilio_signature("not-the-token", url, form)})
        signed = await http.post(url, data={k: v for k, v in form.items() if k != "Body"},
                                 headers={"X-Twilio-Signature": twilio_signature(
                                     rig.sim.cfg.twilio_auth_token, url,
                                     {k: v for k, v in form.items() if k != "Body"})})
    assert (unsigned.status_code, forged.status_code, signed.status_code) == (403, 403, 400)
    assert not await _opted_out(rig, phone)


async def test_every_email_has_a_working_unsubscribe_link(rig: Rig) -> None:
    email = f"{unique('unsub')}@example.es"
    first = make_order(email, country="ES")
    await rig.stack.publish_order(first)
    [mail] = await rig.mailpit.wait_for(email)
    headers = (await rig.mailpit.http.get(f"/api/v1/message/{mail['ID']}/headers")).json()
    assert headers["List-Unsubscribe-Post"] == ["List-Unsubscribe=One-Click"]
    link = re.fullmatch(r"<(.+)>", headers["List-Unsubscribe"][0])
    assert link and link.group(1).startswith(f"{rig.gateway.base_url}/unsubscribe/")
    assert email not in link.group(1)  # the address is not in the link
    assert link.group(1) in (await rig.mailpit.message(mail["ID"]))["Text"]
    async with httpx.AsyncClient() as http:
        page = await http.get(link.group(1))  # a mail scanner opening it changes nothing
        tampered = await http.get(link.group(1)[:-3] + "AAA")
        assert page.status_code == 200 and "u***@example.es" in page.text
        assert "Darse de baja" in page.text and 'method="post"' in page.text
        assert tampered.status_code == 400
        second = make_order(email, country="ES").model_copy(update={"owner": first.owner})
        await rig.stack.publish_order(second)
        await rig.mailpit.wait_for(email, 2)
        done = await http.post(link.group(1), content=b"List-Unsubscribe=One-Click",
                               headers={"content-type": "application/x-www-form-urlencoded"})
    assert done.status_code == 200 and "u***@example.es" in done.text
    third = make_order(email, country="ES").model_copy(update={"owner": first.owner})
    await rig.stack.publish_order(third)
    await eventually(lambda: rig.stack.app.store.order(third.order_id))
    assert await rig.state(notification_id(f"order:{third.order_id}", "email")) is None
    assert len(await rig.mailpit.to(email)) == 2
    # Saying yes to email again (PUT /v1/users/me/consent) lifts the opt-out of the address.
    await consent(rig.stack, first.owner, channels={"email": True})
    fourth = make_order(email, country="ES").model_copy(update={"owner": first.owner})
    await rig.stack.publish_order(fourth)
    assert len(await rig.mailpit.wait_for(email, 3)) == 3
