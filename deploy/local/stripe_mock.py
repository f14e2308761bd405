"""The official stripe-mock server (Stripe's OpenAPI-driven API simulator) for tests.

Installed with the Go toolchain from the Go module proxy into the cache folder
(`<MUSEO_CACHE_DIR>/bin/stripe-mock-<version>`), pinned, skipped when present; `python -m
deploy.local.infra install` calls `ensure_stripe_mock`. It validates requests against Stripe's
API description and answers with Stripe's response shapes; it sends no webhooks, so tests sign
webhook payloads themselves with Stripe's documented scheme.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from deploy.local.infra import InfraConfig, _apt_install, log

STRIPE_MOCK_VERSION = "v0.203.0"
MODULE = "github.com/stripe/stripe-mock"


def binary_path(cfg: InfraConfig) -> Path:
    return cfg.cache_dir / "bin" / f"stripe-mock-{STRIPE_MOCK_VERSION}"


def ensure_stripe_mock(cfg: InfraConfig | None = None) -> Path:
    cfg = cfg or InfraConfig()
    target = binary_path(cfg)
    if target.exists():
        return target
    go = shutil.which("go") or ("/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists()
                                else None)
    if go is None:
        _apt_install("golang-go")
        go = shutil.which("go") or "/usr/bin/go"
    log(f"installing stripe-mock {STRIPE_MOCK_VERSION} with `go install` into {target.parent} ...")
    build = cfg.cache_dir / "go"
    env = {**os.environ, "GOBIN": str(build / "bin"), "GOPATH": str(build / "path"),
           "GOFLAGS": "-mod=mod", "CGO_ENABLED": "0"}
    subprocess.run([go, "install", f"{MODULE}@{STRIPE_MOCK_VERSION}"], env=env, check=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(build / "bin" / "stripe-mock", target)
    return target


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_stripe_mock(cfg: InfraConfig | None = None,
                      timeout: float = 60) -> tuple[subprocess.Popen[bytes], str]:
    """Start stripe-mock on a free loopback port; returns the process and its base URL."""
    binary = ensure_stripe_mock(cfg)
    port = _free_port()
    proc = subprocess.Popen([str(binary), "-http-addr", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"stripe-mock exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"http://127.0.0.1:{port}"
        time.sleep(0.1)
    proc.kill()
    raise TimeoutError("stripe-mock did not open its port")
