"""Restart backoff, server list from settings, and the supervisor's answers when it cannot call."""

from __future__ import annotations

import sys

import pytest

from services.mcp_workers.settings import (
    Backoff,
    McpServerConfig,
    McpWorkersSettings,
    ServerSpec,
    ServerState,
    server_specs,
)
from services.mcp_workers.supervisor import McpSupervisor, ServerUnavailable, SupervisorPolicy


def test_backoff_doubles_up_to_the_maximum() -> None:
    backoff = Backoff(0.5, 10.0, stable_after=30.0)
    delays = [backoff.failed(uptime=0.0) for _ in range(8)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]
    assert backoff.failures == 8


def test_backoff_resets_after_a_stable_run() -> None:
    backoff = Backoff(0.5, 10.0, stable_after=30.0)
    for _ in range(4):
        backoff.failed(uptime=1.0)
    assert backoff.failed(uptime=31.0) == 0.5  # it had been up long enough: start over
    assert backoff.failed(uptime=0.0) == 1.0
    backoff.reset()
    assert backoff.failed(uptime=0.0) == 0.5


def test_server_specs_skip_missing_modules_and_pass_infra_env(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MUSEO_METRICS_PORT", "9999")
    monkeypatch.setenv("MUSEO_LLM_PROVIDER", "off")
    settings = McpWorkersSettings(
        kafka_bootstrap_servers="k:1",
        redis_url="redis://r:2/0",
        mcp_servers=[
            McpServerConfig(name="intent", module="services.mcp_workers.intent.server",
                            idempotent_tools=["analyze_intent"], env={"X": "1"}),
            McpServerConfig(name="ghost", module="services.mcp_workers.no_such_server"),
            McpServerConfig(name="off", module="services.mcp_workers.intent.server", enabled=False),
        ],
    )  # fmt: skip
    specs = server_specs(settings)
    assert [s.name for s in specs] == ["intent"]
    spec = specs[0]
    assert spec.argv == (sys.executable, "-m", "services.mcp_workers.intent.server")
    assert spec.env["KAFKA_BOOTSTRAP_SERVERS"] == "k:1"
    assert spec.env["REDIS_URL"] == "redis://r:2/0"
    assert spec.env["X"] == "1" and spec.env["MUSEO_LLM_PROVIDER"] == "off"
    assert "MUSEO_METRICS_PORT" not in spec.env  # would clash with the worker's own port
    assert spec.idempotent_tools == {"analyze_intent"}


def test_default_settings_name_the_service_and_both_servers() -> None:
    settings = McpWorkersSettings()
    assert settings.service_name == "mcp_workers"
    by_name = {c.name: c for c in settings.mcp_servers}
    assert by_name["storefront"].args == ["--from-kafka"]
    assert "create_cart" not in by_name["storefront"].idempotent_tools


async def test_unknown_server_is_unavailable_and_not_retryable() -> None:
    supervisor = McpSupervisor([])
    with pytest.raises(ServerUnavailable) as info:
        await supervisor.call_tool("nope", "echo", {})
    assert not info.value.retryable


async def test_call_to_a_server_that_never_comes_up_times_out_as_unavailable() -> None:
    spec = ServerSpec(name="unit-never", argv=(sys.executable, "-c", "pass"))
    supervisor = McpSupervisor([spec], SupervisorPolicy(call_timeout_s=0.3))
    assert supervisor.status()["unit-never"]["state"] == ServerState.STOPPED
    with pytest.raises(ServerUnavailable) as info:
        await supervisor.call_tool("unit-never", "echo", {})  # never started: waits, then gives up
    assert info.value.retryable and info.value.reason == "not up in time"


async def test_crashing_server_backs_off_then_gives_up() -> None:
    spec = ServerSpec(name="unit-crash", argv=(sys.executable, "-c", "import sys; sys.exit(2)"))
    policy = SupervisorPolicy(backoff_initial_s=0.01, backoff_max_s=0.05, max_failures=3,
                              start_timeout_s=5.0)  # fmt: skip
    supervisor = McpSupervisor([spec], policy)
    await supervisor.start(wait_s=20.0)
    status = supervisor.status()["unit-crash"]
    assert status["state"] == "failed"
    assert status["events"] == {"died": 4, "restarting": 3, "gave_up": 1}
    with pytest.raises(ServerUnavailable):
        await supervisor.call_tool("unit-crash", "echo", {})
    await supervisor.stop()
