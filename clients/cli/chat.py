"""`museo chat` (an interactive session over the gateway's WebSocket) and `museo intent`."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import typer
import websockets
from rich.console import Console

from clients.cli.main import DEFAULT_GATEWAY

console = Console()


def _ws_url(gateway: str) -> str:
    return gateway.replace("https://", "wss://").replace("http://", "ws://").rstrip("/") + "/ws"


def render(reply: dict[str, Any], show_intent: bool) -> None:
    if reply.get("type") == "error":
        console.print(f"[red]{reply['error']['code']}: {reply['error']['message']}[/red]")
        return
    data = reply.get("data", {})
    console.print(f"[bold green]museo[/bold green] {data.get('text', '')}")
    if show_intent:
        intent = data.get("intent", {})
        flag = " fallback" if data.get("fallback_used") else ""
        console.print(
            f"[dim]  {intent.get('language')} · {intent.get('intent')} "
            f"({intent.get('confidence', 0):.2f}, {intent.get('source')}{flag})[/dim]"
        )


async def _session(
    gateway: str, show_intent: bool, country: str | None, language: str | None
) -> None:
    async with websockets.connect(_ws_url(gateway)) as ws:
        welcome = json.loads(await ws.recv())
        console.print(
            f"[dim]connected (session {welcome.get('session_id', '?')[:8]}); Ctrl-D or /quit to leave[/dim]"
        )
        n = 0
        while True:
            try:
                text = await asyncio.to_thread(console.input, "[bold]you[/bold] ")
            except (EOFError, KeyboardInterrupt):
                break
            if text.strip() in ("/quit", "/exit"):
                break
            if not text.strip():
                continue
            n += 1
            frame = {
                "type": "chat",
                "id": n,
                "text": text,
                "country": country,
                "language": language,
            }
            await ws.send(json.dumps({k: v for k, v in frame.items() if v is not None}))
            while True:
                reply = json.loads(await ws.recv())
                if reply.get("in_reply_to") == n:
                    render(reply, show_intent)
                    break


def chat(
    gateway: str = typer.Option(DEFAULT_GATEWAY, "--gateway", "-g", help="Gateway base URL"),
    show_intent: bool = typer.Option(
        False, "--show-intent", "-i", help="Show language, intent and confidence"
    ),
    country: str = typer.Option(None, help="Your country (market), e.g. ES"),
    language: str = typer.Option(None, help="Language hint, e.g. fr"),
) -> None:
    """Talk to the shop in a terminal session (en, es, fr)."""
    try:
        asyncio.run(_session(gateway, show_intent, country, language))
    except OSError as exc:
        console.print(
            f"[red]cannot connect to {_ws_url(gateway)}: {exc}[/red]\nIs it running? (`make run`)"
        )
        raise typer.Exit(2) from exc


def intent(
    text: str = typer.Argument(..., help="The message to analyse"),
    gateway: str = typer.Option(DEFAULT_GATEWAY, "--gateway", "-g", help="Gateway base URL"),
    language: str = typer.Option(None, help="Language hint"),
) -> None:
    """Print the structured intent analysis of a message."""
    from clients.cli.main import call

    body = call(
        "POST", f"{gateway.rstrip('/')}/v1/intent", json={"text": text, "language": language}
    )
    console.print_json(json.dumps(body))


__all__ = ["chat", "intent", "httpx"]
