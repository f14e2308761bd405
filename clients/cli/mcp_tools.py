"""What `museo mcp call` and `museo mcp inspect` do, as plain async functions.

A supervised server is started exactly as the mcp_workers process starts it (its configured
command and environment, under `McpSupervisor`), so a call exercises the same process the worker
runs; a remote server is any MCP Streamable HTTP endpoint, such as the gateway's `/mcp`.
The running worker's live health and restart counts come from its Prometheus endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx
from mcp import Client
from mcp_types import CallToolResult, TextContent
from prometheus_client.parser import text_string_to_metric_families

from clients.cli.local import infra_env, mcp_metrics_url
from services.mcp_workers.settings import (
    McpWorkersSettings,
    ServerSpec,
    SupervisorPolicy,
    server_specs,
)
from services.mcp_workers.supervisor import McpSupervisor, ServerUnavailable, ToolCallFailed

DEFAULT_METRICS_URL = mcp_metrics_url()  # mcp_workers under `make run`


class McpCliError(Exception):
    """A failure the command line reports in one sentence (exit code 2)."""


def is_remote(server: str) -> bool:
    return server.startswith(("http://", "https://"))


def _is_string(schema: dict[str, Any]) -> bool:
    if schema.get("type") == "string":
        return True
    options = [o for o in schema.get("anyOf", []) if o.get("type") != "null"]
    return len(options) == 1 and options[0].get("type") == "string"


def parse_arguments(
    pairs: list[str], schema: dict[str, Any] | None, json_args: str | None = None
) -> dict[str, Any]:
    """`k=v` pairs (and a JSON object) as tool arguments, typed by the tool's input schema:
    a string property keeps the text as given; any other value is read as JSON when it parses
    (numbers, booleans, lists, objects), else kept as text."""
    args: dict[str, Any] = {}
    if json_args:
        try:
            loaded = json.loads(json_args)
        except ValueError as exc:
            raise McpCliError(f"--json is not valid JSON: {exc}") from exc
        if not isinstance(loaded, dict):
            raise McpCliError("--json must be a JSON object")
        args.update(loaded)
    properties = (schema or {}).get("properties") or {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise McpCliError(f"--arg {pair!r}: expected KEY=VALUE")
        if _is_string(properties.get(key, {})):
            args[key] = raw
            continue
        try:
            args[key] = json.loads(raw)
        except ValueError:
            args[key] = raw
    unknown = sorted(set(args) - set(properties)) if properties else []
    if unknown and (schema or {}).get("additionalProperties") is False:
        raise McpCliError(f"unknown argument(s) {unknown}; the tool takes {sorted(properties)}")
    return args


def result_dict(result: CallToolResult) -> dict[str, Any]:
    texts = [c.text for c in result.content if isinstance(c, TextContent)]
    return {
        "is_error": bool(result.is_error),
        "structured": result.structured_content,
        "text": "\n".join(texts) if texts else None,
    }


def configured_specs(names: list[str] | None = None) -> list[ServerSpec]:
    """The servers the mcp_workers process would supervise (optionally only `names`)."""
    # A server started here talks to the same Kafka and Redis as the running system's worker.
    infra = infra_env()
    settings = McpWorkersSettings(
        kafka_bootstrap_servers=infra["KAFKA_BOOTSTRAP_SERVERS"], redis_url=infra["REDIS_URL"]
    )
    specs = server_specs(settings)
    if not names:
        return specs
    known = {s.name: s for s in specs}
    missing = [n for n in names if n not in known]
    if missing:
        raise McpCliError(f"no MCP server {missing[0]!r}; configured: {', '.join(known) or 'none'}")
    return [known[n] for n in names]


@contextlib.contextmanager
def _errlog() -> Iterator[TextIO]:
    """The servers' stderr goes to a scratch file: shown when a start fails, else dropped."""
    with tempfile.TemporaryDirectory(prefix="museo-mcp-") as folder:
        path = Path(folder) / "stderr.log"
        with open(path, "w+", encoding="utf-8") as log:
            yield log


def _tail(log: TextIO, lines: int = 15) -> str:
    log.flush()
    text = Path(log.name).read_text(errors="replace").strip().splitlines()
    return "\n".join(text[-lines:])


