"""Real MCP subprocesses over stdio: start, kill -9, restart, and calls through the Kafka bridge."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from faststream.kafka import KafkaBroker
from prometheus_client import REGISTRY

from libs.contracts.intent import IntentRequest, IntentResult
from libs.contracts.mcp import ToolCallReply, ToolCallRequest
from libs.contracts.topics import TopicSpec
from libs.messaging.errors import RemoteError
from libs.messaging.rpc import RpcClient
from libs.messaging.topics import ensure_topics
from services.mcp_workers.bridge import register_intent_bridge, register_tool_bridge
from services.mcp_workers.settings import REPO_ROOT, module_exists
from services.mcp_workers.supervisor import (
    McpSupervisor,
    ServerSpec,
    ServerUnavailable,
    SupervisorPolicy,
)

FIXTURE = str(Path(__file__).with_name("mcp_fixture_server.py"))
INTENT = "services.mcp_workers.intent.server"
POLICY = SupervisorPolicy(health_interval_s=1.0, call_timeout_s=8.0, backoff_initial_s=0.2)


def counted(server: str, event: str) -> float:
    value = REGISTRY.get_sample_value(
        "museo_mcp_lifecycle_total", {"server": server, "event": event}
    )
    return value or 0.0


def spec(name: str, idempotent: set[str]) -> ServerSpec:
    if module_exists(INTENT) and "echo" not in idempotent:
        argv: tuple[str, ...] = (sys.executable, "-m", INTENT)
    else:
        argv = (sys.executable, FIXTURE)
    env = {"PYTHONPATH": REPO_ROOT}
    return ServerSpec(name=name, argv=argv, env=env, idempotent_tools=frozenset(idempotent))


def pid_of(supervisor: McpSupervisor, name: str) -> int:
    pid = supervisor.pid(name)
    assert pid is not None, supervisor.status()[name]
    return pid


async def wait_restarted(supervisor: McpSupervisor, name: str, old_pid: int) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status = supervisor.status()[name]
        if status["state"] == "up" and status["pid"] not in (None, old_pid):
            return int(status["pid"])
        await asyncio.sleep(0.05)
    raise AssertionError(f"{name} did not restart: {supervisor.status()[name]}")


async def test_kill_9_restarts_the_server_and_calls_work_again() -> None:
    name = f"sup-{uuid.uuid4().hex[:6]}"
    supervisor = McpSupervisor([spec(name, {"echo"})], POLICY)
    await supervisor.start()
    try:
        first = await supervisor.call_tool(name, "echo", {"text": "one"})
        pid = pid_of(supervisor, name)
        assert first.structured_content == {"text": "one", "pid": pid}
        os.kill(pid, signal.SIGKILL)
        new_pid = await wait_restarted(supervisor, name, pid)
        again = await supervisor.call_tool(name, "echo", {"text": "two"})
        assert again.structured_content == {"text": "two", "pid": new_pid}
        for event in ("started", "died", "restarting", "restarted"):
            assert counted(name, event) == 1, event
        assert counted(name, "healthy") >= 1
        assert REGISTRY.get_sample_value("museo_mcp_server_up", {"server": name}) == 1
    finally:
        await supervisor.stop()
    assert supervisor.status()[name]["state"] == "stopped"
    assert REGISTRY.get_sample_value("museo_mcp_server_up", {"server": name}) == 0


async def test_a_stalled_server_survives_one_missed_ping_and_is_restarted_after_three() -> None:
    """SIGSTOP freezes the process as a busy machine can: one late ping is tolerated, a server
    that stays silent for `health_misses` pings in a row is restarted."""
    name = f"sup-{uuid.uuid4().hex[:6]}"
    policy = SupervisorPolicy(health_interval_s=0.5, health_timeout_s=0.3, health_misses=3,
                              call_timeout_s=8.0, backoff_initial_s=0.2)
    supervisor = McpSupervisor([spec(name, {"echo"})], policy)
    await supervisor.start()
    try:
        pid = pid_of(supervisor, name)
        os.kill(pid, signal.SIGSTOP)
        deadline = time.monotonic() + 10
        while supervisor.status()[name]["events"].get("slow_ping", 0) < 1:  # the first miss
            assert time.monotonic() < deadline, supervisor.status()[name]
            await asyncio.sleep(0.02)
        os.kill(pid, signal.SIGCONT)
        await asyncio.sleep(2.0)  # several pings answered again
        status = supervisor.status()[name]
        assert status["pid"] == pid and status["events"].get("died") is None, status
        os.kill(pid, signal.SIGSTOP)
        new_pid = await wait_restarted(supervisor, name, pid)
        assert (await supervisor.call_tool(name, "echo", {"text": "x"})).structured_content == {
            "text": "x", "pid": new_pid}
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        await supervisor.stop()


async def test_idempotent_call_in_flight_is_retried_after_the_restart() -> None:
    name = f"sup-{uuid.uuid4().hex[:6]}"
    supervisor = McpSupervisor([spec(name, {"echo", "slow_echo"})], POLICY)
    await supervisor.start()
    try:
        pid = pid_of(supervisor, name)
        call = asyncio.create_task(
            supervisor.call_tool(name, "slow_echo", {"text": "x", "delay_s": 1})
        )
        await asyncio.sleep(0.3)
        os.kill(pid, signal.SIGKILL)
        result = await call
        assert result.structured_content["text"] == "x"
        assert result.structured_content["pid"] != pid  # answered by the restarted process
    finally:
        await supervisor.stop()


async def test_non_idempotent_call_in_flight_is_unavailable_not_retried() -> None:
    name = f"sup-{uuid.uuid4().hex[:6]}"
    supervisor = McpSupervisor([spec(name, {"echo"})], POLICY)
    await supervisor.start()
    try:
        pid = pid_of(supervisor, name)
        call = asyncio.create_task(
            supervisor.call_tool(name, "slow_echo", {"text": "x", "delay_s": 2})
        )
        await busy(supervisor, name)
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(ServerUnavailable) as info:
            await call
        assert info.value.retryable and "died during slow_echo" in info.value.reason
        await wait_restarted(supervisor, name, pid)
        assert (await supervisor.call_tool(name, "echo", {"text": "y"})).structured_content[
            "text"
        ] == "y"
    finally:
        await supervisor.stop()


@pytest.fixture
async def bridged(kafka_bootstrap: str) -> AsyncIterator[tuple[McpSupervisor, RpcClient, str, str]]:
    """Fixture server behind a tool bridge and (if present) the intent server behind its bridge."""
    suffix = uuid.uuid4().hex[:8]
    fx, intent = f"fx-{suffix}", f"intent-{suffix}"
    specs = [spec(fx, {"echo"})]  # slow_echo is NOT idempotent: killed mid-call -> unavailable
    if module_exists(INTENT):
        specs.append(ServerSpec(name=intent, argv=(sys.executable, "-m", INTENT),
                                env={"PYTHONPATH": REPO_ROOT},
                                idempotent_tools=frozenset({"analyze_intent"})))  # fmt: skip
    supervisor = McpSupervisor(specs, POLICY)
    tool_topic, intent_topic = f"test.mcp.tools.{suffix}", f"test.mcp.intent.{suffix}"
    await ensure_topics(kafka_bootstrap, [TopicSpec(tool_topic, 3), TopicSpec(intent_topic, 3)])
    broker = KafkaBroker(kafka_bootstrap, logger=None)
    register_tool_bridge(
        broker, supervisor, topic=tool_topic, group_id=f"g-{tool_topic}", server=fx
    )
    register_intent_bridge(broker, supervisor, topic=intent_topic, group_id=f"g-{intent_topic}",
                           server=intent)  # fmt: skip
    await supervisor.start()
    await broker.start()
    client = RpcClient(kafka_bootstrap, f"test-mcp-{suffix}", default_timeout=15)
    await client.start()
    try:
        yield supervisor, client, tool_topic, intent_topic
    finally:
        await client.stop()
        await broker.stop()
        await supervisor.stop()


async def busy(supervisor: McpSupervisor, name: str) -> None:
    """Wait until a call is inside the server, so a kill lands mid-call."""
    deadline = time.monotonic() + 10
    while supervisor.status()[name]["in_flight"] == 0:
        assert time.monotonic() < deadline, "no call reached the server"
        await asyncio.sleep(0.005)


async def outcome(client: RpcClient, topic: str, text: str) -> str:
    # requests are handled concurrently (up to the server's max_concurrency): each call lasts long
    # enough that the kill lands while many are in flight
    req = ToolCallRequest(tool="slow_echo", arguments={"text": text, "delay_s": 0.3})
    try:
        reply = await client.request(topic, req, ToolCallReply)
    except RemoteError as exc:
        assert exc.code == "unavailable" and exc.retryable, exc
        return "unavailable"
    assert reply.structured is not None and reply.structured["text"] == text
    return "ok"


async def test_kill_mid_load_every_request_gets_a_reply_or_unavailable(
    bridged: tuple[McpSupervisor, RpcClient, str, str],
) -> None:
    supervisor, client, topic, _ = bridged
    name = topic.replace("test.mcp.tools.", "fx-")
    pid = pid_of(supervisor, name)
    load = asyncio.gather(*(outcome(client, topic, f"m{i}") for i in range(50)))
    await busy(supervisor, name)
    os.kill(pid, signal.SIGKILL)
    results = await load  # no RequestTimeout: every request was answered
    assert results.count("unavailable") >= 1
    assert set(results) <= {"ok", "unavailable"}
    await wait_restarted(supervisor, name, pid)
    after = await asyncio.gather(*(outcome(client, topic, f"a{i}") for i in range(50)))
    assert after == ["ok"] * 50


async def test_intent_bridge_survives_a_kill_under_load(
    bridged: tuple[McpSupervisor, RpcClient, str, str],
) -> None:
    supervisor, client, _, topic = bridged
    name = topic.replace("test.mcp.intent.", "intent-")
    if name not in supervisor.status():
        pytest.skip(f"intent server module {INTENT} is absent")
    pid = pid_of(supervisor, name)

    async def ask(i: int) -> str:
        try:
            result = await client.request(topic, IntentRequest(text=f"show me blue mugs {i}"),
                                          IntentResult)  # fmt: skip
        except RemoteError as exc:
            assert exc.code == "unavailable", exc
            return "unavailable"
        assert result.intent == "search_products"
        return "ok"

    load = asyncio.gather(*(ask(i) for i in range(50)))
    await busy(supervisor, name)
    os.kill(pid, signal.SIGKILL)
    assert set(await load) <= {"ok", "unavailable"}
    await wait_restarted(supervisor, name, pid)
    assert await asyncio.gather(*(ask(i) for i in range(50))) == ["ok"] * 50
