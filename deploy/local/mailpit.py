"""Mailpit, the development SMTP server with a web UI and an HTTP API (`GET /api/v1/messages`).

Installed by `make install` with `go install github.com/axllent/mailpit@<pinned>` into the cache
folder's `bin/` (through the Go module proxy; skipped when already there). The launcher starts it
for `make run` (SMTP :1025, UI/API :8025) and the test fixtures start their own on free ports.
It runs offline: the version check is disabled and the mailbox is a file in the data folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from deploy.local.infra import InfraConfig, _apt_install, log, port_open

MAILPIT_MODULE = "github.com/axllent/mailpit"
MAILPIT_VERSION = "v1.33.1"
SMTP_PORT = int(os.environ.get("MUSEO_MAILPIT_SMTP_PORT", "1025"))
HTTP_PORT = int(os.environ.get("MUSEO_MAILPIT_HTTP_PORT", "8025"))


def mailpit_binary(cfg: InfraConfig) -> Path:
    return cfg.cache_dir / "bin" / "mailpit"


def ensure_mailpit(cfg: InfraConfig) -> Path:
    """The pinned Mailpit binary, built with Go from the module proxy if missing."""
    binary = mailpit_binary(cfg)
    if binary.exists():
        return binary
    if not shutil.which("go"):
        _apt_install("golang-go")  # an older Go fetches the toolchain the module asks for
    log(f"building Mailpit {MAILPIT_VERSION} with go install into {binary.parent} ...")
    env = {**os.environ, "GOBIN": str(binary.parent), "GOTOOLCHAIN": "auto", "CGO_ENABLED": "0"}
    binary.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["go", "install", f"{MAILPIT_MODULE}@{MAILPIT_VERSION}"], env=env, check=True)
    return binary


def mailpit_command(cfg: InfraConfig, smtp_port: int = SMTP_PORT, http_port: int = HTTP_PORT,
                    database: Path | None = None) -> list[str]:
    db = database or cfg.data_dir / f"mailpit-{http_port}" / "mailpit.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    return [
        str(ensure_mailpit(cfg)),
        "--smtp", f"127.0.0.1:{smtp_port}",
        "--listen", f"127.0.0.1:{http_port}",
        "--database", str(db),
        "--smtp-auth-accept-any", "--smtp-auth-allow-insecure",
        "--disable-version-check",
        "--quiet",
    ]


def wait_mailpit(http_port: int, timeout: float = 30.0,
                 proc: subprocess.Popen[bytes] | None = None) -> None:
    """Ready when the API answers (the SMTP port opens at the same time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"mailpit exited with {proc.returncode}")
        if port_open(http_port):
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{http_port}/api/v1/messages?limit=1", timeout=2
                ) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
        time.sleep(0.2)
    raise TimeoutError(f"Mailpit did not answer on :{http_port} within {timeout:.0f}s")
