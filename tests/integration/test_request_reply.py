"""Request/reply through the real broker: round trip, timeout, error reply, traces, late replies."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from faststream.kafka import KafkaBroker
from pydantic import BaseModel, TypeAdapter

from libs.contracts.topics import TopicSpec
from libs.messaging.errors import HandlerError, RemoteError, RequestTimeout
from libs.messaging.rpc import RpcClient, reply_traceparent
from libs.messaging.topics import ensure_topics
from libs.messaging.worker import register_request_handler
from libs.telemetry.tracing import setup_tracing, trace_id_of, tracer


class Ping(BaseModel):
    text: str
    delay_s: float = 0.0
    fail: str | None = None


class Pong(BaseModel):
    text: str


async def handle_ping(req: Ping) -> Pong:
    """Echo the text upper-cased, after an optional delay, or fail as asked."""
    if req.delay_s:
        await asyncio.sleep(req.delay_s)
    if req.fail == "handler":
        raise HandlerError("not_found", f"no such thing: {req.text}")
    if req.fail == "crash":
        raise ZeroDivisionError("boom")
    return Pong(text=req.text.upper())


@pytest.fixture
async def echo(kafka_bootstrap: str) -> AsyncIterator[tuple[str, RpcClient]]:
    setup_tracing("tests")
    topic = f"test.echo.{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka_bootstrap, [TopicSpec(topic, partitions=1)])
    broker = KafkaBroker(kafka_bootstrap, logger=None)
    register_request_handler(
        broker,
        topic=topic,
        service="echo",
        adapter=TypeAdapter(Ping),
        handler=handle_ping,
        group_id=f"echo-{topic}",
    )
    await broker.start()
    client = RpcClient(kafka_bootstrap, f"test-{uuid.uuid4().hex[:8]}", default_timeout=10)
    await client.start()
    try:
        yield topic, client
    finally:
        await client.stop()
        await broker.stop()


async def test_round_trip_returns_the_workers_reply(echo: tuple[str, RpcClient]) -> None:
    topic, client = echo
    reply = await client.request(topic, Ping(text="hola"), Pong, key="user-1")
    assert reply.text == "HOLA"


async def test_concurrent_requests_get_their_own_replies(echo: tuple[str, RpcClient]) -> None:
    topic, client = echo
    words = [f"w{i}" for i in range(50)]
    replies = await asyncio.gather(*(client.request(topic, Ping(text=w), Pong) for w in words))
    assert [r.text for r in replies] == [w.upper() for w in words]


async def test_handler_error_becomes_typed_remote_error(echo: tuple[str, RpcClient]) -> None:
    topic, client = echo
    with pytest.raises(RemoteError) as info:
        await client.request(topic, Ping(text="x", fail="handler"), Pong)
    assert info.value.code == "not_found"
    assert "no such thing: x" in info.value.message
    assert info.value.service == "echo"


async def test_crash_in_handler_is_an_error_reply_not_a_timeout(
    echo: tuple[str, RpcClient],
) -> None:
    topic, client = echo
    with pytest.raises(RemoteError) as info:
        await client.request(topic, Ping(text="x", fail="crash"), Pong, timeout=5)
    assert info.value.code == "internal"
    assert "ZeroDivisionError" in info.value.message


async def test_invalid_request_gets_bad_request_reply(echo: tuple[str, RpcClient]) -> None:
    topic, client = echo

    class Wrong(BaseModel):
        other: int = 1

    with pytest.raises(RemoteError) as info:
        await client.request(topic, Wrong(), Pong)
    assert info.value.code == "bad_request"
    assert "text" in info.value.message


async def test_timeout_then_late_reply_is_dropped_and_counted(echo: tuple[str, RpcClient]) -> None:
    topic, client = echo
    before = client.late_replies
    with pytest.raises(RequestTimeout):
        await client.request(topic, Ping(text="slow", delay_s=1.5), Pong, timeout=0.5)
    for _ in range(50):
        if client.late_replies > before:
            break
        await asyncio.sleep(0.1)
    assert client.late_replies == before + 1
    # and the client still works afterwards
    assert (await client.request(topic, Ping(text="ok"), Pong)).text == "OK"


async def test_trace_id_crosses_the_hop(echo: tuple[str, RpcClient]) -> None:
    topic, client = echo
    with tracer().start_as_current_span("caller") as span:
        want = format(span.get_span_context().trace_id, "032x")
        reply = await client.request_raw(topic, Ping(text="t"))
    assert trace_id_of(reply_traceparent(reply)) == want
