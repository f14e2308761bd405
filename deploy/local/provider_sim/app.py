"""The provider simulator: Twilio's Messages API and Meta's WhatsApp Cloud API, as documented.

Twilio: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic (AccountSid, Auth
Token), form fields `To`, `From`, `Body`, `StatusCallback`; `whatsapp:`-prefixed numbers are
WhatsApp. Answers 201 with the Message resource; then POSTs form status callbacks (`MessageSid`,
`MessageStatus` sent → delivered [→ read for WhatsApp], `To`, `From`, `AccountSid`, `ApiVersion`)
signed with `X-Twilio-Signature`.

Meta: `POST /{version}/{phone-number-id}/messages`, `Authorization: Bearer`, JSON `text` or
`interactive` (list, reply buttons, CTA URL; checked as Meta documents them, `meta_rules.py`)
inside the customer-service window (24 h after the customer last wrote) or `template` anywhere.
A body that breaks a documented limit is refused with Meta's (#131009) error. Answers
`{"messaging_product", "contacts": [{input, wa_id}], "messages": [{id: "wamid..."}]}`; then POSTs
status webhooks (`entry[].changes[].value.statuses[]` with `id`, `status`, `timestamp`,
`recipient_id`) signed with `X-Hub-Signature-256`. A text or interactive message outside the
window is accepted and then fails with error 131047, as Meta does.

Test controls under `/_sim/`: fail the next N sends (HTTP 500 in each vendor's error shape), slow
down, send callbacks in reverse order, open a customer's 24-hour window, text the shop's Twilio
number (STOP/START: `twilio_inbound.py`), list what was sent.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from deploy.local.provider_sim import twilio_inbound
from deploy.local.provider_sim.meta_inbound import customer_message
from deploy.local.provider_sim.meta_rules import Invalid, check
from libs.webhook_signatures import meta_signature, twilio_signature

WINDOW_S = 24 * 3600
FREE_FORM = ("text", "interactive")  # only inside the customer-service window


@dataclass
class SimConfig:
    twilio_account_sid: str
    twilio_auth_token: str
    meta_access_token: str
    meta_app_secret: str
    meta_phone_number_id: str = "100000000000001"
    meta_waba_id: str = "200000000000002"
    whatsapp_webhook_url: str | None = None
    twilio_inbound_url: str | None = None  # the shop's incoming-message webhook
    twilio_number: str = "+15005550006"


@dataclass
class SimState:
    fail_next: int = 0
    fail_each: int = 0  # every distinct message fails its first N attempts
    tries: dict[str, int] = field(default_factory=dict)  # message (to + content) -> attempts
    delay_s: float = 0.0
    reorder: bool = False
    read: bool = True
    windows: dict[str, float] = field(default_factory=dict)  # wa_id -> last customer message
    sent: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    opted_out: set[str] = field(default_factory=set)  # numbers that texted STOP


def create_app(cfg: SimConfig) -> FastAPI:
    app = FastAPI(title="Museo provider simulator (Twilio + WhatsApp Cloud API)")
    state = SimState()
    app.state.sim = state
    tasks: set[asyncio.Task[None]] = set()
    http = httpx.AsyncClient(timeout=10)

    def later(coro: Any) -> None:
        task = asyncio.create_task(coro)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def gate(message_key: str) -> bool:
        """Count the attempt, wait if told to, and say whether this one must fail."""
        state.attempts += 1
        state.tries[message_key] = tries = state.tries.get(message_key, 0) + 1
        if state.delay_s:
            await asyncio.sleep(state.delay_s)
        if state.fail_next > 0:
            state.fail_next -= 1
            return True
        return tries <= state.fail_each

    # ------------------------------------------------------------------ Twilio
    @app.post("/2010-04-01/Accounts/{account_sid}/Messages.json")
    async def twilio_send(account_sid: str, request: Request) -> JSONResponse:
        expected = "Basic " + base64.b64encode(
            f"{cfg.twilio_account_sid}:{cfg.twilio_auth_token}".encode()).decode()
        if request.headers.get("authorization") != expected or account_sid != cfg.twilio_account_sid:
            return JSONResponse({"code": 20003, "message": "Authenticate", "status": 401,
                                 "more_info": "https://www.twilio.com/docs/errors/20003"}, 401)
        form = {k: str(v) for k, v in (await request.form()).items()}
        if not form.get("To"):
            return JSONResponse({"code": 21604, "message": "A 'To' phone number is required.",
                                 "status": 400}, 400)
        if not form.get("Body"):
            return JSONResponse({"code": 21602, "message": "Message body is required.",
                                 "status": 400}, 400)
        if form["To"] in state.opted_out:
            return twilio_inbound.unsubscribed(form["To"])
        if await gate(form["To"] + form["Body"]):
            return JSONResponse({"code": 20500, "message": "Internal Server Error",
                                 "status": 500}, 500)
        sid = "SM" + secrets.token_hex(16)
        now = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
        resource = {
            "sid": sid, "account_sid": account_sid, "api_version": "2010-04-01",
            "to": form["To"], "from": form.get("From"), "body": form["Body"], "status": "queued",
            "num_segments": "1", "direction": "outbound-api", "date_created": now,
            "date_updated": now, "date_sent": None, "error_code": None, "error_message": None,
            "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
        }
        state.sent.append({"provider": "twilio", "id": sid, "to": form["To"], "body": form["Body"]})
        if callback := form.get("StatusCallback"):
            steps = ["sent", "delivered"] + (
                ["read"] if form["To"].startswith("whatsapp:") and state.read else [])
            later(twilio_callbacks(callback, resource, steps))
        return JSONResponse(resource, 201)

    async def twilio_callbacks(url: str, msg: dict[str, Any], steps: list[str]) -> None:
        for status in (list(reversed(steps)) if state.reorder else steps):
            params = {"MessageSid": msg["sid"], "SmsSid": msg["sid"], "MessageStatus": status,
                      "SmsStatus": status, "AccountSid": msg["account_sid"], "To": msg["to"],
                      "From": msg["from"] or "", "ApiVersion": "2010-04-01"}
            sig = twilio_signature(cfg.twilio_auth_token, url, params)
            await _post(http, url, data=params, headers={"X-Twilio-Signature": sig})

    # ------------------------------------------------------------------ Meta
    @app.post("/{version}/{phone_number_id}/messages")
    async def meta_send(version: str, phone_number_id: str, request: Request) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {cfg.meta_access_token}":
            return _meta_error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        if phone_number_id != cfg.meta_phone_number_id:
            return _meta_error(400, 100, f"Unsupported post request. Object with ID "
                                         f"'{phone_number_id}' does not exist")
        try:
            body = json.loads(await request.body())
            to = str(body["to"]).lstrip("+")
            kind = body["type"]
        except (ValueError, KeyError, TypeError):
            return _meta_error(400, 100, "(#100) Invalid parameter")
        if body.get("messaging_product") != "whatsapp" or kind not in FREE_FORM + ("template",):
            return _meta_error(400, 100, "(#100) Invalid parameter")
        try:
            content = body["template"]["name"] if kind == "template" else check(body)
        except Invalid as exc:
            return _meta_error(400, 131009, "(#131009) Parameter value is not valid", str(exc))
        except (KeyError, TypeError, AttributeError):
            return _meta_error(400, 100, "(#100) Invalid parameter")
        if await gate(to + json.dumps(body, sort_keys=True)):
            return _meta_error(500, 1, "An unknown error has occurred.")
        wamid = "wamid." + base64.b64encode(secrets.token_bytes(24)).decode()
        in_window = time.time() - state.windows.get(to, 0) < WINDOW_S
        state.sent.append({"provider": "whatsapp", "id": wamid, "to": to, "type": kind,
                           "body": content, "payload": body, "in_window": in_window})
        steps = ["sent", "delivered", "read"] if state.read else ["sent", "delivered"]
        if kind in FREE_FORM and not in_window:
            steps = ["failed"]
        later(meta_callbacks(wamid, to, steps))
        reply: dict[str, Any] = {"messaging_product": "whatsapp",
                                 "contacts": [{"input": body["to"], "wa_id": to}],
                                 "messages": [{"id": wamid}]}
        if kind == "template":
            reply["messages"][0]["message_status"] = "accepted"
        return JSONResponse(reply)

    async def meta_callbacks(wamid: str, to: str, steps: list[str]) -> None:
        if not cfg.whatsapp_webhook_url:
            return
        base = int(time.time())
        events = [(status, base + i) for i, status in enumerate(steps)]
        for status, ts in (list(reversed(events)) if state.reorder else events):
            item: dict[str, Any] = {"id": wamid, "status": status, "timestamp": str(ts),
                                    "recipient_id": to}
            if status == "failed":
                item["errors"] = [{"code": 131047, "title": "Re-engagement message",
                                   "message": "Re-engagement message", "error_data": {
                                       "details": "Message failed to send because more than 24 "
                                                  "hours have passed since the customer last "
                                                  "replied to this number."}}]
            await _post_meta(http, cfg, {"statuses": [item]})

    # ------------------------------------------------------------------ controls
    @app.post("/_sim/control")
    async def control(body: dict[str, Any]) -> dict[str, Any]:
        for name in ("fail_next", "fail_each", "delay_s", "reorder", "read"):
            if name in body:
                setattr(state, name, type(getattr(state, name))(body[name]))
        return {"fail_next": state.fail_next, "fail_each": state.fail_each,
                "delay_s": state.delay_s,
                "reorder": state.reorder, "read": state.read}

    @app.post("/_sim/whatsapp/inbound")
    async def inbound(body: dict[str, Any]) -> dict[str, Any]:
        """The customer writes to the shop: opens the 24-hour window; the webhook carries it.
        `type` text (default, with `text`), list_reply/button_reply (`reply_id`,
        `reply_title`), image, audio, location...; `deliver: false` returns the signed webhook
        instead of posting it, for a test to post (and replay) itself."""
        wa_id = str(body["from"]).lstrip("+")
        state.windows[wa_id] = time.time()
        message = customer_message(wa_id, body)
        value = {"contacts": [{"profile": {"name": body.get("name", "")}, "wa_id": wa_id}],
                 "messages": [message]}
        out: dict[str, Any] = {"window_open_until": state.windows[wa_id] + WINDOW_S,
                               "message_id": message["id"]}
        if body.get("deliver", True):
            await _post_meta(http, cfg, value)
        else:
            raw = json.dumps(_meta_payload(cfg, value)).encode()
            out.update(body=raw.decode(), signature=meta_signature(cfg.meta_app_secret, raw))
        return out

    @app.get("/_sim/messages")
    async def messages() -> dict[str, Any]:
        return {"messages": state.sent, "attempts": state.attempts}

    @app.post("/_sim/reset")
    async def reset() -> dict[str, Any]:
        opted_out = state.opted_out
        app.state.sim.__init__()  # type: ignore[misc]
        state.opted_out = opted_out  # the webhook route holds this set
        opted_out.clear()
        return {"ok": True}

    twilio_inbound.register(app, account_sid=cfg.twilio_account_sid,
                            auth_token=cfg.twilio_auth_token, number=cfg.twilio_number,
                            webhook_url=cfg.twilio_inbound_url, opted_out=state.opted_out,
                            http=http)

    return app


def _meta_error(status: int, code: int, message: str, details: str | None = None) -> JSONResponse:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code,
                             "fbtrace_id": secrets.token_urlsafe(12)}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return JSONResponse({"error": error}, status)


def _meta_payload(cfg: SimConfig, value: dict[str, Any]) -> dict[str, Any]:
    return {"object": "whatsapp_business_account", "entry": [{
        "id": cfg.meta_waba_id, "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550000000",
                         "phone_number_id": cfg.meta_phone_number_id},
            **value}}]}]}


async def _post_meta(http: httpx.AsyncClient, cfg: SimConfig, value: dict[str, Any]) -> None:
    if not cfg.whatsapp_webhook_url:
        return
    raw = json.dumps(_meta_payload(cfg, value)).encode()
    await _post(http, cfg.whatsapp_webhook_url, content=raw, headers={
        "Content-Type": "application/json",
        "X-Hub-Signature-256": meta_signature(cfg.meta_app_secret, raw)})


async def _post(http: httpx.AsyncClient, url: str, **kw: Any) -> None:
    """Vendors retry failed webhooks later; the simulator tries a few times, then drops it."""
    for attempt in range(3):
        try:
            resp = await http.post(url, **kw)
            if resp.status_code < 500:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.2 * (attempt + 1))