async def call_supervised(
    server: str, tool: str, pairs: list[str], json_args: str | None, timeout: float
) -> dict[str, Any]:
    """Start `server` under a supervisor, call `tool` once, stop it."""
    spec = configured_specs([server])[0]
    policy = SupervisorPolicy(start_timeout_s=timeout, call_timeout_s=timeout, max_failures=1)
    with _errlog() as log:
        supervisor = McpSupervisor([spec], policy, errlog=log)
        try:
            await supervisor.start()
            status = supervisor.status()[server]
            if status["state"] != "up":
                raise McpCliError(
                    f"{server} did not start within {timeout:.0f} s "
                    f"({status['last_error'] or 'still starting'}; --timeout gives it longer); "
                    f"its stderr:\n{_tail(log)}"
                )
            schema = supervisor.tool_schema(server, tool)
            if schema is None:
                raise McpCliError(f"{server} has no tool {tool!r}; tools: {status['tools']}")
            args = parse_arguments(pairs, schema, json_args)
            result = await supervisor.call_tool(server, tool, args, timeout=timeout, retry=False)
        except (ServerUnavailable, ToolCallFailed) as exc:
            raise McpCliError(str(exc)) from exc
        finally:
            await supervisor.stop()
    return result_dict(result)


async def call_remote(
    url: str, tool: str, pairs: list[str], json_args: str | None, timeout: float
) -> dict[str, Any]:
    """Call `tool` on a Streamable HTTP MCP endpoint in one stateful session."""
    try:
        async with Client(url, read_timeout_seconds=timeout) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            if tool not in tools:
                raise McpCliError(f"{url} has no tool {tool!r}; tools: {sorted(tools)}")
            args = parse_arguments(pairs, dict(tools[tool].input_schema or {}), json_args)
            return result_dict(await client.call_tool(tool, args))
    except McpCliError:
        raise
    except Exception as exc:  # transport errors arrive wrapped in the SDK's task groups
        while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
            exc = exc.exceptions[0]  # type: ignore[assignment]
        raise McpCliError(f"cannot call {url}: {type(exc).__name__}: {exc}") from exc


@dataclass
class ServerReport:
    name: str
    command: str
    state: str = "not started"
    health: str = "unknown"
    pid: int | None = None
    start_s: float | None = None
    tools: list[str] = field(default_factory=list)
    error: str | None = None
    live_up: bool | None = None  # from the running worker, when reachable
    restarts: int | None = None
    deaths: int | None = None


async def probe_servers(specs: list[ServerSpec], timeout: float) -> list[ServerReport]:
    """Start every spec under one supervisor; report state, tools and the first health ping."""
    reports = {s.name: ServerReport(s.name, " ".join(s.argv[1:])) for s in specs}
    if not specs:
        return []
    policy = SupervisorPolicy(start_timeout_s=timeout, max_failures=1, health_interval_s=1.0)
    with _errlog() as log:
        supervisor = McpSupervisor(specs, policy, errlog=log)
        began = time.monotonic()
        try:
            await supervisor.start()
            started = time.monotonic() - began
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and any(
                s["state"] == "up" and "healthy" not in s["events"]
                for s in supervisor.status().values()
            ):
                await asyncio.sleep(0.05)
            for name, status in supervisor.status().items():
                report = reports[name]
                report.state, report.pid, report.tools = (
                    status["state"],
                    status["pid"],
                    status["tools"],
                )
                report.health = "healthy" if "healthy" in status["events"] else "no answer"
                report.start_s = round(started, 2) if status["state"] == "up" else None
                report.error = status["last_error"]
        finally:
            await supervisor.stop()
    return list(reports.values())


def live_status(metrics_url: str, timeout: float = 3.0) -> dict[str, dict[str, int]] | None:
    """Per server {up, started, restarted, died, gave_up} from the running worker's metrics;
    None when the worker does not answer."""
    try:
        body = httpx.get(metrics_url, timeout=timeout).text
    except httpx.HTTPError:
        return None
    servers: dict[str, dict[str, int]] = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            server = sample.labels.get("server")
            if server is None:
                continue
            if sample.name == "museo_mcp_server_up":
                servers.setdefault(server, {})["up"] = int(sample.value)
            elif sample.name == "museo_mcp_lifecycle_total":
                servers.setdefault(server, {})[sample.labels["event"]] = int(sample.value)
    return servers


def merge_live(reports: list[ServerReport], live: dict[str, dict[str, int]]) -> list[ServerReport]:
    """Add the worker's view; a server only the worker knows gets a row of its own."""
    by_name = {r.name: r for r in reports}
    for name, counts in sorted(live.items()):
        report = by_name.setdefault(name, ServerReport(name, "(running worker only)"))
        report.live_up = bool(counts.get("up", 0))
        report.restarts = counts.get("restarted", 0)
        report.deaths = counts.get("died", 0)
    return list(by_name.values())
