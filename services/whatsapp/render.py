"""A chat reply as WhatsApp Cloud API messages, within Meta's documented limits.

- products → an interactive **list** (≤10 rows; row title ≤24, description ≤72, id ≤200;
  button ≤20; section title ≤24; body ≤4096); tapping a row adds that product (`add:<id>`);
- a basket → **reply buttons** (≤3; title ≤20, id ≤256; body ≤1024): view basket, checkout,
  remove the last item;
- a payment link → a **CTA URL** button (display text ≤20; body ≤1024);
- anything else → text (≤4096).

Text longer than a limit is cut with an ellipsis rather than refused by Meta. The tapped ids
come back in `interactive.list_reply` / `button_reply`; `action_of` maps them to a `ChatAction`.
"""

from __future__ import annotations

from typing import Any

from libs.contracts.chat import ChatAction, ChatReply
from services.whatsapp.texts import say

MAX_ROWS, ROW_TITLE, ROW_DESCRIPTION, ROW_ID = 10, 24, 72, 200
LIST_BUTTON, SECTION_TITLE, LIST_BODY = 20, 24, 4096
MAX_BUTTONS, BUTTON_TITLE, BUTTON_ID, BUTTONS_BODY = 3, 20, 256, 1024
CTA_TEXT, CTA_BODY, TEXT_BODY = 20, 1024, 4096
ADD = "add:"
BUTTONS = (("basket", "button_basket", "view_basket"), ("checkout", "button_checkout", "checkout"),
           ("remove", "button_remove", "remove_from_basket"))


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split()) if limit <= 72 else text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _envelope(to: str, kind: str, content: dict[str, Any]) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
            "type": kind, kind: content}


def text_message(to: str, body: str) -> dict[str, Any]:
    return _envelope(to, "text", {"preview_url": False, "body": clip(body, TEXT_BODY)})


def product_list(to: str, body: str, products: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    rows: list[dict[str, str]] = []
    for product in products:
        pid = str(product.get("id") or "")
        if not pid or len(ADD + pid) > ROW_ID or any(r["id"] == ADD + pid for r in rows):
            continue
        title = str(product.get("title") or pid)
        price = str(product.get("price_formatted") or "")
        described = " · ".join(p for p in (price, title if len(title) > ROW_TITLE else "") if p)
        row = {"id": ADD + pid, "title": clip(title, ROW_TITLE)}
        if described:
            row["description"] = clip(described, ROW_DESCRIPTION)
        rows.append(row)
        if len(rows) == MAX_ROWS:
            break
    return _envelope(to, "interactive", {
        "type": "list", "body": {"text": clip(body, LIST_BODY)},
        "action": {"button": clip(say("list_button", lang), LIST_BUTTON), "sections": [
            {"title": clip(say("list_section", lang), SECTION_TITLE), "rows": rows}]}})


def basket_buttons(to: str, body: str, lang: str) -> dict[str, Any]:
    buttons = [{"type": "reply", "reply": {"id": bid, "title": clip(say(label, lang), BUTTON_TITLE)}}
               for bid, label, _ in BUTTONS[:MAX_BUTTONS]]
    return _envelope(to, "interactive", {
        "type": "button", "body": {"text": clip(body, BUTTONS_BODY)},
        "action": {"buttons": buttons}})


def payment_link(to: str, url: str, lang: str) -> dict[str, Any]:
    return _envelope(to, "interactive", {
        "type": "cta_url", "body": {"text": clip(say("pay_body", lang), CTA_BODY)},
        "action": {"name": "cta_url", "parameters": {
            "display_text": clip(say("pay_button", lang), CTA_TEXT), "url": url}}})


def render(to: str, reply: ChatReply) -> list[dict[str, Any]]:
    """The messages that answer one turn (one, today)."""
    lang = reply.intent.language
    if reply.checkout_url:
        return [payment_link(to, reply.checkout_url, lang)]
    if reply.products and reply.cart is None:
        rows = [p for p in reply.products if p.get("id")]
        if rows:
            heading = reply.text.split("\n", 1)[0] or reply.text
            return [product_list(to, heading, rows, lang)]
    if reply.cart and reply.cart.get("lines"):
        return [basket_buttons(to, reply.text, lang)]
    return [text_message(to, reply.text)]


def action_of(reply_id: str | None) -> ChatAction | None:
    """The chat action of a tapped row or button id; None for an id this channel never sent."""
    if not reply_id:
        return None
    if reply_id.startswith(ADD) and len(reply_id) > len(ADD):
        product_id = reply_id[len(ADD):]
        return ChatAction(intent="add_to_basket", product_id=product_id) if len(
            product_id) <= 64 else None
    intent = next((i for bid, _, i in BUTTONS if bid == reply_id), None)
    return ChatAction(intent=intent) if intent else None  # type: ignore[arg-type]
