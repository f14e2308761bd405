"""The test-mode checkout page: `GET /checkout/{ref}?token=...` shows what the signed link is for
and a "Pay (test mode)" button; `POST /checkout/{ref}/pay` completes it (`complete_checkout`
over Kafka) and shows the order id. `ref` is the cart id of the link the storefront hands out
(`/checkout/{cart_id}?token=...`); a bare `/checkout/{token}` works too. An altered or expired
link gets a 400 page that says so. No money moves, and the storefront allows it only with
`MUSEO_ENV=dev`: elsewhere the pay button answers 503 (no provider may run) or, with Stripe, 402
(only Stripe's signed webhook confirms an order; see `routes/payments.py`).
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from libs.locale import format_money
from services.gateway.deps import GatewayState, state
from services.gateway.routes.storefront import StorefrontError, call_tool

router = APIRouter(tags=["checkout"], include_in_schema=False)
PAGE_LOCALE = "en_GB"  # the page is in English

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}}
table{{width:100%;border-collapse:collapse}}td,th{{padding:.4rem;border-bottom:1px solid #ddd;
text-align:left}}.num{{text-align:right}}.note{{color:#666}}.error{{color:#a00}}
button{{font-size:1.1rem;padding:.6rem 1.2rem}}</style></head>
<body><h1>{title}</h1>{body}<p class="note">{note}</p>
</body></html>"""


def money(value: dict[str, Any]) -> str:
    """Minor units as the page's locale writes them, through the one money helper (so JPY has
    no decimals and KWD three)."""
    return escape(format_money(int(value["amount"]), str(value["currency"]), PAGE_LOCALE))


def pricing_note(pricing: dict[str, Any] | None) -> str:
    """Where the amounts come from, when the cart was priced in the buyer's currency."""
    if not pricing:
        return ""
    tax = "included" if pricing["tax_included"] else "not included (estimate shown separately)"
    return (f'<p class="note" id="pricing">Prices in {escape(pricing["currency"])} for '
            f'{escape(pricing["country"])}: converted from {escape(pricing["source_currency"])} '
            f'at {escape(pricing["exchange_rate"])}, {escape(pricing["tax_label"])} '
            f'{escape(tax)}.</p>')


TEST_NOTE = "Museo shop · test mode: no money moves."


def page(title: str, body: str, status: int = 200, note: str = TEST_NOTE) -> HTMLResponse:
    return HTMLResponse(PAGE.format(title=escape(title), body=body, note=escape(note)),
                        status_code=status)


def error_page(exc: StorefrontError) -> HTMLResponse:
    messages = {
        "invalid_token": "This payment link is not valid: it was altered or is incomplete.",
        "expired_token": "This payment link has expired. Ask for a new one from your cart.",
        "cart_changed": "Your cart changed after this link was made. Ask for a new link.",
        "not_found": "This cart has expired or was cancelled.",
        "already_paid": "This cart was already paid with another link: nothing was charged.",
        "payments_unavailable": "Payments are not available on this shop right now.",
        "pricing_unavailable": "Prices for your country cannot be confirmed right now, so "
        "nothing can be charged. Try again in a moment.",
        "provider_confirmation_required": "This order can only be confirmed by the payment "
        "provider. Pay with the link you were given.",
    }
    text = messages.get(exc.code, exc.message)
    status = exc.status if exc.status < 500 or exc.status == 503 else 502
    return page("Checkout problem", f'<p class="error">{escape(text)}</p>', status)


def _token(ref: str, token: str | None) -> str:
    return token or ref


@router.get("/checkout/{ref}", response_class=HTMLResponse)
async def checkout_page(
    ref: str, token: str | None = Query(None, max_length=8000), gw: GatewayState = Depends(state)
) -> HTMLResponse:
    try:
        preview = await call_tool(gw, "get_checkout", {"token": _token(ref, token)})
    except StorefrontError as exc:
        return error_page(exc)
    rows = "".join(
        f"<tr><td>{escape(ln['title'])}<br><small>{escape(ln['sku'])}</small></td>"
        f"<td class=num>{ln['quantity']}</td><td class=num>{money(ln['unit_price'])}</td>"
        f"<td class=num>{money(ln['line_total'])}</td></tr>"
        for ln in preview["lines"]
    )
    action = f"/checkout/{quote(ref, safe='')}/pay"
    body = (
        "<table><tr><th>Item</th><th class=num>Qty</th><th class=num>Price</th>"
        f"<th class=num>Total</th></tr>{rows}<tr><th colspan=3>Total</th>"
        f"<th class=num id=total>{money(preview['total'])}</th></tr></table>"
        f"{pricing_note(preview.get('pricing'))}"
        f'<form method="post" action="{escape(action)}">'
        f'<input type="hidden" name="token" value="{escape(_token(ref, token))}">'
        "<p><button type=submit>Pay (test mode)</button></p></form>"
    )
    return page("Checkout", body)


@router.post("/checkout/{ref}/pay", response_class=HTMLResponse)
async def pay(
    ref: str,
    request: Request,
    token: str | None = Query(None, max_length=8000),
    gw: GatewayState = Depends(state),
) -> HTMLResponse:
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    posted = form.get("token") or []
    value = posted[0] if posted else _token(ref, token)
    try:
        result = await call_tool(gw, "complete_checkout", {"token": value})
    except StorefrontError as exc:
        return error_page(exc)
    order = result["order"]
    body = (
        f'<p>Thank you! Your order <strong id="order-id">{escape(order["order_id"])}'
        f"</strong> is confirmed.</p><p>Total paid: {money(order['total'])}</p>"
    )
    return page("Order confirmed", body)
