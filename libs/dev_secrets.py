"""One way to get a secret: its environment variable, else (dev only) a file created once.

Production sets the variable (a secret has no default). For `make run` and tests nothing sets it,
so the first process creates `$MUSEO_DATA_DIR/<file>` (default `.local/data/<file>`, mode 0600)
and every later process reads the same file, so values signed by one process verify in another
and survive restarts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    return Path(os.environ.get("MUSEO_DATA_DIR") or ROOT / ".local" / "data")


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
    value = os.environ.get(env_var, "").strip()
    if value:
        return value
    if not allow_file:
        raise RuntimeError(f"{env_var} is required")
    return file_secret((folder or data_dir()) / file_name)


REDIS_PASSWORD_ENV, REDIS_PASSWORD_FILE = "MUSEO_REDIS_PASSWORD", "redis.password"


def local_redis_url(port: int, folder: Path | None = None, host: str = "127.0.0.1") -> str:
    """The URL of a local Redis (`make run`, tests, chaos), password included: the one place
    that knows where the password comes from (MUSEO_REDIS_PASSWORD, else `redis.password` under
    the data folder), so the launcher, the test fixtures and the CLI agree with the server."""
    password = dev_secret(REDIS_PASSWORD_ENV, REDIS_PASSWORD_FILE, folder=folder)
    return f"redis://:{quote(password, safe='')}@{host}:{port}/0"
