"""Auth settings from the environment (prefix MUSEO_AUTH_); no secret lives here.

Signing keys, service accounts and API keys are files under `state_dir` so a restart keeps
them and the launcher can create the demo account before services start.
"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class AuthSettings(BaseSettings):
    # An empty variable means the default, as a shell's `MUSEO_AUTH_STATE_DIR=` does elsewhere.
    model_config = SettingsConfigDict(env_prefix="MUSEO_AUTH_", env_ignore_empty=True)

    issuer: str = "https://museo.local"
    audience: str = "museo-admin-api"
    token_ttl_seconds: int = 900
    leeway_seconds: int = 30
    state_dir: Path = Path(".local/data/auth")

    @property
    def keys_dir(self) -> Path:
        return self.state_dir / "keys"

    @property
    def accounts_path(self) -> Path:
        return self.state_dir / "service_accounts.json"

    @property
    def api_keys_path(self) -> Path:
        return self.state_dir / "api_keys.json"
