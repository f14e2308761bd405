"""Customer messages as Meta's `messages` webhook carries them (the simulator's inbound side).

Shapes from Meta's webhook reference: text (`text.body`), interactive replies
(`interactive.type` = `list_reply` / `button_reply` with the row's or button's `id` and
`title`), and media or location messages, which carry no text.
"""

from __future__ import annotations

import secrets
import time
from typing import Any


def customer_message(wa_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """One `messages[]` item from a test's description: `type` (default text), `text`,
    `reply_id`/`reply_title` (interactive replies), `id` (to replay a message id)."""
    kind = str(body.get("type") or "text")
    message: dict[str, Any] = {
        "from": wa_id, "id": str(body.get("id") or "wamid." + secrets.token_hex(12)),
        "timestamp": str(int(body.get("timestamp") or time.time())), "type": kind}
    if kind == "text":
        message["text"] = {"body": str(body.get("text", ""))}
    elif kind in ("list_reply", "button_reply"):
        reply = {"id": str(body.get("reply_id", "")), "title": str(body.get("reply_title", ""))}
        message["type"] = "interactive"
        message["interactive"] = {"type": kind, kind: reply}
        if context := body.get("context"):
            message["context"] = {"from": "15550000000", "id": str(context)}
    elif kind == "location":
        message["location"] = {"latitude": 40.4168, "longitude": -3.7038}
    elif kind in ("image", "audio", "video", "document", "sticker"):
        message[kind] = {"id": secrets.token_hex(8), "mime_type": "application/octet-stream",
                         "sha256": secrets.token_hex(32)}
    return message
