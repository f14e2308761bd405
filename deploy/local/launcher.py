"""`make run`: Kafka, Redis and every service as separate processes; demo catalog; URLs; Ctrl-C.

Infra that already answers on its port is reused and left running; everything this launcher
started is stopped on Ctrl-C (SIGTERM to each process group, SIGKILL after a grace period), so no
process is orphaned.
"""

from __future__ import annotations

import asyncio
import ctypes
import importlib.util
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass

from deploy.local.infra import (
    InfraConfig,
    kafka_command,
    log,
    port_open,
    redis_command,
    wait_kafka,
    wait_redis,
)


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str
    metrics_port: int | None  # the worker's Prometheus port; readiness is read there
    extra_env: tuple[tuple[str, str], ...] = ()


_M = int(os.environ.get("MUSEO_METRICS_BASE_PORT", "9301"))
SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("markets", "services.markets", _M),
    ServiceSpec("mcp_workers", "services.mcp_workers", _M + 1),
    ServiceSpec("user_events", "services.user_events", _M + 2),
    ServiceSpec("recommend", "services.recommend", _M + 3),
    # The gateway's readiness is its public /readyz; MUSEO_METRICS_PORT is its ops listener
    # (/metrics and the detailed /readyz, on 127.0.0.1 only).
    ServiceSpec("gateway", "services.gateway", None, (("MUSEO_METRICS_PORT", str(_M + 4)),)),
)
SEEDERS = ("services.mcp_workers.storefront.seed",)


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the launcher dies, even by SIGKILL, so no
    service, broker or Redis outlives it (Linux prctl PR_SET_PDEATHSIG; elsewhere a no-op)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1
    except OSError:
        pass


def module_exists(name: str) -> bool:
    """True when `name` can be imported; a missing parent package counts as missing."""
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def available(spec: ServiceSpec) -> bool:
    return module_exists(f"{spec.module}.__main__")


