"""Admin CLI for the launcher and operators: accounts, API keys, key rotation, JWKS.

`python -m libs.auth create-account demo-admin --scope catalog:read --scope catalog:import`
prints the secret once; paths come from AuthSettings (MUSEO_AUTH_STATE_DIR).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from libs.auth.accounts import JsonFileServiceAccountStore, create_service_account
from libs.auth.api_keys import JsonFileApiKeyStore, create_api_key
from libs.auth.keyring import KeyRing
from libs.auth.settings import AuthSettings

app = typer.Typer(no_args_is_help=True, add_completion=False)
Scopes = Annotated[list[str], typer.Option("--scope", help="repeat for each scope")]


@app.command("create-account")
def create_account(client_id: str, scope: Scopes) -> None:
    """Create a service account; prints client_id and the secret (shown only this once)."""
    settings = AuthSettings()
    store = JsonFileServiceAccountStore(settings.accounts_path)
    account, secret = create_service_account(store, client_id, scope)
    typer.echo(
        json.dumps(
            {
                "client_id": account.client_id,
                "client_secret": secret,
                "scope": " ".join(account.scopes),
            }
        )
    )


@app.command("create-api-key")
def create_key(name: str, scope: Scopes, env: str = "live") -> None:
    """Create an API key; prints it once."""
    record, key = create_api_key(
        JsonFileApiKeyStore(AuthSettings().api_keys_path), name, scope, env=env
    )
    typer.echo(json.dumps({"key_id": record.key_id, "api_key": key}))


@app.command("rotate-keys")
def rotate_keys() -> None:
    """Make a new signing key; old keys keep verifying until their tokens expire."""
    settings = AuthSettings()
    ring = KeyRing(
        settings.keys_dir, retain_seconds=settings.token_ttl_seconds + settings.leeway_seconds
    )
    typer.echo(ring.rotate().kid)


@app.command("jwks")
def jwks() -> None:
    """Print the JWKS document."""
    typer.echo(json.dumps(KeyRing(AuthSettings().keys_dir).jwks(), indent=2))


if __name__ == "__main__":
    app()
