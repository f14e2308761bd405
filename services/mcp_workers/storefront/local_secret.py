"""The checkout signing secret: `MUSEO_CHECKOUT_SECRET`, else a dev file created once.

Production sets `MUSEO_CHECKOUT_SECRET` (a secret has no default). For `make run` and tests the
launcher does not set it, so the first process creates `$MUSEO_DATA_DIR/checkout.secret`
(default `.local/data/checkout.secret`, mode 0600) with `secrets.token_hex(32)` and every later
process reads the same file — links stay valid across restarts of the storefront.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ENV_VAR = "MUSEO_CHECKOUT_SECRET"
FILE_NAME = "checkout.secret"


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


def checkout_secret(allow_file: bool = True) -> str:
    value = os.environ.get(ENV_VAR, "").strip()
    if value:
        return value
    if not allow_file:
        raise RuntimeError(f"{ENV_VAR} is required")
    return file_secret(data_dir() / FILE_NAME)