class Launcher:
    def __init__(self, cfg: InfraConfig, gateway_port: int) -> None:
        self.cfg = cfg
        self.gateway_port = gateway_port
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.log_dir = cfg.data_dir / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.asyncapi_path = cfg.data_dir / "asyncapi.json"  # docs/ changes only by `make docs`

    def spawn(
        self, name: str, cmd: list[str], env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        out = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - owned by the child
        proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self.procs.append((name, proc))
        return proc

    def service_env(self) -> dict[str, str]:
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.cfg.bootstrap,
            "REDIS_URL": self.cfg.redis_url,
            "MUSEO_PORT": str(self.gateway_port),
            "MUSEO_PUBLIC_BASE_URL": f"http://127.0.0.1:{self.gateway_port}",
            "MUSEO_ASYNCAPI_PATH": str(self.asyncapi_path),
        }

    def start_infra(self) -> None:
        rproc = kproc = None
        if port_open(self.cfg.redis_port):
            log(f"reusing Redis already on :{self.cfg.redis_port}")
        else:
            rproc = self.spawn("redis", redis_command(self.cfg))
        if port_open(self.cfg.kafka_port):
            log(f"reusing Kafka already on :{self.cfg.kafka_port}")
        else:
            kproc = self.spawn("kafka", kafka_command(self.cfg))
        wait_redis(self.cfg, proc=rproc)
        wait_kafka(self.cfg, proc=kproc)
        log("Kafka and Redis ready")
        from libs.contracts.topics import ALL_TOPICS
        from libs.messaging.topics import ensure_topics

        created = asyncio.run(ensure_topics(self.cfg.bootstrap, ALL_TOPICS))
        if created:
            log(f"created {len(created)} topics")
        # Served at /asyncapi, read per request: written in the background (about 3 s of
        # imports), not on the start-up path; not in self.procs, whose exits mean failures.
        subprocess.Popen([sys.executable, "-m", "deploy.asyncapi", str(self.asyncapi_path)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)

    def start_services(self) -> list[ServiceSpec]:
        specs = [s for s in SERVICES if available(s)]
        for spec in specs:
            env = {**self.service_env(), **dict(spec.extra_env)}
            if spec.metrics_port:
                env["MUSEO_METRICS_PORT"] = str(spec.metrics_port)
            self.spawn(spec.name, [sys.executable, "-m", spec.module], env)
        return specs

    def wait_services(self, specs: list[ServiceSpec], timeout: float = 120) -> None:
        pending = {s.name: s for s in specs}
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            for name, spec in list(pending.items()):
                self._check_alive(name)
                if self._ready(spec):
                    log(f"{name} ready")
                    del pending[name]
            time.sleep(0.3)
        if pending:
            raise TimeoutError(
                f"not ready after {timeout:.0f}s: {sorted(pending)}; logs in {self.log_dir}"
            )

    def _check_alive(self, name: str) -> None:
        for pname, proc in self.procs:
            if pname == name and proc.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with {proc.returncode}; see {self.log_dir / (name + '.log')}"
                )

    def _ready(self, spec: ServiceSpec) -> bool:
        url = (
            f"http://127.0.0.1:{self.gateway_port}/readyz"
            if spec.metrics_port is None
            else f"http://127.0.0.1:{spec.metrics_port}/metrics"
        )
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                body = resp.read().decode()
        except OSError:
            return False
        return (
            spec.metrics_port is None or f'museo_worker_ready{{service="{spec.name}"}} 1.0' in body
        )

    def seed(self) -> None:
        for module in SEEDERS:
            if not module_exists(module):
                continue
            log(f"seeding: {module}")
            subprocess.run(
                [sys.executable, "-m", module], env={**os.environ, **self.service_env()}, check=True
            )

    def wait_warm(self, specs: list[ServiceSpec], timeout: float = 180) -> None:
        """After seeding, wait until the services that build models from the catalog answer
        (recommend refits once the demo catalog arrives), so "up" means answering."""
        if not any(s.name == "recommend" for s in specs):
            return
        url = f"http://127.0.0.1:{self.gateway_port}/v1/recommendations?kind=trending&limit=1"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    if resp.status == 200:
                        log("recommendations ready")
                        return
            except OSError:
                pass
            time.sleep(0.5)
        log(f"warning: recommendations still not answering after {timeout:.0f}s; see {self.log_dir}")

    def stop(self) -> None:
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        deadline = time.monotonic() + 20
        for name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            log(f"stopped {name}")

    def banner(self, specs: list[ServiceSpec]) -> None:
        base = f"http://127.0.0.1:{self.gateway_port}"
        lines = [
            "",
            "Museo Commerce is up.",
            f"  Gateway        {base}   (OpenAPI docs: {base}/docs)",
            f"  WebSocket      ws://127.0.0.1:{self.gateway_port}/ws",
            f"  Try            curl '{base}/v1/markets/resolve?phone=%2B33612345678'",
            f"  Storefront     curl '{base}/v1/catalog/search?q=heart'   MCP: {base}/mcp",
            f"  Chat           {base}/  (web page),  museo chat --show-intent,  POST {base}/v1/chat",
            f"  Admin          secret in {self.cfg.data_dir}/auth/museo-admin.secret;  museo admin import FILE",
            f"  Health         {base}/readyz   ops (metrics, readiness details): http://127.0.0.1:{_M + 4}/metrics  /readyz",
            f"  AsyncAPI       {base}/asyncapi",
            f"  Kafka          {self.cfg.bootstrap}   Redis: {self.cfg.redis_url}",
            f"  Services       {', '.join(s.name for s in specs)}",
            f"  Logs           {self.log_dir}",
            "Press Ctrl-C to stop everything.",
            "",
        ]
        print("\n".join(lines), flush=True)


def main() -> int:
    cfg = InfraConfig()
    launcher = Launcher(cfg, int(os.environ.get("MUSEO_PORT", "3300")))
    stop_requested = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        if port_open(launcher.gateway_port):
            raise SystemExit(
                f"port {launcher.gateway_port} is busy: is Museo already running? (set MUSEO_PORT)"
            )
        launcher.start_infra()
        specs = launcher.start_services()
        launcher.wait_services(specs)
        launcher.seed()
        launcher.wait_warm(specs)
        launcher.banner(specs)
        while True:
            for name, proc in launcher.procs:
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"{name} exited with {proc.returncode}; see {launcher.log_dir / (name + '.log')}"
                    )
            time.sleep(1)
    except KeyboardInterrupt:
        log("stopping ...")
        return 0
    except (RuntimeError, TimeoutError) as exc:
        log(f"error: {exc}")
        return 1
    finally:
        launcher.stop()


if __name__ == "__main__":
    raise SystemExit(main())
