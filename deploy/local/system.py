"""The whole system as `make run` starts it, on free ports, for tests and benchmarks.

Uses MUSEO_GATEWAY_URL when set (a system already running); else runs the launcher in its own
session, waits for its banner, and on exit stops it with Ctrl-C (SIGINT), as a person would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READY_LINE = "Press Ctrl-C to stop everything."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningSystem:
    base_url: str
    proc: subprocess.Popen[str] | None = None
    output: list[str] = field(default_factory=list)

    def stop(self, timeout: float = 60) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            return self.proc.wait()


def start_system(timeout: float = 240) -> RunningSystem:
    port = free_port()
    env = {
        **os.environ,
        "MUSEO_PORT": str(port),
        "MUSEO_METRICS_BASE_PORT": str(free_port()),
        "MUSEO_INSTANCE_ID": f"local-{port}",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "deploy.local.launcher"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    system = RunningSystem(f"http://127.0.0.1:{port}", proc)
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            raise RuntimeError("launcher exited:\n" + "".join(system.output[-40:]))
        system.output.append(line)
        if READY_LINE in line:
            return system
    system.stop(timeout=5)
    raise TimeoutError("launcher not ready:\n" + "".join(system.output[-40:]))


@contextmanager
def running_system(timeout: float = 240) -> Iterator[RunningSystem]:
    if url := os.environ.get("MUSEO_GATEWAY_URL"):
        yield RunningSystem(url.rstrip("/"))
        return
    system = start_system(timeout)
    try:
        yield system
    finally:
        system.stop()
