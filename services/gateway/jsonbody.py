"""Parse JSON the gateway reads by hand (event batches, WebSocket frames) without trusting it.

`json.loads` recurses once per nesting level, so 5,000 `[` raise RecursionError (a 500), and it
accepts lone surrogates (`"\\ud800"`) that later cannot be encoded back to UTF-8 when the value
is echoed in an answer or written to Kafka. Both are refused here as `BadJson` with a reason the
client can act on, before any of the document is used.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 32


class BadJson(ValueError):
    """The body is not JSON the gateway accepts; the message says why."""


def nesting_depth(text: str) -> int:
    """The deepest bracket nesting of a JSON text, scanned without recursion (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _check_strings(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise BadJson("JSON string holds a lone surrogate (invalid Unicode)") from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _no_constant(name: str) -> Any:
    raise BadJson(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadJson(f"number {text[:40]} is out of range")
    return value


def loads_strict(raw: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """The parsed document, or `BadJson`: not UTF-8, not JSON, NaN/Infinity, nested deeper than
    `max_depth`, a number beyond float range, or a string with a lone surrogate."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise BadJson(f"body is not UTF-8: {exc}") from None
    if nesting_depth(text) > max_depth:
        raise BadJson(f"JSON nested deeper than {max_depth} levels")
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except BadJson:
        raise
    except (ValueError, RecursionError) as exc:
        raise BadJson(f"body is not JSON: {exc}") from None
    _check_strings(value)
    return value
