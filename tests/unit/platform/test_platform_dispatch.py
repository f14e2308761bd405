"""`dispatch`: every request gets an answer — validation, typed handler errors, crashes."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, TypeAdapter

from libs.contracts.base import ErrorReply
from libs.messaging.errors import HandlerError
from libs.messaging.worker import dispatch


class Echo(BaseModel):
    text: str
    times: int = 1


class EchoReply(BaseModel):
    text: str


async def handle(req: Echo) -> EchoReply:
    if req.text == "missing":
        raise HandlerError("not_found", "nothing called missing")
    if req.text == "busy":
        raise HandlerError("unavailable", "try later", retryable=True)
    if req.text == "crash":
        raise KeyError("boom")
    return EchoReply(text=req.text * req.times)


ADAPTER = TypeAdapter(Echo)


async def test_valid_request_is_handled_with_ok_status() -> None:
    reply, status = await dispatch(ADAPTER, handle, b'{"text": "ab", "times": 2}', "echo")
    assert status == "ok"
    assert isinstance(reply, EchoReply)
    assert reply.text == "abab"


@pytest.mark.parametrize(
    ("body", "field"),
    [(b'{"times": 2}', "text"), (b'{"text": "a", "times": "many"}', "times")],
)
async def test_invalid_request_is_bad_request_naming_the_field(body: bytes, field: str) -> None:
    reply, status = await dispatch(ADAPTER, handle, body, "echo")
    assert status == "error"
    assert isinstance(reply, ErrorReply)
    assert reply.code == "bad_request"
    assert reply.service == "echo"
    assert field in reply.message
    assert reply.retryable is False


async def test_body_that_is_not_json_is_bad_request() -> None:
    reply, status = await dispatch(ADAPTER, handle, b"\xff not json", "echo")
    assert status == "error"
    assert isinstance(reply, ErrorReply)
    assert reply.code == "bad_request"


async def test_handler_error_keeps_its_code_and_retryable_flag() -> None:
    reply, _ = await dispatch(ADAPTER, handle, b'{"text": "missing"}', "echo")
    assert isinstance(reply, ErrorReply)
    assert (reply.code, reply.message, reply.retryable) == ("not_found", "nothing called missing", False)
    reply, _ = await dispatch(ADAPTER, handle, b'{"text": "busy"}', "echo")
    assert isinstance(reply, ErrorReply)
    assert (reply.code, reply.retryable) == ("unavailable", True)


async def test_crash_is_internal_and_retryable() -> None:
    reply, status = await dispatch(ADAPTER, handle, b'{"text": "crash"}', "echo")
    assert status == "error"
    assert isinstance(reply, ErrorReply)
    assert reply.code == "internal"
    assert "KeyError" in reply.message
    assert reply.retryable is True
