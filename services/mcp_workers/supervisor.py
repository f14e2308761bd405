"""Supervision of MCP servers run as stdio subprocesses (official `mcp` SDK client).

One long-lived task per server owns the SDK's context managers: it starts the process, lists
tools, watches health (process alive, periodic ping, calls that saw the pipe close) and restarts
it with exponential backoff. `call_tool` retries once after a restart for idempotent tools, or
raises `ServerUnavailable`, so a Kafka caller always gets an answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from typing import Any, TextIO

import anyio
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError
from mcp_types import CONNECTION_CLOSED, CallToolResult, Tool
from prometheus_client import Counter, Gauge

from services.mcp_workers.settings import (
    Backoff,
    Died,
    ServerSlot,
    ServerSpec,
    ServerState,
    ServerUnavailable,
    SupervisorPolicy,
    ToolCallFailed,
    children,
    process_alive,
)

__all__ = ["McpSupervisor", "ServerSpec", "ServerUnavailable", "SupervisorPolicy", "ToolCallFailed"]

log = logging.getLogger(__name__)

LIFECYCLE = Counter("museo_mcp_lifecycle_total", "MCP server lifecycle events", ["server", "event"])
SERVER_UP = Gauge("museo_mcp_server_up", "1 while the MCP server has a live session", ["server"])
CALLS = Counter("museo_mcp_calls_total", "MCP tool calls by outcome", ["server", "outcome"])
_DEATH = (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream, OSError)


class McpSupervisor:
    def __init__(
        self,
        specs: list[ServerSpec],
        policy: SupervisorPolicy | None = None,
        errlog: TextIO | None = None,
    ) -> None:
        self.policy = policy or SupervisorPolicy()
        self._servers = {s.name: ServerSlot(s) for s in specs}
        self._errlog = errlog
        self._spawn_lock = asyncio.Lock()

    async def start(self, wait_s: float | None = None) -> None:
        """Start every server; wait up to `wait_s` (default policy.start_timeout_s) for them."""
        for s in self._servers.values():
            s.stopping = False
            s.task = asyncio.create_task(self._run(s), name=f"mcp-{s.spec.name}")
        deadline = time.monotonic() + (self.policy.start_timeout_s if wait_s is None else wait_s)
        for s in self._servers.values():
            while s.state not in (ServerState.UP, ServerState.FAILED):
                if time.monotonic() >= deadline:
                    log.warning("MCP server %s not up yet", s.spec.name)
                    break
                await asyncio.sleep(0.05)

    async def stop(self, timeout: float = 15.0) -> None:
        for s in self._servers.values():
            s.stopping = True
            s.wake.set()
        tasks = [s.task for s in self._servers.values() if s.task]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=timeout)
            for task in pending:
                task.cancel()

    def status(self) -> dict[str, dict[str, Any]]:
        """Per server: state, pid, tools, lifecycle event counts, last error, uptime."""
        return {name: s.snapshot() for name, s in self._servers.items()}

    def pid(self, server: str) -> int | None:  # the live process, for tests and operators
        return self._servers[server].pid

    def tools(self, server: str) -> set[str]:  # from the last listing; empty before the first
        return set(self._servers[server].tools)

    def declarations(self, server: str) -> list[Tool]:  # the server's own, from the last listing
        return list(self._servers[server].declarations)

    def tool_schema(self, server: str, tool: str) -> dict[str, Any] | None:
        return self._servers[server].tools.get(tool)

    async def call_tool(
        self,
        server: str,
        tool: str,
        arguments: dict[str, Any] | None = None,
        *,
        timeout: float | None = None,
        retry: bool | None = None,
    ) -> CallToolResult:
        """Call `tool`; retry once after a restart if idempotent, else raise ServerUnavailable."""
        s = self._servers.get(server)
        if s is None:
            raise ServerUnavailable(server, "no such server", retryable=False)
        retry = tool in s.spec.idempotent_tools if retry is None else retry
        deadline = time.monotonic() + (timeout or self.policy.call_timeout_s)
        for attempt in range(2 if retry else 1):
            session = await self._session(s, deadline)
            try:
                result = await asyncio.wait_for(
                    self._call(s, session, tool, arguments), deadline - time.monotonic()
                )
            except TimeoutError:
                CALLS.labels(server, "timeout").inc()
                raise ServerUnavailable(server, f"{tool} timed out") from None
            except MCPError as exc:  # a JSON-RPC error, or the pipe closed under the call
                if exc.code != CONNECTION_CLOSED:
                    CALLS.labels(server, "rpc_error").inc()
                    raise ToolCallFailed(server, tool, exc.code, exc.message) from exc
                self._mark_dead(s, session, f"connection closed during {tool}")
            except _DEATH as exc:
                self._mark_dead(s, session, f"{type(exc).__name__} during {tool}")
            else:
                CALLS.labels(server, "ok" if attempt == 0 else "ok_retried").inc()
                return result
        CALLS.labels(server, "died").inc()
        raise ServerUnavailable(server, f"server died during {tool}")

    async def _call(
        self, s: ServerSlot, session: ClientSession, tool: str, arguments: dict[str, Any] | None
    ) -> CallToolResult:
        async with s.sem:
            s.in_flight += 1
            try:
                return await session.call_tool(tool, arguments)
            finally:
                s.in_flight -= 1

    async def _session(self, s: ServerSlot, deadline: float) -> ClientSession:
        while s.session is None:
            if s.state is ServerState.FAILED or s.stopping:
                raise ServerUnavailable(s.spec.name, f"server {s.state.value}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ServerUnavailable(s.spec.name, "not up in time")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(s.ready.wait(), min(remaining, 0.25))
        return s.session

    def _mark_dead(self, s: ServerSlot, session: ClientSession, reason: str) -> None:
        if s.session is session:  # not a late failure from an earlier session
            s.session, s.dead, s.last_error = None, True, reason
            s.ready.clear()
            s.wake.set()

    def _event(self, s: ServerSlot, event: str, level: int = logging.INFO, **fields: Any) -> None:
        LIFECYCLE.labels(s.spec.name, event).inc()
        s.events[event] = s.events.get(event, 0) + 1
        extra = {"mcp_server": s.spec.name, "lifecycle_event": event, "pid": s.pid, **fields}
        log.log(level, "mcp server %s %s", s.spec.name, event, extra=extra)

    async def _run(self, s: ServerSlot) -> None:
        p = self.policy
        backoff = Backoff(p.backoff_initial_s, p.backoff_max_s, p.stable_after_s)
        first = True
        while not s.stopping:
            s.state, s.dead, started = ServerState.STARTING, False, None
            s.wake.clear()
            try:
                async with contextlib.AsyncExitStack() as stack:
                    session = await self._connect(s, stack)
                    started = time.monotonic()
                    s.session, s.state, s.up_since = session, ServerState.UP, started
                    SERVER_UP.labels(s.spec.name).set(1)
                    s.ready.set()
                    self._event(s, "started" if first else "restarted", tools=sorted(s.tools))
                    first = False
                    await self._watch(s, session, started, backoff)
            except Exception as exc:  # includes ExceptionGroups from the SDK's task groups
                while isinstance(exc, ExceptionGroup) and exc.exceptions:
                    exc = exc.exceptions[0]
                s.last_error = f"{type(exc).__name__}: {exc}"
            finally:
                s.session, s.up_since = None, None
                s.ready.clear()
                SERVER_UP.labels(s.spec.name).set(0)
            if s.stopping:
                break
            uptime = time.monotonic() - started if started else 0.0
            self._event(s, "died", logging.WARNING, error=s.last_error, uptime_s=round(uptime, 3))
            s.pid = None
            delay = backoff.failed(uptime)
            if self.policy.max_failures and backoff.failures > self.policy.max_failures:
                s.state = ServerState.FAILED
                self._event(s, "gave_up", logging.ERROR, failures=backoff.failures)
                return
            s.state = ServerState.DOWN
            self._event(s, "restarting", delay_s=delay, attempt=backoff.failures)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(s.wake.wait(), delay)
        s.state, s.pid = ServerState.STOPPED, None
        self._event(s, "stopped")

    async def _connect(self, s: ServerSlot, stack: contextlib.AsyncExitStack) -> ClientSession:
        spec, timeout = s.spec, self.policy.start_timeout_s
        params = StdioServerParameters(
            command=spec.argv[0], args=list(spec.argv[1:]), env=dict(spec.env), cwd=spec.cwd
        )
        async with self._spawn_lock:  # new child of ours = this server's process
            before = children()
            read, write = await stack.enter_async_context(
                stdio_client(params, errlog=self._errlog or sys.stderr)
            )
            new = sorted(children() - before)
            s.pid = new[-1] if new else None
        session = await stack.enter_async_context(ClientSession(read, write))
        await asyncio.wait_for(session.initialize(), timeout)
        listing = await asyncio.wait_for(session.list_tools(), timeout)
        s.tools = {t.name: dict(t.input_schema or {}) for t in listing.tools}
        s.declarations = list(listing.tools)
        return session

    async def _watch(
        self, s: ServerSlot, session: ClientSession, started: float, backoff: Backoff
    ) -> None:
        """Return on stop; raise `Died` when the process exits or stops answering."""
        healthy, next_ping, misses = False, 0.0, 0
        while not s.stopping:
            if s.dead:
                raise Died(s.last_error or "connection closed")
            if s.pid is not None and not process_alive(s.pid):
                raise Died(f"process {s.pid} exited")
            now = time.monotonic()
            if now >= next_ping:
                try:
                    await asyncio.wait_for(session.send_ping(), self.policy.health_timeout_s)
                    misses = 0
                except Exception as exc:
                    # One slow answer on a busy machine is not a hung server: restarting it
                    # would cost a full start. Only several misses in a row restart it.
                    misses += 1
                    if misses >= self.policy.health_misses:
                        raise Died(f"health check failed {misses}x: {type(exc).__name__}: "
                                   f"{exc}") from exc
                    self._event(s, "slow_ping", logging.WARNING, misses=misses)
                    next_ping = now + self.policy.health_interval_s
                    continue
                if not healthy:
                    healthy = True
                    self._event(s, "healthy")
                if now - started >= self.policy.stable_after_s:
                    backoff.reset()
                next_ping = now + self.policy.health_interval_s
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(s.wake.wait(), self.policy.poll_interval_s)
