"""The whole system as `make run` starts it, on free ports, for tests and benchmarks.

Uses MUSEO_GATEWAY_URL when set (a system already running); else runs the launcher in its own
session, waits for its banner, and on exit stops it with Ctrl-C (SIGINT), as a person would.
`isolated=True` also gives it its own Kafka, Redis and data folder, removed afterwards.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from libs.dev_secrets import local_redis_url

ROOT = Path(__file__).resolve().parents[2]
READY_LINE = "Press Ctrl-C to stop everything."


# Ports for a system are drawn below Linux's ephemeral range (32768-60999): a port from that
# range can be handed to one of the many outgoing connections (every Kafka client opens several)
# between this check and the service's bind. Above the test infra's own ports (20000+).
PORT_RANGE = (20000, 26000)
METRICS_PORTS = 10  # the launcher's services listen on MUSEO_METRICS_BASE_PORT + 0..7


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count: int = 1) -> int:
    """The first of `count` consecutive ports that are free now (every one of them checked:
    the launcher binds the metrics base and the next ones)."""
    low, high = PORT_RANGE
    for _ in range(500):
        base = random.randrange(low, high - count)
        if all(_bindable(base + i) for i in range(count)):
            return base
    raise RuntimeError(f"no {count} consecutive free ports in {low}-{high}")


def free_port() -> int:
    return free_ports(1)


@dataclass
class RunningSystem:
    base_url: str
    proc: subprocess.Popen[str] | None = None
    output: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    scratch: Path | None = None  # an isolated system's own data folder, removed on stop

    @property
    def launcher_url(self) -> str:
        """The launcher's own health port: `/readyz` of every process, `/metrics` (restarts)."""
        return f"http://127.0.0.1:{self.env.get('MUSEO_LAUNCHER_PORT', '9300')}"

    @property
    def redis_url(self) -> str:
        """The system's Redis, password included, as its launcher hands it to the services."""
        if url := self.env.get("REDIS_URL"):
            return url
        data_dir = self.env.get("MUSEO_DATA_DIR")
        return local_redis_url(int(self.env.get("MUSEO_REDIS_PORT", "6379")),
                               Path(data_dir) if data_dir else None)

    @property
    def auth_dir(self) -> Path:
        return Path(self.env.get("MUSEO_AUTH_STATE_DIR", ".local/data/auth"))

    def stop(self, timeout: float = 60) -> int | None:
        try:
            if self.proc is None or self.proc.poll() is not None:
                return self.proc.returncode if self.proc else None
            self.proc.send_signal(signal.SIGINT)
            try:
                return self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                return self.proc.wait()
        finally:
            if self.scratch is not None:
                shutil.rmtree(self.scratch, ignore_errors=True)


def isolated_env() -> tuple[dict[str, str], Path]:
    """Own Kafka, Redis and data folder on free ports: what a bench writes (say, 25,000
    imported products) stays out of the developer's system."""
    scratch = Path(tempfile.mkdtemp(prefix="museo-system-"))
    # MUSEO_KAFKA_BROKERS=3: node i listens on the Kafka/controller port + 2i (kafka_cluster.py)
    brokers = int(os.environ.get("MUSEO_KAFKA_BROKERS", "1") or "1")
    kafka = free_ports(2 * brokers) if brokers > 1 else free_port()
    env = {
        "MUSEO_KAFKA_PORT": str(kafka),
        "MUSEO_KAFKA_CONTROLLER_PORT": str(kafka + 1 if brokers > 1 else free_port()),
        "MUSEO_REDIS_PORT": str(free_port()),
        "MUSEO_DATA_DIR": str(scratch),
        "MUSEO_AUTH_STATE_DIR": str(scratch / "auth"),
        "MUSEO_SPOOL_DIR": str(scratch / "spool"),
    }
    return env, scratch


def start_system(
    timeout: float = 240, isolated: bool = False, extra_env: dict[str, str] | None = None
) -> RunningSystem:
    # A loaded machine (a shared CI box) may need longer: MUSEO_SYSTEM_START_TIMEOUT_S raises it.
    timeout = max(timeout, float(os.environ.get("MUSEO_SYSTEM_START_TIMEOUT_S", "0")))
    port = free_port()
    extra, scratch = isolated_env() if isolated else ({}, None)
    extra.update(extra_env or {})
    env = {
        **os.environ,
        "MUSEO_PORT": str(port),
        "MUSEO_METRICS_BASE_PORT": str(free_ports(METRICS_PORTS)),
        "MUSEO_LAUNCHER_PORT": str(free_port()),
        "MUSEO_INSTANCE_ID": f"local-{port}",
        # Own dev helpers too: two systems (a test's and the developer's, or two tests' in a
        # row) sharing Mailpit/the simulator would read each other's mail, and the second would
        # lose its helper when the first stops.
        "MUSEO_MAILPIT_SMTP_PORT": str(free_port()),
        "MUSEO_MAILPIT_HTTP_PORT": str(free_port()),
        "MUSEO_SIM_PORT": str(free_port()),
        **extra,
    }
    if isolated:  # the launcher derives them from its own infra ports
        env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
        env.pop("REDIS_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "deploy.local.launcher"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    system = RunningSystem(f"http://127.0.0.1:{port}", proc, env=env, scratch=scratch)
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            system.stop(timeout=5)
            raise RuntimeError("launcher exited:\n" + "".join(system.output[-40:]))
        system.output.append(line)
        if READY_LINE in line:
            # Keep reading: a launcher whose pipe fills (64 KiB of later log lines) would block
            # on its next write and could no longer supervise, nor stop on Ctrl-C.
            threading.Thread(target=_drain, args=(proc, system.output), daemon=True).start()
            return system
    system.stop(timeout=5)
    raise TimeoutError("launcher not ready:\n" + "".join(system.output[-40:]))


def _drain(proc: subprocess.Popen[str], output: list[str], keep: int = 2000) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        output.append(line)
        if len(output) > keep:
            del output[: len(output) - keep]


@contextmanager
def running_system(
    timeout: float = 240, isolated: bool = False, extra_env: dict[str, str] | None = None
) -> Iterator[RunningSystem]:
    if url := os.environ.get("MUSEO_GATEWAY_URL"):
        yield RunningSystem(url.rstrip("/"), env=dict(os.environ))
        return
    system = start_system(timeout, isolated, extra_env)
    try:
        yield system
    finally:
        system.stop()
