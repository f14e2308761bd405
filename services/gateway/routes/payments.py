"""Stripe's side of checkout: the webhook endpoint and the pages Stripe sends the shopper back to.

`POST /webhooks/stripe` takes the raw body and the `Stripe-Signature` header and hands both,
unchanged, to the storefront's `stripe_webhook` tool: the signature is over the exact bytes, and
the endpoint secret lives with the storefront, which verifies it before anything happens. The
answer is 200 for an authentic event (handled, duplicate or ignored), 400 for a bad signature or
body (Stripe shows it as failed and retries), 503 when the storefront is not running Stripe.
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse

from libs.messaging.errors import RemoteError
from services.gateway.deps import GatewayState, state
from services.gateway.errors import problem
from services.gateway.routes.checkout import page
from services.gateway.routes.storefront import STATUS_BY_ERROR, forward_tool

router = APIRouter(tags=["payments"])
SHOP = "Museo shop"
MAX_WEBHOOK_BYTES = 256 * 1024  # Stripe events are a few kB


@router.post("/webhooks/stripe", summary="Stripe webhook (signed by Stripe)",
             responses={400: {"description": "bad signature or body"}})
async def stripe_webhook(
    request: Request,
    stripe_signature: str | None = Header(None, alias="Stripe-Signature", max_length=4096),
    gw: GatewayState = Depends(state),
) -> Any:
    if not stripe_signature:
        return problem(400, "invalid_signature", "missing Stripe-Signature header")
    body = await request.body()
    if len(body) > MAX_WEBHOOK_BYTES:
        return problem(413, "too_large", "webhook body too large")
    try:
        payload = body.decode("utf-8")
    except UnicodeDecodeError:
        return problem(400, "invalid_payload", "webhook body is not UTF-8 JSON")
    try:
        reply = await forward_tool(gw, "stripe_webhook",
                                   {"payload": payload, "signature": stripe_signature})
    except RemoteError as exc:
        if exc.code != "not_found":
            raise
        # the tool is absent: the storefront is not configured for Stripe
        return problem(503, "payments_unavailable", "this shop does not take Stripe payments")
    result = reply.structured
    if reply.is_error or result is None:  # Stripe retries a failed delivery
        return problem(502, "webhook_failed", reply.text or "the webhook could not be handled")
    if errors := result.get("errors"):
        code = errors[0].get("code", "invalid")
        status = 400 if code.startswith("invalid") else STATUS_BY_ERROR.get(code, 422)
        return problem(status, code, errors[0].get("message", ""))
    order = result.get("order") or {}
    return JSONResponse({"received": True, "duplicate": result.get("duplicate", False),
                         "order_id": order.get("order_id"), "ignored": result.get("ignored"),
                         "refunded": result.get("refunded", False)})


@router.get("/checkout/{cart_id}/done", response_class=HTMLResponse, include_in_schema=False)
async def stripe_done(cart_id: str) -> HTMLResponse:
    return page("Thank you", "<p>Your payment was received by Stripe. Your order is confirmed as "
                "soon as Stripe notifies the shop; you can ask about it in the chat.</p>"
                f'<p class="note">Cart {escape(cart_id[:64])}</p>', note=SHOP)


@router.get("/checkout/{cart_id}/cancelled", response_class=HTMLResponse,
            include_in_schema=False)
async def stripe_cancelled(cart_id: str) -> HTMLResponse:
    return page("Payment cancelled", "<p>Nothing was charged. Your cart is still there: ask for "
                "a new payment link when you are ready.</p>", note=SHOP)
