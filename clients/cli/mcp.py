"""`museo mcp ...`: developer tools for the project's MCP servers.

museo mcp new NAME                          scaffold + register a stdio MCP server
museo mcp call SERVER TOOL --arg k=v ...    call a supervised server's tool (or a remote
                                            endpoint: SERVER = http://127.0.0.1:3300/mcp)
museo mcp inspect [SERVER ...]              servers, tools, health, and the running
                                            worker's restarts (from its metrics)
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from clients.cli import mcp_tools
from clients.cli.mcp_scaffold import REPO_ROOT, ScaffoldError, scaffold
from services.mcp_workers.settings import SupervisorPolicy

mcp_app = typer.Typer(no_args_is_help=True, add_completion=False, help="MCP developer tools.")
console = Console()
err = Console(stderr=True)

# As long as the worker gives a server to start (SupervisorPolicy.start_timeout_s): a server
# that reads the catalog from Kafka can take a minute on a loaded machine.
START_TIMEOUT_S = SupervisorPolicy().start_timeout_s
Timeout = Annotated[float, typer.Option("--timeout", help="seconds to start and to answer")]
MetricsUrl = Annotated[
    str,
    typer.Option(
        "--metrics", envvar="MUSEO_MCP_METRICS_URL", help="the running mcp_workers metrics URL"
    ),
]


@mcp_app.callback()
def _quiet_supervisor() -> None:
    """The supervisor's lifecycle warnings are for the worker's logs; here, the table says it."""
    logging.getLogger("services.mcp_workers").setLevel(logging.ERROR)


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]{message}[/red]", highlight=False)
    return typer.Exit(2)


@mcp_app.command("new")
def new(
    name: Annotated[str, typer.Argument(help="server name: lower-case letters, digits, _")],
    root: Annotated[str, typer.Option("--root", help="repository root")] = str(REPO_ROOT),
) -> None:
    """Scaffold a stdio MCP server (server, contract, tests) and register it for the worker."""
    from pathlib import Path

    try:
        written = scaffold(name, Path(root))
    except ScaffoldError as exc:
        raise _fail(str(exc)) from exc
    for path in written:
        console.print(f"  wrote {path}")
    console.print(
        f"\nNext: `pytest tests/unit/workers/test_mcp_{name}_server.py`, then "
        f"`museo mcp call {name} echo --arg text=hello`. The mcp_workers process "
        "supervises it from its next start.",
        highlight=False,
    )


@mcp_app.command("call")
def call(
    server: Annotated[str, typer.Argument(help="a configured server name, or an MCP URL")],
    tool: Annotated[str, typer.Argument(help="tool name")],
    arg: Annotated[
        list[str] | None, typer.Option("--arg", "-a", help="KEY=VALUE (repeatable)")
    ] = None,
    json_args: Annotated[
        str | None, typer.Option("--json", help="arguments as one JSON object")
    ] = None,
    timeout: Timeout = START_TIMEOUT_S,
) -> None:
    """Call one tool and print its structured result (or text); exit 1 if the tool failed."""
    if mcp_tools.is_remote(server):
        runner = mcp_tools.call_remote(server, tool, arg or [], json_args, timeout)
    else:
        runner = mcp_tools.call_supervised(server, tool, arg or [], json_args, timeout)
    try:
        result = asyncio.run(runner)
    except mcp_tools.McpCliError as exc:
        raise _fail(str(exc)) from exc
    if result["structured"] is not None:
        console.print_json(json.dumps(result["structured"]))
    elif result["text"] is not None:
        console.print(result["text"], highlight=False)
    if result["is_error"]:
        err.print(f"[red]{tool} returned an error[/red]")
        raise typer.Exit(1)


def _row(report: mcp_tools.ServerReport) -> list[str]:
    live = "-" if report.live_up is None else ("up" if report.live_up else "DOWN")
    restarts = "-" if report.restarts is None else f"{report.restarts} ({report.deaths} died)"
    return [
        report.name,
        report.state,
        report.health,
        "" if report.start_s is None else f"{report.start_s}s",
        ", ".join(report.tools) or (report.error or ""),
        live,
        restarts,
    ]


@mcp_app.command("inspect")
def inspect(
    servers: Annotated[list[str] | None, typer.Argument(help="only these servers")] = None,
    metrics: MetricsUrl = mcp_tools.DEFAULT_METRICS_URL,
    spawn: Annotated[
        bool, typer.Option("--spawn/--no-spawn", help="start each server to list tools")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    timeout: Timeout = START_TIMEOUT_S,
) -> None:
    """List the configured servers: state, health, tools; with the running worker's restarts."""
    try:
        specs = mcp_tools.configured_specs(servers)
        reports = (
            asyncio.run(mcp_tools.probe_servers(specs, timeout))
            if spawn
            else [mcp_tools.ServerReport(s.name, " ".join(s.argv[1:])) for s in specs]
        )
    except mcp_tools.McpCliError as exc:
        raise _fail(str(exc)) from exc
    live = mcp_tools.live_status(metrics)
    if live is not None:
        reports = mcp_tools.merge_live(reports, live)
    if as_json:
        payload: dict[str, Any] = {
            "servers": [vars(r) for r in reports],
            "worker": {"metrics": metrics, "reachable": live is not None},
        }
        console.print_json(json.dumps(payload))
        return
    table = Table("server", "state", "health", "start", "tools", "worker", "restarts")
    for report in reports:
        table.add_row(*_row(report))
    console.print(table)
    if live is None:
        console.print(f"(no running mcp_workers at {metrics}: live state and restarts not shown)")
