"""`make run`: Kafka, Redis and every service as separate processes; demo catalog; URLs; Ctrl-C.

Infra that already answers on its port is reused and left running; everything this launcher
started is supervised (`deploy/local/supervisor.py`: a process that dies is restarted with
backoff, and the system stops only on Ctrl-C or a crash loop) and stopped on Ctrl-C (SIGTERM to
each process group, SIGKILL after a grace period), so no process is orphaned. The launcher's own
`/readyz` and `/metrics` (deaths, restarts) are on MUSEO_LAUNCHER_PORT.
"""

from __future__ import annotations

import asyncio
import http.client
import importlib.util
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from deploy.local import mailpit
from deploy.local.health import HealthServer
from deploy.local.infra import (
    InfraConfig,
    kafka_command,
    log,
    port_open,
    redis_command,
    wait_kafka,
    wait_redis,
)
from deploy.local.jaeger import JaegerPorts, jaeger_command, tracing_enabled
from deploy.local.kafka_cluster import node_command
from deploy.local.kafka_cluster import secure as secure_cluster
from deploy.local.kafka_cluster import service_env as kafka_service_env
from deploy.local.lag import LagCollector
from deploy.local.supervisor import (
    CrashLoop,
    RestartPolicy,
    Supervisor,
    SupervisorMetrics,
    become_subreaper,
    die_with_parent,
    popen_starter,
)


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str
    metrics_port: int | None  # the worker's Prometheus port; readiness is read there
    extra_env: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class HelperSpec:
    """A dev helper (not a service), supervised; reused when its port already answers."""

    name: str
    command: Callable[[InfraConfig], list[str]]
    port: int


_SIM = int(os.environ.get("MUSEO_SIM_PORT", "8089"))
_SIM_URL = f"http://127.0.0.1:{_SIM}"
DEV_HELPERS: tuple[HelperSpec, ...] = (
    HelperSpec("mailpit", mailpit.mailpit_command, mailpit.HTTP_PORT),
    HelperSpec("provider_sim", lambda _cfg: [sys.executable, "-m", "deploy.local.provider_sim"],
               _SIM),
)
_M = int(os.environ.get("MUSEO_METRICS_BASE_PORT", "9301"))
SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("markets", "services.markets", _M),
    ServiceSpec("mcp_workers", "services.mcp_workers", _M + 1),
    ServiceSpec("user_events", "services.user_events", _M + 2),
    ServiceSpec("recommend", "services.recommend", _M + 3),
    ServiceSpec("chat", "services.chat", _M + 4),
    ServiceSpec("notifications", "services.notifications", _M + 5, (
        ("MUSEO_SMTP_PORT", str(mailpit.SMTP_PORT)), ("MUSEO_TWILIO_BASE_URL", _SIM_URL),
        ("MUSEO_WHATSAPP_BASE_URL", _SIM_URL),
        ("MUSEO_FALLBACK", '{"EU": ["whatsapp", "sms", "email"]}'))),
    # The gateway's readiness is its public /readyz; MUSEO_METRICS_PORT is its ops listener
    # (/metrics and the detailed /readyz, on 127.0.0.1 only).
    ServiceSpec("gateway", "services.gateway", None, (("MUSEO_METRICS_PORT", str(_M + 6)),)),
    # The WhatsApp chat channel answers through the simulator's Graph API in development.
    ServiceSpec("whatsapp", "services.whatsapp", _M + 7, (("MUSEO_WHATSAPP_BASE_URL", _SIM_URL),)),
)
SEEDERS = ("services.mcp_workers.storefront.seed",)


def module_exists(name: str) -> bool:
    """True when `name` can be imported; a missing parent package counts as missing."""
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def available(spec: ServiceSpec) -> bool:
    return module_exists(f"{spec.module}.__main__")


