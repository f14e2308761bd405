"""Twilio's incoming-message webhook: `POST /webhooks/twilio/inbound`.

Twilio posts an inbound SMS (or `whatsapp:`-prefixed message) as form fields (`MessageSid`,
`From`, `To`, `Body`, `NumMedia`, `SmsStatus=received`..., plus `OptOutType` = STOP/START/HELP
when Advanced Opt-Out is on), signed with `X-Twilio-Signature` exactly like its status callbacks
(HMAC-SHA1 of the public URL and the sorted form fields with the auth token), and checked the
same way before anything is parsed: 403 otherwise. A verified message goes as received to
`notifications.callbacks` (key = the sender), where the notification service honours STOP and
START. The answer is an empty TwiML `<Response/>`: Twilio itself sends the carriers' required
confirmation for the standard keywords, so nothing is sent back from here.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from libs.contracts.notifications import ProviderCallback
from services.gateway.deps import GatewayState, state
from services.gateway.errors import problem
from services.gateway.routes.webhooks import forward_callback, twilio_form

router = APIRouter(tags=["webhooks"])
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@router.post("/webhooks/twilio/inbound", summary="Twilio incoming message (STOP/START)")
async def twilio_inbound(request: Request, gw: GatewayState = Depends(state)) -> Any:
    form = await twilio_form(request, gw)
    if form is None:
        return problem(403, "forbidden", "bad or missing X-Twilio-Signature")
    if not form.get("From") or "Body" not in form:
        return problem(400, "bad_request", "not an incoming message (From and Body required)")
    forwarded = await forward_callback(gw, ProviderCallback(provider="twilio", payload=form),
                               form.get("From"))
    if forwarded.status_code != 200:
        return forwarded
    return Response(EMPTY_TWIML, media_type="application/xml")
