"""docs/websocket.md lists every client frame type the gateway registers, and no other."""

from __future__ import annotations

import re
from pathlib import Path

from services.gateway.app import discover_routes
from services.gateway.ws import OPS

DOC = Path(__file__).resolve().parents[3] / "docs" / "websocket.md"


def documented_types() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Client frames", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z.]+)` \|", section, flags=re.MULTILINE)
    return set(rows) - {"type"}  # the header row


def test_every_registered_frame_type_is_documented_and_nothing_else() -> None:
    discover_routes()  # route modules register their frame types on import
    assert documented_types() == set(OPS)
