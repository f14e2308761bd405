"""One way to get a secret: its environment variable, else (dev only) a file created once.

Production sets the variable (a secret has no default). For `make run` and tests nothing sets it,
so the first process creates `$MUSEO_DATA_DIR/<file>` (default `.local/data/<file>`, mode 0600)
and every later process reads the same file, so values signed by one process verify in another
and survive restarts. Both the variable and MUSEO_DATA_DIR are read through pydantic-settings
(the project's one way to read the environment); an empty variable counts as unset.
"""

from __future__ import annotations

import os
import secrets
from functools import cache
from pathlib import Path
from urllib.parse import quote

from pydantic import Field, SecretStr, create_model
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[1]


class DataDirSettings(BaseSettings):
    """Where dev secrets (and other local state) live: MUSEO_DATA_DIR.

    Only the environment is a source (no dotenv or secrets-dir pass): a webhook checks its
    signature with `dev_secret` on every request, and each source costs a pass over it."""

    model_config = SettingsConfigDict(env_prefix="MUSEO_", extra="ignore", env_ignore_empty=True)

    data_dir: Path = ROOT / ".local" / "data"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings


class _SecretSettings(DataDirSettings):
    value: SecretStr | None = None


@cache
def _secret_settings(env_var: str) -> type[_SecretSettings]:
    """A settings class reading the secret from `env_var` (each secret keeps its name) and the
    data folder, in one pass over the environment."""
    return create_model(
        f"Secret_{env_var}", __base__=_SecretSettings,
        value=(SecretStr | None, Field(default=None, validation_alias=env_var)),
    )


def data_dir() -> Path:
    return DataDirSettings().data_dir


def file_secret(path: Path) -> str:
    """Read the secret at `path`, creating it atomically (O_EXCL) the first time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process may be writing it right now
            value = path.read_text().strip()
            if value:
                return value
        raise RuntimeError(f"{path} is empty") from None
    value = secrets.token_hex(32)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


def dev_secret(
    env_var: str, file_name: str, *, allow_file: bool = True, folder: Path | None = None
) -> str:
    """`env_var` when set; else the dev file `file_name` under `folder` (the data folder)."""
    settings = _secret_settings(env_var)()
    value = settings.value.get_secret_value().strip() if settings.value is not None else ""
    if value:
        return value
    if not allow_file:
        raise RuntimeError(f"{env_var} is required")
    return file_secret((folder or settings.data_dir) / file_name)


REDIS_PASSWORD_ENV, REDIS_PASSWORD_FILE = "MUSEO_REDIS_PASSWORD", "redis.password"


def local_redis_url(port: int, folder: Path | None = None, host: str = "127.0.0.1") -> str:
    """The URL of a local Redis (`make run`, tests, chaos), password included: the one place
    that knows where the password comes from (MUSEO_REDIS_PASSWORD, else `redis.password` under
    the data folder), so the launcher, the test fixtures and the CLI agree with the server."""
    password = dev_secret(REDIS_PASSWORD_ENV, REDIS_PASSWORD_FILE, folder=folder)
    return f"redis://:{quote(password, safe='')}@{host}:{port}/0"
