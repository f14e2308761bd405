"""WebSocket frames: malformed input gets an error frame, never an exception (no broker needed)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any, cast

import pytest

from libs.contracts.principal import Principal
from services.gateway.deps import GatewayState
from services.gateway.ws import OPS, FrameError, WsSession, handle_frame, parse_frame

MAX = 200


def session() -> WsSession:
    gw = SimpleNamespace(settings=SimpleNamespace(max_ws_frame_bytes=MAX), rpc=None, redis=None,
                         limiter=None)
    anon = Principal(subject="anon:s1", kind="anonymous")
    return WsSession(session_id="s1", gw=cast(GatewayState, gw), principal=anon)


@pytest.mark.parametrize(
    ("raw", "code", "needle"),
    [
        ("{not json", "malformed", "not valid JSON"),
        (b"\xff\xfe", "malformed", "not valid JSON"),
        ("[1, 2]", "malformed", "JSON object"),
        ('"ping"', "malformed", "JSON object"),
        ("{}", "malformed", "'type'"),
        ('{"type": 3}', "malformed", "'type'"),
        ('{"type": "nope"}', "unknown_type", "nope"),
        ("x" * (MAX + 1), "too_large", str(MAX)),
    ],
)
def test_parse_frame_rejects(raw: str | bytes, code: str, needle: str) -> None:
    with pytest.raises(FrameError) as info:
        parse_frame(raw, MAX)
    assert info.value.code == code
    assert needle in info.value.message


def test_parse_frame_counts_bytes_not_characters() -> None:
    raw = json.dumps({"type": "ping", "pad": "é" * 150}, ensure_ascii=False)
    assert len(raw) <= MAX < len(raw.encode())
    with pytest.raises(FrameError) as info:
        parse_frame(raw, MAX)
    assert info.value.code == "too_large"


def test_parse_frame_accepts_a_known_type() -> None:
    assert parse_frame('{"type": "ping", "id": 1}', MAX) == {"type": "ping", "id": 1}
    assert {"ping", "markets.resolve", "markets.localize"} <= set(OPS)


async def test_ping_gets_pong_with_in_reply_to_and_correlation_id() -> None:
    out = await handle_frame('{"type": "ping", "id": "c1"}', session())
    assert out["type"] == "pong"
    assert out["in_reply_to"] == "c1"
    assert len(out["correlation_id"]) == 32


@pytest.mark.parametrize(
    ("raw", "code"),
    [("nope", "malformed"), ("[]", "malformed"), ('{"id": 1}', "malformed"),
     ('{"type": "x", "id": 1}', "unknown_type"), ("{" + " " * MAX + "}", "too_large")],
)
async def test_malformed_frames_become_error_frames(raw: str, code: str) -> None:
    out: dict[str, Any] = await handle_frame(raw, session())
    assert out["type"] == "error"
    assert out["error"]["code"] == code
    assert out["error"]["message"]
    assert out["correlation_id"]
    assert "in_reply_to" not in out  # the frame's id is only known once it parsed


async def test_invalid_op_payload_is_bad_request_naming_the_field() -> None:
    out = await handle_frame('{"type": "markets.localize", "id": 9, "items": []}', session())
    assert out["type"] == "error"
    assert out["error"]["code"] == "bad_request"
    assert "items" in out["error"]["message"]
    assert out["in_reply_to"] == 9
