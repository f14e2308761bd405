"""The whole system as `make run` starts it: the launcher, on free ports, against the test infra."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class System:
    base_url: str
    proc: subprocess.Popen[str]
    output: list[str]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def system(infra: dict[str, str]) -> Iterator[System]:
    port = free_port()
    env = {
        **os.environ,
        "MUSEO_PORT": str(port),
        "MUSEO_METRICS_BASE_PORT": str(free_port()),
        "MUSEO_INSTANCE_ID": f"e2e-{port}",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "deploy.local.launcher"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    deadline = time.monotonic() + 240
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            pytest.fail("launcher exited:\n" + "".join(output[-40:]))
        output.append(line)
        if "Press Ctrl-C to stop everything." in line:
            break
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("launcher not ready:\n" + "".join(output[-40:]))
    system = System(f"http://127.0.0.1:{port}", proc, output)
    yield system
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)


@pytest.fixture
def client(system: System) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=system.base_url, timeout=20) as c:
        yield c


@pytest.fixture(scope="session")
def admin_headers(system: System) -> dict[str, str]:
    """A bearer token of the demo service account the gateway creates on first start."""
    from pathlib import Path

    state_dir = Path(os.environ.get("MUSEO_AUTH_STATE_DIR", ".local/data/auth"))
    secret = (state_dir / "museo-admin.secret").read_text().strip()
    resp = httpx.post(f"{system.base_url}/oauth/token", auth=("museo-admin", secret),
                      data={"grant_type": "client_credentials"}, timeout=20)
    assert resp.status_code == 200, resp.text
    return {"authorization": f"Bearer {resp.json()['access_token']}"}
