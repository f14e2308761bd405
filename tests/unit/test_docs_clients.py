"""docs/clients.md cannot drift from the code: every path its snippets use is a gateway route,
every WebSocket frame type is registered, every `museo` command line parses, every MCP config
is valid JSON naming importable server modules or the gateway's `/mcp`."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
from pathlib import Path

import click
import pytest
import typer
from fastapi import FastAPI
from starlette.routing import Match

from clients.cli.main import app as cli_app
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from services.gateway.ws import OPS

DOC = Path(__file__).resolve().parents[2] / "docs" / "clients.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def blocks(language: str) -> list[str]:
    found = [
        body for lang, body in BLOCK.findall(DOC.read_text(encoding="utf-8")) if lang == language
    ]
    assert found, f"no {language} snippet in {DOC.name}"
    return found


def routed(app: FastAPI, path: str) -> bool:
    """Whether the gateway's router matches `path` (any method; /ws as a WebSocket)."""
    kind = "websocket" if path == "/ws" else "http"
    scope = {"type": kind, "path": path, "method": "GET", "root_path": "", "headers": []}
    return any(route.matches(scope)[0] is not Match.NONE for route in app.router.routes)


def used_paths(text: str) -> set[str]:
    urls = re.findall(r"(?:localhost|10\.0\.2\.2):3300(/[A-Za-z0-9_/.{}-]*)", text)
    urls += re.findall(r'appending\(path: "(/[^"]*)"\)', text)
    return {u.split("?")[0] for u in urls if u != "/"} | ({"/"} if "3300/'" in text else set())


def all_snippets() -> str:
    return "\n".join(body for _, body in BLOCK.findall(DOC.read_text(encoding="utf-8")))


def test_every_path_in_the_snippets_is_a_gateway_route() -> None:
    app = create_app(GatewaySettings())  # builds routes only; connects nothing before start-up
    used = used_paths(all_snippets())
    assert {"/v1/catalog/search", "/ws", "/oauth/token", "/mcp"} <= used
    assert sorted(p for p in used if not routed(app, p)) == []
    assert not routed(app, "/v1/no-such-route")  # the check can fail


@pytest.mark.parametrize("language", ["kotlin", "swift"])
def test_native_snippets_send_registered_frames(language: str) -> None:
    from services.gateway.app import discover_routes

    discover_routes()
    frames = {t for body in blocks(language) for t in re.findall(r'"type": "([a-z.]+)"', body)}
    assert frames and frames <= set(OPS)
    assert all("X-Museo-Session" in body for body in blocks(language))


def test_every_museo_command_line_parses() -> None:
    group = typer.main.get_command(cli_app)
    lines = [ln.strip() for body in blocks("bash") for ln in body.splitlines()]
    commands = [shlex.split(ln)[1:] for ln in lines if ln.startswith(".venv/bin/museo ")]
    assert len(commands) >= 5
    for argv in commands:
        command: click.Command = group
        while isinstance(command, click.Group) and argv and argv[0] in command.commands:
            command, argv = command.commands[argv[0]], argv[1:]
        assert not isinstance(command, click.Group), f"no such museo command: {argv}"
        command.make_context(command.name or "museo", list(argv))  # raises on unknown options


def test_mcp_configs_name_importable_servers_or_the_gateway_endpoint() -> None:
    servers = {}
    for body in blocks("json"):
        servers.update(json.loads(body)["mcpServers"])
    assert servers
    for name, config in servers.items():
        if "url" in config:
            assert config["url"].endswith(":3300/mcp"), name
            continue
        args = config["args"]
        assert config["command"].endswith("python") and args[0] == "-m", name
        assert importlib.util.find_spec(args[1]) is not None, (name, args[1])
