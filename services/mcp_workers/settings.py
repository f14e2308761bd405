"""Settings of the mcp_workers process, and the supervision policy they configure.

The MCP server list is `MUSEO_MCP_SERVERS` (JSON list of `McpServerConfig`); by default the intent
server, the storefront server in Kafka/Redis mode, and every server registered in `servers.json`
next to this file (where `museo mcp new NAME` registers the servers it scaffolds). A server whose module cannot be found is
skipped with a warning. Children inherit this process's environment minus the worker's own
identity/metrics variables, plus KAFKA_BOOTSTRAP_SERVERS, REDIS_URL and the server's `env`.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from mcp.client.session import ClientSession
from mcp_types import Tool
from pydantic import BaseModel, Field

from libs.settings import ServiceSettings

log = logging.getLogger(__name__)

REPO_ROOT = str(Path(__file__).resolve().parents[2])
#: Servers added by `museo mcp new` (a JSON list of McpServerConfig objects).
REGISTRY_FILE = Path(__file__).with_name("servers.json")
#: Not passed to children: they would clash with the worker's metrics port and identity.
DROPPED_ENV = ("MUSEO_METRICS_PORT", "MUSEO_SERVICE_NAME", "MUSEO_INSTANCE_ID", "MUSEO_MCP_SERVERS")
STOREFRONT_READS = ["search_catalog", "get_product", "lookup_catalog", "get_cart", "order_status",
                    "get_checkout_url", "get_checkout", "ask_business"]  # fmt: skip


class McpServerConfig(BaseModel):
    name: str
    module: str  # run as `python -m <module> <args...>`
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    max_concurrency: int = Field(default=16, ge=1)
    idempotent_tools: list[str] = Field(default_factory=list)  # retried once after a restart
    enabled: bool = True


def registered_servers(path: Path = REGISTRY_FILE) -> list[McpServerConfig]:
    """The servers of the registry file; none when it is absent."""
    if not path.is_file():
        return []
    return [McpServerConfig.model_validate(item) for item in json.loads(path.read_text())]


def _default_servers() -> list[McpServerConfig]:
    return [*_builtin_servers(), *registered_servers()]


def _builtin_servers() -> list[McpServerConfig]:
    return [
        McpServerConfig(name="intent", module="services.mcp_workers.intent.server",
                        idempotent_tools=["analyze_intent", "ping"]),
        McpServerConfig(name="storefront", module="services.mcp_workers.storefront.server",
                        args=["--from-kafka"], idempotent_tools=STOREFRONT_READS),
    ]  # fmt: skip


class McpWorkersSettings(ServiceSettings):
    service_name: str = "mcp_workers"
    mcp_servers: list[McpServerConfig] = Field(default_factory=_default_servers)
    mcp_call_timeout_s: float = 8.0  # below the gateway's 10 s so it gets an error reply first
    # A server's start is its imports (scikit-learn alone is ~10 s on a busy 2-core box) plus
    # the MCP handshake; a start cut short at 30 s was retried from scratch and, while the
    # machine stayed busy, never came up. A crash is seen at once (the pipe closes) anyway.
    mcp_start_timeout_s: float = 120.0
    mcp_health_interval_s: float = 5.0
    mcp_health_timeout_s: float = 3.0
    mcp_health_misses: int = 3  # consecutive failed pings before a live process is restarted
    mcp_backoff_initial_s: float = 0.5
    mcp_backoff_max_s: float = 10.0
    mcp_stable_after_s: float = 30.0
    mcp_max_failures: int = 30  # consecutive failed starts before giving up; 0 = never


class ServerState(StrEnum):
    STARTING = "starting"
    UP = "up"
    DOWN = "down"  # died, waiting out the backoff
    FAILED = "failed"  # gave up
    STOPPED = "stopped"


@dataclass(frozen=True)
class ServerSpec:
    name: str
    argv: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = REPO_ROOT
    max_concurrency: int = 16
    idempotent_tools: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SupervisorPolicy:
    call_timeout_s: float = 8.0
    start_timeout_s: float = 120.0
    health_interval_s: float = 5.0
    health_timeout_s: float = 3.0
    health_misses: int = 3
    poll_interval_s: float = 0.5  # process-alive check
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 10.0
    stable_after_s: float = 30.0
    max_failures: int = 30


class Backoff:
    """Exponential restart delay; a run that lasted `stable_after` seconds resets it."""

    def __init__(self, initial: float, maximum: float, stable_after: float) -> None:
        self.initial, self.maximum, self.stable_after = initial, maximum, stable_after
        self.failures = 0

    def failed(self, uptime: float) -> float:
        """Record one death after `uptime` seconds up; return the delay before the restart."""
        if uptime >= self.stable_after:
            self.failures = 0
        delay = min(self.maximum, self.initial * 2**self.failures)
        self.failures += 1
        return delay

    def reset(self) -> None:
        self.failures = 0


class ServerUnavailable(Exception):
    """The server is down, restarting, gave up, or did not answer in time."""

    def __init__(self, server: str, reason: str, retryable: bool = True) -> None:
        super().__init__(f"MCP server {server!r} unavailable: {reason}")
        self.server, self.reason, self.retryable = server, reason, retryable


class ToolCallFailed(Exception):
    """The server answered the call with a JSON-RPC error (unknown tool, invalid params...)."""

    def __init__(self, server: str, tool: str, code: int, message: str) -> None:
        super().__init__(f"{server}.{tool}: {message} ({code})")
        self.server, self.tool, self.code, self.message = server, tool, code, message


class Died(Exception):
    """Internal: the watched server must be restarted."""


class ServerSlot:
    """Runtime state of one supervised server (owned by McpSupervisor)."""

    def __init__(self, spec: ServerSpec) -> None:
        self.spec = spec
        self.state = ServerState.STOPPED
        self.session: ClientSession | None = None
        self.tools: dict[str, dict[str, Any]] = {}  # name -> input schema
        self.declarations: list[Tool] = []  # the last tools/list, as the server declared them
        self.pid: int | None = None
        self.ready = asyncio.Event()
        self.wake = asyncio.Event()
        self.dead = self.stopping = False
        self.sem = asyncio.Semaphore(spec.max_concurrency)
        self.task: asyncio.Task[None] | None = None
        self.events: dict[str, int] = {}
        self.last_error: str | None = None
        self.up_since: float | None = None
        self.in_flight = 0  # calls sent to the server and not answered yet

    def snapshot(self) -> dict[str, Any]:
        uptime = time.monotonic() - self.up_since if self.up_since else None
        return {
            "state": self.state.value,
            "pid": self.pid,
            "in_flight": self.in_flight,
            "tools": sorted(self.tools),
            "events": dict(self.events),
            "last_error": self.last_error,
            "uptime_s": round(uptime, 3) if uptime is not None else None,
        }


def policy_from(settings: McpWorkersSettings) -> SupervisorPolicy:
    return SupervisorPolicy(
        call_timeout_s=settings.mcp_call_timeout_s,
        start_timeout_s=settings.mcp_start_timeout_s,
        health_interval_s=settings.mcp_health_interval_s,
        health_timeout_s=settings.mcp_health_timeout_s,
        health_misses=settings.mcp_health_misses,
        backoff_initial_s=settings.mcp_backoff_initial_s,
        backoff_max_s=settings.mcp_backoff_max_s,
        stable_after_s=settings.mcp_stable_after_s,
        max_failures=settings.mcp_max_failures,
    )


def module_exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ModuleNotFoundError, ValueError):
        return False


def server_specs(settings: McpWorkersSettings) -> list[ServerSpec]:
    """Specs of the enabled servers whose module exists (others skipped with a warning)."""
    # The one raw environment read allowed in services/ (tests/unit/test_no_raw_env.py): a stdio
    # server is a process of its own that reads its own settings, so the worker hands its whole
    # environment through (secrets and vendor variables included), not a re-typed copy of it.
    base = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    base |= {"KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
             "REDIS_URL": settings.redis_url, "PYTHONUNBUFFERED": "1"}  # fmt: skip
    base["PYTHONPATH"] = os.pathsep.join(p for p in (REPO_ROOT, base.get("PYTHONPATH")) if p)
    specs = []
    for cfg in settings.mcp_servers:
        if not cfg.enabled:
            continue
        if not module_exists(cfg.module):
            log.warning("MCP server %s skipped: module %s not found", cfg.name, cfg.module)
            continue
        specs.append(ServerSpec(
            name=cfg.name, argv=(sys.executable, "-m", cfg.module, *cfg.args),
            env=base | cfg.env, max_concurrency=cfg.max_concurrency,
            idempotent_tools=frozenset(cfg.idempotent_tools),
        ))  # fmt: skip
    return specs


def children(parent: int | None = None) -> set[int]:
    """Pids whose parent is `parent` (this process by default), from /proc."""
    parent = parent or os.getpid()
    found: set[int] = set()
    if not os.path.isdir("/proc"):
        return found
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                found.add(int(entry.name))
    return found


def process_alive(pid: int) -> bool:
    """False once the process exited (gone or a zombie not yet reaped)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except FileNotFoundError:
        return False
    except OSError:
        return True
