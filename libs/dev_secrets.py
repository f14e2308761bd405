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


def dev_secret(env_var: str, file_name: str, *, allow_file: bool = True) -> str:
    """`env_var` when set; else the dev file `file_name` under the data folder."""
    value = os.environ.get(env_var, "").strip()
    if value:
        return value
    if not allow_file:
        raise RuntimeError(f"{env_var} is required")
    return file_secret(data_dir() / file_name)
