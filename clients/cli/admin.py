"""`museo admin ...`: catalog imports and tokens over the admin HTTP API.

    museo admin token                      prints an access token (client credentials)
    museo admin import FILE                uploads FILE, shows a progress bar, prints the report

Credentials: --client-id/--client-secret, else MUSEO_ADMIN_CLIENT_ID/MUSEO_ADMIN_CLIENT_SECRET,
else the demo account's secret file `<MUSEO_AUTH_STATE_DIR or .local/data/auth>/museo-admin.secret`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from clients.cli.local import gateway_url

LOCAL_GATEWAY = gateway_url()  # MUSEO_GATEWAY_URL (the option's envvar) wins
admin_app = typer.Typer(no_args_is_help=True, add_completion=False, help="Catalog admin.")
console = Console()

Gateway = Annotated[
    str, typer.Option("--gateway", envvar="MUSEO_GATEWAY_URL", help="gateway base URL")
]
ClientId = Annotated[str, typer.Option("--client-id", envvar="MUSEO_ADMIN_CLIENT_ID")]
ClientSecret = Annotated[
    str, typer.Option("--client-secret", envvar="MUSEO_ADMIN_CLIENT_SECRET", show_default=False)
]


def _secret(client_id: str, given: str) -> str:
    if given:
        return given
    state = Path(os.environ.get("MUSEO_AUTH_STATE_DIR") or ".local/data/auth")
    path = state / f"{client_id}.secret"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    console.print(f"[red]no client secret: pass --client-secret or create {path}[/red]")
    raise typer.Exit(2)


def _fail(response: httpx.Response) -> typer.Exit:
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    console.print(f"[red]HTTP {response.status_code}[/red]: {body}")
    return typer.Exit(1)


def fetch_token(http: httpx.Client, client_id: str, secret: str, scope: str | None) -> str:
    data = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    r = http.post("/oauth/token", data=data, auth=(client_id, secret))
    if r.status_code != 200:
        raise _fail(r)
    return str(r.json()["access_token"])


@admin_app.command("token")
def token(
    gateway: Gateway = LOCAL_GATEWAY,
    client_id: ClientId = "museo-admin",
    client_secret: ClientSecret = "",
    scope: Annotated[str | None, typer.Option(help="space-separated scopes")] = None,
) -> None:
    """Print an access token for the admin API (client-credentials grant)."""
    with httpx.Client(base_url=gateway, timeout=30) as http:
        typer.echo(fetch_token(http, client_id, _secret(client_id, client_secret), scope))


def _report(job: dict[str, Any]) -> None:
    report = job.get("report") or {}
    console.print(
        f"[bold]{job['state']}[/bold] {report.get('source', '')}: "
        f"{report.get('rows_total', 0)} rows, {report.get('products_ok', 0)} products ok "
        f"({report.get('products_changed', 0)} changed, "
        f"{report.get('products_unchanged', 0)} unchanged), "
        f"{report.get('products_failed', 0)} failed"
    )
    if job.get("error"):
        console.print(f"[red]{job['error']}[/red]")
    errors = report.get("errors") or []
    if errors:
        table = Table("row", "field", "reason", title="Rows with errors")
        for e in errors:
            table.add_row(str(e["row"]), e["field"], e["reason"])
        console.print(table)
        if report.get("errors_total", 0) > len(errors):
            console.print(f"... and {report['errors_total'] - len(errors)} more")


@admin_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    gateway: Gateway = LOCAL_GATEWAY,
    client_id: ClientId = "museo-admin",
    client_secret: ClientSecret = "",
    shop_currency: Annotated[str, typer.Option("--currency")] = "GBP",
    poll: Annotated[float, typer.Option(help="seconds between status polls")] = 0.5,
) -> None:
    """Import products from CSV, XLSX, JSON or JSONL; show progress, then the report."""
    with httpx.Client(base_url=gateway, timeout=300) as http:
        bearer = fetch_token(http, client_id, _secret(client_id, client_secret), None)
        http.headers["Authorization"] = f"Bearer {bearer}"
        with file.open("rb") as fh:
            r = http.post(
                "/v1/admin/imports",
                files={"file": (file.name, fh)},
                params={"shop_currency": shop_currency},
            )
        if r.status_code != 202:
            raise _fail(r)
        job: dict[str, Any] = r.json()
        columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn())
        with Progress(*columns, TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task(f"importing {file.name}", total=1.0)
            while job["state"] not in ("done", "failed"):
                time.sleep(poll)
                r = http.get(f"/v1/admin/imports/{job['job_id']}")
                if r.status_code != 200:
                    raise _fail(r)
                job = r.json()
                bar.update(task, completed=job["progress"])
            bar.update(task, completed=1.0)
    _report(job)
    if job["state"] == "failed":
        raise typer.Exit(1)
