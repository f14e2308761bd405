"""Vendor webhooks: Meta's WhatsApp Cloud API (`/webhooks/whatsapp`) and Twilio's status
callbacks (`/webhooks/twilio/status`).

The gateway only proves the request came from the vendor and forwards it: the signature is
checked over the raw body before anything is parsed (Meta: `X-Hub-Signature-256`, HMAC-SHA256
with the app secret; Twilio: `X-Twilio-Signature`, HMAC-SHA1 over the public URL and the sorted
form fields with the auth token), then the payload goes as received to `notifications.callbacks`
(acks=all) and the vendor gets 200. A bad or missing signature gets 403 and nothing is
forwarded; a Kafka that does not answer gets 503, so the vendor retries later.

Meta verifies the endpoint with `GET ?hub.mode=subscribe&hub.verify_token=...&hub.challenge=N`,
answered with the challenge when the token matches. WhatsApp inbound messages (the chat channel)
arrive on the same POST; they are forwarded too, and a `messages` handler can be added beside
the status one without touching the signature check.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from typing import Any
from urllib.parse import parse_qsl

from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from libs.contracts.notifications import NOTIFICATIONS_CALLBACKS, ProviderCallback
from libs.dev_secrets import dev_secret
from libs.messaging.broker import make_producer
from libs.webhook_signatures import meta_valid, twilio_valid
from services.gateway.deps import GatewayState, state
from services.gateway.errors import problem

router = APIRouter(tags=["webhooks"])
PRODUCER = "webhooks_producer"
TOPIC = "callbacks_topic"  # extras override, used by tests to isolate a topic


async def _start(gw: GatewayState) -> None:
    producer = make_producer(
        gw.settings.kafka_bootstrap_servers,
        client_id=f"gateway-webhooks-{gw.settings.instance_id}",
        linger_ms=1, request_timeout_ms=5000,
    )
    await producer.start()
    gw.extras[PRODUCER] = producer
    gw.extras.setdefault(TOPIC, NOTIFICATIONS_CALLBACKS)


async def _stop(gw: GatewayState) -> None:
    producer: AIOKafkaProducer | None = gw.extras.pop(PRODUCER, None)
    if producer is not None:
        await producer.stop()


def setup(app: FastAPI) -> None:
    app.state.startup_hooks.append(_start)
    app.state.shutdown_hooks.append(_stop)


async def _forward(gw: GatewayState, callback: ProviderCallback, key: str | None) -> JSONResponse:
    producer: AIOKafkaProducer = gw.extras[PRODUCER]
    try:
        sent = await producer.send(gw.extras.get(TOPIC, NOTIFICATIONS_CALLBACKS),
                                   callback.model_dump_json().encode(),
                                   key=key.encode() if key else None)
        await asyncio.wait_for(sent, timeout=5)
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
        return problem(403, "forbidden", "bad or missing X-Hub-Signature-256")
    try:
        body = json.loads(raw)
    except ValueError:
        return problem(400, "bad_request", "the body is not JSON")
    if not isinstance(body, dict) or body.get("object") != "whatsapp_business_account":
        return problem(400, "bad_request", "not a WhatsApp Business Account webhook")
    return await _forward(gw, ProviderCallback(provider="whatsapp", payload=body), None)


@router.post("/webhooks/twilio/status", summary="Twilio message status callback")
async def twilio_status(request: Request, gw: GatewayState = Depends(state)) -> Any:
    raw = (await request.body()).decode("utf-8", "replace")
    params = parse_qsl(raw, keep_blank_values=True)
    url = gw.settings.public_base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    token = dev_secret("MUSEO_TWILIO_AUTH_TOKEN", "twilio-auth.token")
    if not twilio_valid(token, url, params, request.headers.get("x-twilio-signature")):
        return problem(403, "forbidden", "bad or missing X-Twilio-Signature")
    form = dict(params)
    return await _forward(gw, ProviderCallback(provider="twilio", payload=form),
                          form.get("MessageSid"))
