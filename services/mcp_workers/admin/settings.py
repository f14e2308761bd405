"""Settings of the admin slice: the stdio admin MCP server's and the worker's spool folder.

The admin MCP server is its own process (started by the worker, or by an MCP client such as
Claude Desktop), so it reads its own small settings once in `main()` rather than the worker's.
An empty variable means the default, as the `or` of the code these replace did.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SPOOL_DIR = ".local/data/spool"
DEFAULT_GATEWAY = "http://127.0.0.1:3300"
DEFAULT_CLIENT_ID = "museo-admin"


class SpoolSettings(BaseSettings):
    """Where the gateway spools uploads (MUSEO_SPOOL_DIR); a shared volume across hosts."""

    model_config = SettingsConfigDict(env_prefix="MUSEO_", extra="ignore", env_ignore_empty=True)

    spool_dir: Path = Path(DEFAULT_SPOOL_DIR)


class AdminServerSettings(BaseSettings):
    """MUSEO_ADMIN_CLIENT_ID / MUSEO_ADMIN_CLIENT_SECRET (else the demo account's secret file
    under MUSEO_AUTH_STATE_DIR) and MUSEO_GATEWAY_URL, the admin API the server calls."""

    model_config = SettingsConfigDict(env_prefix="MUSEO_", extra="ignore", env_ignore_empty=True)

    admin_client_id: str = DEFAULT_CLIENT_ID
    admin_client_secret: SecretStr | None = None
    auth_state_dir: Path = Path(".local/data/auth")
    gateway_url: str = DEFAULT_GATEWAY
