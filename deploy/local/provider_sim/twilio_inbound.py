"""The simulator's side of a person texting the shop's Twilio number.

`POST /_sim/twilio/inbound {"from": "+34...", "body": "STOP"}` does what Twilio does: a message
that is only one of Twilio's default opt-out keywords (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END,
QUIT, REVOKE, OPTOUT; any case) blocks later sends to that number (the Messages API answers 400,
error 21610 "Attempt to send to unsubscribed recipient"), an opt-in keyword (START, YES, UNSTOP)
lifts it, and the message is POSTed to the incoming-message webhook as form fields signed with
`X-Twilio-Signature`, with `OptOutType` set as Advanced Opt-Out does.
"""

from __future__ import annotations

import secrets
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from libs.webhook_signatures import twilio_signature

OPT_OUT = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
OPT_IN = {"START", "YES", "UNSTOP"}
HELP = {"HELP", "INFO"}


def unsubscribed(to: str) -> JSONResponse:
    return JSONResponse({"code": 21610, "message": "Attempt to send to unsubscribed recipient",
                         "more_info": "https://www.twilio.com/docs/errors/21610",
                         "status": 400}, 400)


def register(app: FastAPI, *, account_sid: str, auth_token: str, number: str,
             webhook_url: str | None, opted_out: set[str], http: httpx.AsyncClient) -> None:
    @app.post("/_sim/twilio/inbound")
    async def inbound(body: dict[str, Any]) -> dict[str, Any]:
        sender, text = str(body["from"]), str(body.get("body", ""))
        word = text.strip().upper()
        kind = "STOP" if word in OPT_OUT else "START" if word in OPT_IN else (
            "HELP" if word in HELP else None)
        if kind == "STOP":
            opted_out.add(sender)
        elif kind == "START":
            opted_out.discard(sender)
        sid = "SM" + secrets.token_hex(16)
        params = {"MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid,
                  "AccountSid": account_sid, "From": sender, "To": str(body.get("to") or number),
                  "Body": text, "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received",
                  "ApiVersion": "2010-04-01", **({"OptOutType": kind} if kind else {})}
        status = None
        if webhook_url:
            resp = await http.post(webhook_url, data=params, headers={
                "X-Twilio-Signature": twilio_signature(auth_token, webhook_url, params)})
            status = resp.status_code
        return {"message_sid": sid, "opt_out_type": kind, "opted_out": sender in opted_out,
                "webhook_status": status}
