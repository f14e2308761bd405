"""Vendor webhooks: Meta's WhatsApp Cloud API (`/webhooks/whatsapp`) and Twilio's status
callbacks (`/webhooks/twilio/status`).

The gateway only proves the request came from the vendor and forwards it: the signature is
checked over the raw body before anything is parsed (Meta: `X-Hub-Signature-256`, HMAC-SHA256
with the app secret; Twilio: `X-Twilio-Signature`, HMAC-SHA1 over the public URL and the sorted
form fields with the auth token), then the payload goes as received to `notifications.callbacks`
(acks=all) and the vendor gets 200. A bad or missing Meta signature gets 401 (Twilio's: 403) and
nothing is forwarded; a Kafka that does not answer gets 503, so the vendor retries later.

Meta verifies the endpoint with `GET ?hub.mode=subscribe&hub.verify_token=...&hub.challenge=N`,
answered with the challenge when the token matches. Inbound customer messages (the chat
channel) arrive on the same POST: each is also published to `whatsapp.inbound` (key = wa_id)
with the channel principal `whatsapp:<wa_id>` sealed in its header, for `services/whatsapp`.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from libs.contracts.notifications import ProviderCallback
from libs.contracts.principal import H_PRINCIPAL
from libs.contracts.whatsapp import InboundMessage
from libs.dev_secrets import dev_secret
from libs.messaging.principal import seal
from libs.webhook_signatures import meta_valid, twilio_valid
from libs.whatsapp.webhook import inbound_messages, whatsapp_principal
from services.gateway.deps import GatewayState, state
from services.gateway.errors import problem

router = APIRouter(tags=["webhooks"])
async def forward_callback(gw: GatewayState, callback: ProviderCallback, key: str | None,
                   inbound: list[InboundMessage] | None = None) -> JSONResponse:
    """Publish the callback (and each inbound message) and wait for every acknowledgement; a
    replay after a partial failure is harmless, the channel is idempotent by message id."""
    producer, topics = gw.facts(), gw.settings
    try:
        sends = [await producer.send(
            topics.whatsapp_inbound_topic, m.model_dump_json().encode(), key=m.wa_id.encode(),
            headers=[(H_PRINCIPAL, seal(whatsapp_principal(m.wa_id)).encode())])
            for m in inbound or []]
        sends.append(await producer.send(topics.callbacks_topic,
                                         callback.model_dump_json().encode(),
                                         key=key.encode() if key else None))
        await asyncio.wait_for(asyncio.gather(*sends), timeout=5)
    except Exception:  # noqa: BLE001 - the vendor retries a non-2xx later
        return problem(503, "unavailable", "could not record the webhook; retry later")
    return JSONResponse({"ok": True})


@router.get("/webhooks/whatsapp", response_class=PlainTextResponse,
            summary="Meta webhook verification (hub.challenge)")
async def whatsapp_verify(mode: str = Query("", alias="hub.mode"),
                          token: str = Query("", alias="hub.verify_token"),
                          challenge: str = Query("", alias="hub.challenge")) -> Any:
    expected = dev_secret("MUSEO_WHATSAPP_VERIFY_TOKEN", "whatsapp-verify.token")
    if mode == "subscribe" and token and hmac.compare_digest(token, expected):
        return PlainTextResponse(challenge)
    return PlainTextResponse("verification failed", status_code=403)


@router.post("/webhooks/whatsapp", summary="WhatsApp Cloud API webhook (statuses, messages)")
async def whatsapp_webhook(request: Request, gw: GatewayState = Depends(state)) -> Any:
    raw = await request.body()
    secret = dev_secret("MUSEO_WHATSAPP_APP_SECRET", "whatsapp-app.secret")
    if not meta_valid(secret, raw, request.headers.get("x-hub-signature-256")):
        return problem(401, "unauthorized", "bad or missing X-Hub-Signature-256")
    try:
        body = json.loads(raw)
    except ValueError:
        return problem(400, "bad_request", "the body is not JSON")
    if not isinstance(body, dict) or body.get("object") != "whatsapp_business_account":
        return problem(400, "bad_request", "not a WhatsApp Business Account webhook")
    return await forward_callback(gw, ProviderCallback(provider="whatsapp", payload=body), None,
                          inbound_messages(body))


async def twilio_form(request: Request, gw: GatewayState) -> dict[str, str] | None:
    """The form Twilio posted, or None when X-Twilio-Signature (HMAC-SHA1 over the public URL
    and the sorted fields, with the auth token) does not verify."""
    raw = (await request.body()).decode("utf-8", "replace")
    params = parse_qsl(raw, keep_blank_values=True)
    url = gw.settings.public_base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    token = dev_secret("MUSEO_TWILIO_AUTH_TOKEN", "twilio-auth.token")
    if not twilio_valid(token, url, params, request.headers.get("x-twilio-signature")):
        return None
    return dict(params)


@router.post("/webhooks/twilio/status", summary="Twilio message status callback")
async def twilio_status(request: Request, gw: GatewayState = Depends(state)) -> Any:
    form = await twilio_form(request, gw)
    if form is None:
        return problem(403, "forbidden", "bad or missing X-Twilio-Signature")
    return await forward_callback(gw, ProviderCallback(provider="twilio", payload=form),
                          form.get("MessageSid"))