def http_ok(url: str, needle: str | None = None, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return needle is None or needle in resp.read().decode()
    except (OSError, http.client.HTTPException):
        # HTTPException: a port in the ephemeral range with nothing listening can connect to
        # itself (TCP simultaneous open) and echo the request back: not ready, not a crash.
        return False


class Launcher:
    def __init__(self, cfg: InfraConfig, gateway_port: int, health_port: int = 0) -> None:
        self.cfg = cfg
        self.gateway_port = gateway_port
        self.log_dir = cfg.data_dir / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.asyncapi_path = cfg.data_dir / "asyncapi.json"  # docs/ changes only by `make docs`
        self.metrics = SupervisorMetrics()
        self.supervisor = Supervisor(RestartPolicy.from_env(), self.metrics, log)
        self.health = HealthServer(self.metrics.registry, health_port)
        self.specs: dict[str, ServiceSpec] = {}
        self.ready: dict[str, bool] = {}
        self.announced: dict[str, int] = {}  # restart count at the last "ready" line
        self.jaeger = JaegerPorts() if tracing_enabled() else None
        self.helpers: set[int] = set()
        self.lag: LagCollector | None = None

    @property
    def procs(self) -> list[tuple[str, subprocess.Popen[bytes]]]:
        return self.supervisor.procs()

    def spawn(self, name: str, cmd: list[str] | None = None, env: dict[str, str] | None = None,
              command: Callable[[], list[str]] | None = None) -> subprocess.Popen[bytes]:
        """Start `name` under supervision; `command` rebuilds the command line on each restart
        (Kafka's writes its config), else `cmd` is reused. Output goes to logs/<name>.log."""
        starter = popen_starter(command or (lambda: list(cmd or [])), env,
                                self.log_dir / f"{name}.log")
        return self.supervisor.add(name, starter)

    def service_env(self) -> dict[str, str]:
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.cfg.bootstrap,
            "REDIS_URL": self.cfg.redis_url,
            "MUSEO_PORT": str(self.gateway_port),
            "MUSEO_PUBLIC_BASE_URL": f"http://127.0.0.1:{self.gateway_port}",
            "MUSEO_ASYNCAPI_PATH": str(self.asyncapi_path),
            **(self.jaeger.service_env() if self.jaeger else {}),
            # A local run is a dev run (test-mode payments allowed) unless told otherwise.
            "MUSEO_ENV": os.environ.get("MUSEO_ENV", "dev"),
            "MUSEO_SIM_WHATSAPP_WEBHOOK_URL":
                f"http://127.0.0.1:{self.gateway_port}/webhooks/whatsapp",
            "MUSEO_SIM_TWILIO_INBOUND_URL":
                f"http://127.0.0.1:{self.gateway_port}/webhooks/twilio/inbound",
            # Bytecode cached outside the work tree (the Makefile forbids __pycache__ there):
            # a restarted service loads compiled modules instead of compiling FastStream,
            # pydantic, FastAPI, scikit-learn... from source again, which halves its import CPU.
            "PYTHONDONTWRITEBYTECODE": "",
            "PYTHONPYCACHEPREFIX": str(self.cfg.cache_dir / "pycache"),
        }

    def start_tracing(self, timeout: float = 60) -> None:
        """Jaeger first, so the services' first spans have somewhere to go."""
        if self.jaeger is None:
            return
        ports = self.jaeger
        self.spawn("jaeger", command=lambda: jaeger_command(self.cfg, ports))
        deadline = time.monotonic() + timeout
        while not self.is_ready("jaeger"):
            self.supervisor.poll()
            if time.monotonic() > deadline:
                raise TimeoutError(f"Jaeger not healthy after {timeout:.0f}s; see "
                                   f"{self.log_dir / 'jaeger.log'}")
            time.sleep(0.3)
        log(f"Jaeger ready: UI and query API {ports.ui_url}")

    def start_infra(self) -> None:
        rproc = kproc = None
        if port_open(self.cfg.redis_port):
            log(f"reusing Redis already on :{self.cfg.redis_port}")
        else:
            rproc = self.spawn("redis", command=lambda: redis_command(self.cfg))
        if self.cfg.secured:  # three nodes, each supervised (a killed broker comes back)
            for i, port in enumerate(self.cfg.kafka_ports):
                if port_open(port):
                    log(f"reusing Kafka node already on :{port}")
                else:
                    self.spawn(f"kafka-{i}",
                               command=lambda i=i: node_command(self.cfg, i))  # type: ignore[misc]
        elif port_open(self.cfg.kafka_port):
            log(f"reusing Kafka already on :{self.cfg.kafka_port}")
        else:
            kproc = self.spawn("kafka", command=lambda: kafka_command(self.cfg))
        for helper in DEV_HELPERS:  # Mailpit and the provider simulator (notifications)
            if port_open(helper.port):
                log(f"reusing {helper.name} already on :{helper.port}")
            else:
                self.spawn(helper.name, env=self.service_env(),
                           command=lambda h=helper: h.command(self.cfg))  # type: ignore[misc]
        wait_redis(self.cfg, proc=rproc)
        wait_kafka(self.cfg, proc=kproc)
        if self.cfg.secured:
            asyncio.run(secure_cluster(self.cfg))  # the ACLs of libs/contracts/access.py
        log("Kafka and Redis ready")
        from libs.contracts.topics import ALL_TOPICS
        from libs.messaging.topics import ensure_topics

        created = asyncio.run(ensure_topics(self.cfg.bootstrap, ALL_TOPICS,
                                            auth=self.cfg.admin_kwargs(),
                                            replication_factor=min(self.cfg.kafka_brokers, 3)))
        if created:
            log(f"created {len(created)} topics")
        self.lag = LagCollector(self.cfg.bootstrap,
                                float(os.environ.get("MUSEO_LAG_INTERVAL_S", "15")),
                                auth=self.cfg.admin_kwargs())
        self.metrics.registry.register(self.lag)  # kafka_consumergroup_lag, as Kafka Exporter
        self.lag.start()
        # Served at /asyncapi, read per request: written in the background (about 3 s of
        # imports), not on the start-up path; not supervised: it exits when done.
        writer = subprocess.Popen([sys.executable, "-m", "deploy.asyncapi",
                                   str(self.asyncapi_path)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                  preexec_fn=die_with_parent)
        self.helpers.add(writer.pid)  # ours, not an orphan to stop

    def wait_helpers(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        for helper in DEV_HELPERS:
            while not port_open(helper.port):
                self.supervisor.poll()
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{helper.name} not answering on :{helper.port}; see "
                                       f"{self.log_dir / (helper.name + '.log')}")
                time.sleep(0.2)

    def start_services(self) -> list[ServiceSpec]:
        specs = [s for s in SERVICES if available(s)]
        for spec in specs:
            env = {**self.service_env(), **dict(spec.extra_env), **self.kafka_user(spec.name)}
            if spec.metrics_port:
                env["MUSEO_METRICS_PORT"] = str(spec.metrics_port)
            # Stable across this child's restarts: its consumer groups take it back at once
            # (static membership) instead of waiting out the killed process's session.
            env["MUSEO_GROUP_INSTANCE_ID"] = f"{spec.name}@{socket.gethostname()}:{self.gateway_port}"
            if spec.name == "gateway":  # the admin page's live panel reads these
                env["MUSEO_ADMIN_METRICS_SOURCES"] = json.dumps(self.metrics_sources(specs))
            self.specs[spec.name] = spec
            self.spawn(spec.name, [sys.executable, "-m", spec.module], env)
        return specs

    def kafka_user(self, name: str) -> dict[str, str]:
        """In the 3-broker mode, the service's own SCRAM user (its ACLs: access.py)."""
        return kafka_service_env(self.cfg, name) if self.cfg.secured else {}

    def wait_services(self, specs: list[ServiceSpec], timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        pending = [s.name for s in specs]
        while time.monotonic() < deadline:
            self.supervisor.poll()  # a crash during start-up is restarted too (or loops out)
            pending = [s.name for s in specs if not self.check_ready(s.name)]
            if not pending:
                return
            time.sleep(0.3)
        raise TimeoutError(
            f"not ready after {timeout:.0f}s: {sorted(pending)}; logs in {self.log_dir}"
        )

    def is_ready(self, name: str) -> bool:
        """One health check: a worker's readiness gauge, the gateway's /readyz, infra ports."""
        if not self.supervisor.running(name):
            return False
        if name == "kafka":
            return port_open(self.cfg.kafka_port)
        if name.startswith("kafka-"):
            return port_open(self.cfg.kafka_ports[int(name.split("-")[1])])
        if name == "redis":
            return port_open(self.cfg.redis_port)
        if (helper := next((h for h in DEV_HELPERS if h.name == name), None)) is not None:
            return port_open(helper.port)
        if name == "jaeger" and self.jaeger is not None:
            return http_ok(f"{self.jaeger.ui_url}/api/services")
        spec = self.specs[name]
        if spec.metrics_port is None:
            return http_ok(f"http://127.0.0.1:{self.gateway_port}/readyz")
        return http_ok(f"http://127.0.0.1:{spec.metrics_port}/metrics",
                       f'museo_worker_ready{{service="{name}"}} 1.0')

    def check_ready(self, name: str) -> bool:
        ready = self.is_ready(name)
        if ready != self.ready.get(name):
            child = self.supervisor.children[name]
            # Said once per start: a probe that times out on a busy machine must not flood
            # the terminal with "ready" each time it answers again.
            if ready and self.announced.get(name) != child.restarts:
                again = f" again ({time.monotonic() - child.started_at:.1f}s after its restart)"
                log(f"{name} ready{again if child.restarts else ''}")
                self.announced[name] = child.restarts
            self.ready[name] = ready
            self.metrics.ready.labels(name).set(int(ready))
        return ready

    def refresh_health(self) -> None:
        snapshot = {}
        for name, child in self.supervisor.children.items():
            snapshot[name] = {
                "ready": self.check_ready(name),
                "pid": child.proc.pid,
                "restarts": child.restarts,
                "state": "restarting" if child.restart_at is not None else "running",
                "metrics": self.metrics_url(name),
            }
        self.health.snapshot = snapshot

    def metrics_sources(self, specs: list[ServiceSpec]) -> dict[str, str]:
        """Every worker's Prometheus endpoint, and the launcher's (consumer lag)."""
        urls = {s.name: f"http://127.0.0.1:{s.metrics_port}/metrics" for s in specs
                if s.metrics_port}
        return {**urls, "launcher": f"http://127.0.0.1:{self.health.port}/metrics"}

    def metrics_url(self, name: str) -> str | None:
        """Where a Prometheus server would scrape this process (None: Kafka, Redis)."""
        spec = self.specs.get(name)
        if spec is None:
            return None
        port = spec.metrics_port or int(dict(spec.extra_env).get("MUSEO_METRICS_PORT", 0))
        # the gateway serves /metrics on its ops listener (MUSEO_METRICS_PORT), not publicly
        return f"http://127.0.0.1:{port or self.gateway_port}/metrics"

    def supervise(self) -> None:
        """Until Ctrl-C: repair deaths (poll every 0.3 s), refresh readiness every second."""
        last = swept = 0.0
        while True:
            changed = self.supervisor.poll()
            if changed or time.monotonic() - last >= 1.0:  # a death shows at once in /readyz
                self.refresh_health()
                last = time.monotonic()
            if changed or time.monotonic() - swept >= 5.0:  # a dead child's leftovers
                self.supervisor.reap_orphans(self.helpers)
                swept = time.monotonic()
            time.sleep(0.3)

    def seed(self) -> None:
        for module in SEEDERS:
            if not module_exists(module):
                continue
            log(f"seeding: {module}")
            subprocess.run(
                [sys.executable, "-m", module],  # the catalog is mcp_workers' to write
                env={**os.environ, **self.service_env(), **self.kafka_user("mcp_workers")},
                check=True,
            )

    def wait_warm(self, specs: list[ServiceSpec], timeout: float = 180) -> None:
        """After seeding, wait until the services that build models from the catalog answer
        (recommend refits once the demo catalog arrives), so "up" means answering."""
        if not any(s.name == "recommend" for s in specs):
            return
        url = f"http://127.0.0.1:{self.gateway_port}/v1/recommendations?kind=trending&limit=1"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.supervisor.poll()
            if http_ok(url, timeout=5):
                log("recommendations ready")
                return
            time.sleep(0.5)
        log(f"warning: recommendations still not answering after {timeout:.0f}s; see {self.log_dir}")

    def stop(self) -> None:
        started = time.monotonic()
        self.health.phase = "stopping"
        if self.lag is not None:
            self.lag.stop()
        procs = self.procs
        for _name, proc in reversed(procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        deadline = time.monotonic() + 20
        for name, proc in reversed(procs):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            log(f"stopped {name}")
        self.supervisor.reap_orphans(self.helpers)
        self.health.stop()
        log(f"everything stopped in {time.monotonic() - started:.1f}s")

    def banner(self, specs: list[ServiceSpec]) -> None:
        base = f"http://127.0.0.1:{self.gateway_port}"
        health = f"http://127.0.0.1:{self.health.port}"
        lines = [
            "",
            "Museo Commerce is up.",
            f"  Gateway        {base}   (OpenAPI docs: {base}/docs)",
            f"  WebSocket      ws://127.0.0.1:{self.gateway_port}/ws",
            f"  Try            curl '{base}/v1/markets/resolve?phone=%2B33612345678'",
            f"  Storefront     curl '{base}/v1/catalog/search?q=heart'   MCP: {base}/mcp",
            f"  Chat           {base}/  (web page),  museo chat --show-intent,  POST {base}/v1/chat",
            f"  Admin          secret in {self.cfg.data_dir}/auth/museo-admin.secret;  museo admin import FILE",
            f"  Health         {base}/readyz   ops (metrics, readiness details): http://127.0.0.1:{_M + 6}/metrics  /readyz",
            f"  AsyncAPI       {base}/asyncapi",
            f"  Launcher       {health}/readyz (every process)   restarts: {health}/metrics",
            f"  Kafka          {self.cfg.bootstrap}   Redis: {self.cfg.redis_address} "
            f"(password: {self.cfg.redis_password_source})",
            f"  Mail (Mailpit) http://127.0.0.1:{mailpit.HTTP_PORT}   (SMTP :{mailpit.SMTP_PORT})"
            f"   Twilio/WhatsApp simulator: {_SIM_URL}/_sim/messages",
            *whatsapp_lines(base),
            *([f"  Traces         {self.jaeger.ui_url}  (Jaeger: search by service; "
               f"OTLP in at {self.jaeger.otlp_url})"] if self.jaeger else []),
            f"  Services       {', '.join(s.name for s in specs)}",
            f"  Logs           {self.log_dir}",
            "Press Ctrl-C to stop everything.",
            "",
        ]
        print("\n".join(lines), flush=True)


def whatsapp_lines(base: str) -> list[str]:
    """The WhatsApp dev settings: what to paste into Meta's webhook form (or a tunnel's), and
    where the app secret that signs the webhooks lives (its value is never printed)."""
    from libs.dev_secrets import data_dir, dev_secret

    token = dev_secret("MUSEO_WHATSAPP_VERIFY_TOKEN", "whatsapp-verify.token")
    secret = ("MUSEO_WHATSAPP_APP_SECRET" if os.environ.get("MUSEO_WHATSAPP_APP_SECRET")
              else str(data_dir() / "whatsapp-app.secret"))
    return [
        f"  WhatsApp       webhook {base}/webhooks/whatsapp   verify token: {token}",
        f"                 app secret: {secret}   Graph API: {_SIM_URL} (simulator; "
        f"a customer writes: POST {_SIM_URL}/_sim/whatsapp/inbound)",
    ]


def main() -> int:
    cfg = InfraConfig()
    gateway_port = int(os.environ.get("MUSEO_PORT", "3300"))
    if port_open(gateway_port):
        log(f"error: port {gateway_port} is busy: is Museo already running? (set MUSEO_PORT)")
        return 1
    health_port = int(os.environ.get("MUSEO_LAUNCHER_PORT", "9300"))
    try:
        launcher = Launcher(cfg, gateway_port, health_port)
    except OSError as exc:
        log(f"error: launcher health port {health_port}: {exc} (set MUSEO_LAUNCHER_PORT)")
        return 1

    def on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    # Library warnings (aiokafka in the lag reader, asyncio) go to a file, not the terminal.
    logging.basicConfig(level=logging.WARNING, filename=launcher.log_dir / "launcher.log",
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    become_subreaper()
    launcher.health.start()
    try:
        launcher.start_infra()
        launcher.start_tracing()
        launcher.wait_helpers()
        specs = launcher.start_services()
        # recommend is ready after its first model fit (4,000 products x 500k interactions:
        # ~15 s on a quiet 2-core box, over a minute on a busy one): a slow start is waited for.
        launcher.wait_services(specs, float(os.environ.get("MUSEO_SERVICES_TIMEOUT_S", "300")))
        launcher.seed()
        launcher.wait_warm(specs)
        launcher.refresh_health()
        launcher.health.phase = "up"
        launcher.banner(specs)
        launcher.supervise()
    except KeyboardInterrupt:
        log("stopping (Ctrl-C) ...")
        return 0
    except CrashLoop as exc:
        log(f"error: {exc}; stopping everything. See {launcher.log_dir}")
        return 1
    except (RuntimeError, TimeoutError) as exc:
        log(f"error: {exc}")
        return 1
    finally:
        launcher.stop()
    return 0


if __name__ == "__main__":
    code = main()
    # Every child is stopped: exit now rather than wait in interpreter finalisation for the
    # daemon threads (health server, lag reader) and any executor they started.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
