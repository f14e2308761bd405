"""What Meta's Cloud API accepts in a `POST /{phone-number-id}/messages` body, as documented.

Written from Meta's pages for text, interactive list, interactive reply buttons and interactive
call-to-action URL messages, on purpose apart from the services' own message building: a limit
the client gets wrong must be refused here, the way Meta refuses it, not shared and missed.

- text: `text.body` 1-4096 characters.
- list: `body.text` 1-4096; optional `header` (type text, ≤60) and `footer.text` (≤60);
  `action.button` 1-20; 1-10 `action.sections`, a `title` (≤24) required when there are several;
  1-10 rows across all sections, each `id` 1-200 and unique, `title` 1-24, `description` ≤72.
- button: `body.text` 1-1024; 1-3 `action.buttons` of `type: reply`, each `reply.id` 1-256 and
  unique, `reply.title` 1-20 and unique; optional footer ≤60, text header ≤60.
- cta_url: `body.text` 1-1024; `action.name` "cta_url"; `action.parameters.display_text` 1-20 and
  an http(s) `url`; optional footer ≤60, text header ≤60.

A refusal is Meta's (#131009) "Parameter value is not valid" with the reason in
`error_data.details`, HTTP 400.
"""

from __future__ import annotations

from typing import Any

INTERACTIVE_TYPES = ("list", "button", "cta_url")


class Invalid(ValueError):
    """The body breaks a documented rule; the message is the `error_data.details` text."""


def _text(value: Any, where: str, high: int, low: int = 1) -> str:
    if not isinstance(value, str):
        raise Invalid(f"Parameter {where} is required and must be a string")
    if not low <= len(value) <= high:
        raise Invalid(f"{where} length invalid. Min length: {low}, Max length: {high}; "
                      f"got {len(value)}")
    return value


def _common(interactive: dict[str, Any], body_max: int) -> None:
    _text((interactive.get("body") or {}).get("text"), "interactive['body']['text']", body_max)
    header = interactive.get("header")
    if isinstance(header, dict) and header.get("type") == "text":
        _text(header.get("text"), "interactive['header']['text']", 60)
    if (footer := interactive.get("footer")) is not None:
        _text(footer.get("text"), "interactive['footer']['text']", 60)


def _list(interactive: dict[str, Any]) -> None:
    _common(interactive, 4096)
    action = interactive.get("action") or {}
    _text(action.get("button"), "interactive['action']['button']", 20)
    sections = action.get("sections")
    if not isinstance(sections, list) or not 1 <= len(sections) <= 10:
        raise Invalid("interactive['action']['sections'] must hold 1 to 10 sections")
    ids: set[str] = set()
    for i, section in enumerate(sections):
        where = f"interactive['action']['sections'][{i}]"
        if len(sections) > 1 or "title" in section:
            _text(section.get("title"), f"{where}['title']", 24)
        rows = section.get("rows")
        if not isinstance(rows, list) or not rows:
            raise Invalid(f"{where}['rows'] must hold at least 1 row")
        for j, row in enumerate(rows):
            rid = _text(row.get("id"), f"{where}['rows'][{j}]['id']", 200)
            if rid in ids:
                raise Invalid(f"Row ids must be unique: {rid!r} is repeated")
            ids.add(rid)
            _text(row.get("title"), f"{where}['rows'][{j}]['title']", 24)
            if "description" in row:
                _text(row["description"], f"{where}['rows'][{j}]['description']", 72, 0)
    if len(ids) > 10:
        raise Invalid(f"Total row count exceed max allowed count: 10; got {len(ids)}")


def _buttons(interactive: dict[str, Any]) -> None:
    _common(interactive, 1024)
    buttons = (interactive.get("action") or {}).get("buttons")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise Invalid("interactive['action']['buttons'] must hold 1 to 3 buttons")
    ids: set[str] = set()
    titles: set[str] = set()
    for i, button in enumerate(buttons):
        where = f"interactive['action']['buttons'][{i}]"
        if button.get("type") != "reply":
            raise Invalid(f"{where}['type'] must be 'reply'")
        reply = button.get("reply") or {}
        bid = _text(reply.get("id"), f"{where}['reply']['id']", 256)
        title = _text(reply.get("title"), f"{where}['reply']['title']", 20)
        if bid in ids or title in titles:
            raise Invalid("Button ids and titles must be unique")
        ids.add(bid)
        titles.add(title)


def _cta_url(interactive: dict[str, Any]) -> None:
    _common(interactive, 1024)
    action = interactive.get("action") or {}
    if action.get("name") != "cta_url":
        raise Invalid("interactive['action']['name'] must be 'cta_url'")
    params = action.get("parameters") or {}
    _text(params.get("display_text"), "interactive['action']['parameters']['display_text']", 20)
    url = _text(params.get("url"), "interactive['action']['parameters']['url']", 2000)
    if not url.startswith(("http://", "https://")):
        raise Invalid("interactive['action']['parameters']['url'] must be an http(s) URL")


def check(body: dict[str, Any]) -> str:
    """The message's content summary (what the simulator records), or `Invalid`."""
    kind = body.get("type")
    if kind == "text":
        return _text((body.get("text") or {}).get("body"), "text['body']", 4096)
    if kind == "interactive":
        interactive = body.get("interactive")
        if not isinstance(interactive, dict) or interactive.get("type") not in INTERACTIVE_TYPES:
            raise Invalid(f"interactive['type'] must be one of {list(INTERACTIVE_TYPES)}")
        {"list": _list, "button": _buttons, "cta_url": _cta_url}[interactive["type"]](interactive)
        return str(interactive["body"]["text"])
    raise Invalid(f"Unsupported message type {kind!r}")
