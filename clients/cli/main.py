"""`museo`: the command line of Museo Commerce; talks to a running gateway over HTTP/WebSocket."""

from __future__ import annotations

import importlib
import json
from typing import Any

import httpx
import typer
from rich.console import Console

from clients.cli.local import gateway_url

app = typer.Typer(
    help="Museo Commerce command line (talks to a running gateway).", no_args_is_help=True
)
markets_app = typer.Typer(help="Markets: resolve a market, localise prices.", no_args_is_help=True)
app.add_typer(markets_app, name="markets")
console = Console()
DEFAULT_GATEWAY = gateway_url()
GatewayOpt = typer.Option(DEFAULT_GATEWAY, "--gateway", "-g", help="Gateway base URL")


def call(method: str, url: str, **kw: Any) -> Any:
    """One HTTP call with errors a person can read; exits non-zero on failure."""
    try:
        resp = httpx.request(method, url, timeout=30, **kw)
    except httpx.HTTPError as exc:
        console.print(
            f"[red]cannot reach the gateway at {url}: {exc}[/red]\nIs it running? (`make run`)"
        )
        raise typer.Exit(2) from exc
    body = (
        resp.json()
        if resp.headers.get("content-type", "").startswith("application/json")
        else resp.text
    )
    if resp.status_code >= 400:
        err = body.get("error", body) if isinstance(body, dict) else body
        console.print(f"[red]{resp.status_code}: {err}[/red]")
        raise typer.Exit(1)
    return body


@app.command()
def health(gateway: str = GatewayOpt) -> None:
    """Show the gateway's readiness (Kafka, Redis, topics, circuit breakers)."""
    console.print_json(json.dumps(call("GET", f"{gateway}/readyz")))


@markets_app.command("resolve")
def markets_resolve(
    phone: str = typer.Option(None, help="E.164 number or WhatsApp id"),
    country: str = typer.Option(None, help="ISO country code"),
    accept_language: str = typer.Option(None, "--accept-language", help="Accept-Language header"),
    gateway: str = GatewayOpt,
) -> None:
    """Resolve a market through Kafka: country, currency, language, tax."""
    params = {k: v for k, v in {"phone": phone, "country": country}.items() if v}
    headers = {"accept-language": accept_language} if accept_language else {}
    console.print_json(
        json.dumps(call("GET", f"{gateway}/v1/markets/resolve", params=params, headers=headers))
    )


@markets_app.command("localize")
def markets_localize(
    amount: int = typer.Argument(..., help="price in minor units of the shop currency (GBP)"),
    country: str = typer.Option("GB", help="ISO country code"),
    gateway: str = GatewayOpt,
) -> None:
    """Show a shop price as a market sees it (currency, tax, formatting)."""
    body = call(
        "POST",
        f"{gateway}/v1/markets/localize",
        json={"country": country, "items": [{"amount": amount}]},
    )
    price = body["prices"][0]
    console.print(
        f"{price['formatted']}  ({price['tax_label']} {'incl.' if price['tax_included'] else 'excl.'})"
    )


def _add_optional(module: str, attr: str, name: str) -> None:
    """Sub-commands that live in their own modules (chat, admin) join when present."""
    try:
        sub = getattr(importlib.import_module(module), attr)
    except (ModuleNotFoundError, AttributeError):
        return
    if isinstance(sub, typer.Typer):
        app.add_typer(sub, name=name)
    else:
        app.command(name=name)(sub)


_add_optional("clients.cli.admin", "admin_app", "admin")
_add_optional("clients.cli.chat", "chat", "chat")
_add_optional("clients.cli.chat", "intent", "intent")
_add_optional("clients.cli.mcp", "mcp_app", "mcp")


if __name__ == "__main__":
    app()
