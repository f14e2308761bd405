"""Settings of the intent MCP server, a process of its own (started by the worker or by an MCP
client), read once in `main()`: the optional LLM stage (MUSEO_LLM_PROVIDER=openai|anthropic|
mock|off, MUSEO_LLM_BASE_URL, MUSEO_LLM_API_KEY, MUSEO_LLM_MODEL, MUSEO_LLM_TIMEOUT in seconds)
and MUSEO_CACHE_DIR, where the trained model is cached (default ~/.cache/museo)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _home_cache() -> Path:
    return Path.home() / ".cache" / "museo"


class IntentSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MUSEO_", extra="ignore")

    llm_provider: str = "off"
    llm_api_key: SecretStr | None = None
    llm_model: str = ""
    llm_timeout: float = 4.0
    llm_base_url: str = ""  # empty: the provider's public API
    cache_dir: Path = Field(default_factory=_home_cache)
