"""Local Kafka (KRaft, single node, jars from Maven Central) and Redis (Debian's redis-server).

No Docker on these machines, so the broker runs straight from the jars Maven fetched into a cache
folder. `python -m deploy.local.infra up|down|status|install` is what the Makefile and the test
fixtures call; the launcher uses the same functions and owns the processes itself.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from libs.dev_secrets import REDIS_PASSWORD_ENV, REDIS_PASSWORD_FILE, dev_secret, local_redis_url

ROOT = Path(__file__).resolve().parents[2]
KAFKA_VERSION = "4.3.1"


def _env_path(name: str, default: Path) -> Path:
    return Path(os.environ.get(name, str(default))).resolve()


@dataclass(frozen=True)
class InfraConfig:
    """Ports and folders; every one is configurable by environment."""

    kafka_port: int = field(default_factory=lambda: int(os.environ.get("MUSEO_KAFKA_PORT", "9092")))
    controller_port: int = field(
        default_factory=lambda: int(os.environ.get("MUSEO_KAFKA_CONTROLLER_PORT", "9093"))
    )
    redis_port: int = field(default_factory=lambda: int(os.environ.get("MUSEO_REDIS_PORT", "6379")))
    cache_dir: Path = field(default_factory=lambda: _env_path("MUSEO_CACHE_DIR", ROOT / ".local"))
    data_dir: Path = field(
        default_factory=lambda: _env_path("MUSEO_DATA_DIR", ROOT / ".local/data")
    )
    kafka_heap: str = field(default_factory=lambda: os.environ.get("MUSEO_KAFKA_HEAP", "512m"))
    #: 1 (default: one PLAINTEXT node) or 3 (three SASL/SCRAM nodes with ACLs, RF 3, min ISR
    #: 2; node i on kafka_port + 2i and controller_port + 2i: deploy/local/kafka_cluster.py)
    kafka_brokers: int = field(
        default_factory=lambda: int(os.environ.get("MUSEO_KAFKA_BROKERS", "1") or "1")
    )

    @property
    def kafka_home(self) -> Path:
        return self.cache_dir / f"kafka-{KAFKA_VERSION}"

    @property
    def run_dir(self) -> Path:
        return self.data_dir / "run"

    @property
    def secured(self) -> bool:
        """The 3-broker mode: SASL/SCRAM, ACLs, replication 3."""
        return self.kafka_brokers > 1

    @property
    def kafka_ports(self) -> list[int]:
        return [self.kafka_port + 2 * i for i in range(self.kafka_brokers)]

    @property
    def bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{p}" for p in self.kafka_ports)

    def admin_kwargs(self) -> dict[str, str]:
        """aiokafka credentials of the super user in the 3-broker mode; none with one broker."""
        if not self.secured:
            return {}
        from deploy.local.kafka_cluster import client_kwargs

        return client_kwargs(self, "admin")

    @property
    def redis_url(self) -> str:
        """What clients connect with: the password is in it (never print this; see below)."""
        return local_redis_url(self.redis_port, self.data_dir)

    @property
    def redis_address(self) -> str:
        """The Redis URL without its password, for banners and messages."""
        return f"redis://127.0.0.1:{self.redis_port}/0"

    @property
    def redis_password(self) -> str:
        return dev_secret(REDIS_PASSWORD_ENV, REDIS_PASSWORD_FILE, folder=self.data_dir)

    @property
    def redis_password_source(self) -> str:
        if os.environ.get(REDIS_PASSWORD_ENV, "").strip():
            return REDIS_PASSWORD_ENV
        return str(self.data_dir / REDIS_PASSWORD_FILE)


def log(msg: str) -> None:
    print(f"[infra] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- install


def ensure_kafka_jars(cfg: InfraConfig) -> Path:
    lib = cfg.kafka_home / "lib"
    if lib.is_dir() and any(lib.glob("kafka_2.13-*.jar")):
        return lib
    if not shutil.which("mvn") or not shutil.which("java"):
        _apt_install("openjdk-17-jre-headless", "maven")
    log(f"fetching Apache Kafka {KAFKA_VERSION} jars from Maven Central into {lib} ...")
    tmp = lib.with_name("lib.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(ROOT / "deploy/local/pom.xml"),
            f"-Dkafka.version={KAFKA_VERSION}",
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={tmp}",
        ],
        check=True,
    )
    tmp.rename(lib)
    return lib


def _apt_install(*packages: str) -> None:
    if os.geteuid() != 0:
        raise SystemExit(f"missing system packages: sudo apt-get install -y {' '.join(packages)}")
    log(f"installing Debian packages: {' '.join(packages)} ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["apt-get", "install", "-y", "-qq", *packages]
    if subprocess.run(cmd, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(cmd, env=env, check=True)


def ensure_redis_server() -> str:
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if found:
        return found
    _apt_install("redis-server")
    # Debian starts a system redis on 6379 after install; ours is started by us, on our port.
    subprocess.run(["service", "redis-server", "stop"], capture_output=True)
    return "/usr/bin/redis-server"


def ensure_chromium() -> str:
    """Debian's chromium, which the browser tests drive through Playwright (no browser download)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    _apt_install("chromium")
    return "/usr/bin/chromium"


# ---------------------------------------------------------------- kafka


def _kafka_properties(cfg: InfraConfig, log_dir: Path) -> str:
    return f"""process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:{cfg.controller_port}
listeners=PLAINTEXT://127.0.0.1:{cfg.kafka_port},CONTROLLER://127.0.0.1:{cfg.controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{cfg.kafka_port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs={log_dir}
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
log.cleaner.backoff.ms=5000
"""


_LOG4J = """status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = {log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = {level}
rootLogger.appenderRef.file.ref = file
"""


def kafka_java(cfg: InfraConfig, kdir: Path, heap: str) -> list[str]:
    """`java ... -cp lib/*` for a node living in `kdir` (its logs and log4j config there)."""
    lib = ensure_kafka_jars(cfg)
    logs = kdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    l4j = kdir / "log4j2.properties"
    l4j.write_text(
        _LOG4J.format(
            log=logs / "server.log", level=os.environ.get("MUSEO_KAFKA_LOG_LEVEL", "INFO")
        )
    )
    return [
        "java",
        "-Xms128m",
        f"-Xmx{heap}",
        "-XX:+UseG1GC",
        "-XX:TieredStopAtLevel=1",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={l4j}",
        f"-Dkafka.logs.dir={logs}",
        "-cp",
        f"{lib}/*",
    ]


def kafka_command(cfg: InfraConfig) -> list[str]:
    kdir = cfg.data_dir / f"kafka-{cfg.kafka_port}"
    java = kafka_java(cfg, kdir, cfg.kafka_heap)
    props = kdir / "server.properties"
    props.write_text(_kafka_properties(cfg, kdir / "data"))
    if not (kdir / "data" / "meta.properties").exists():
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        log(f"formatting KRaft storage in {kdir / 'data'}")
        subprocess.run(
            [
                *java,
                "kafka.tools.StorageTool",
                "format",
                "--standalone",
                "-t",
                cluster_id,
                "-c",
                str(props),
            ],
            check=True,
            capture_output=True,
        )
    return [*java, "kafka.Kafka", str(props)]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex((host, port)) == 0


async def _kafka_metadata_ok(bootstrap: str, **auth: str) -> bool:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000, **auth)
    try:
        await admin.start()
        await admin.list_topics()
        return True
    except Exception:
        return False
    finally:
        await admin.close()


def wait_kafka(
    cfg: InfraConfig, timeout: float = 90.0, proc: subprocess.Popen[bytes] | None = None
) -> None:
    """Readiness: the port answers, then a metadata call succeeds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(
                f"Kafka exited with {proc.returncode}; see {cfg.data_dir}/kafka-{cfg.kafka_port}/logs/server.log"
            )
        if all(port_open(p) for p in cfg.kafka_ports) and asyncio.run(
            _kafka_metadata_ok(cfg.bootstrap, **cfg.admin_kwargs())
        ):
            return
        time.sleep(0.3)
    raise TimeoutError(f"Kafka did not answer on {cfg.bootstrap} within {timeout:.0f}s")


# ---------------------------------------------------------------- redis


def _redis_config(cfg: InfraConfig, rdir: Path) -> Path:
    """The password goes in a 0600 file, not on the command line (which `ps` shows anyone).
    With a password set, protected mode (on by default, never turned off here) lets clients
    in only after AUTH."""
    conf = rdir / "redis.conf"
    conf.unlink(missing_ok=True)
    fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(f"requirepass {json.dumps(cfg.redis_password, ensure_ascii=False)}\n")
    return conf


def redis_command(cfg: InfraConfig) -> list[str]:
    binary = ensure_redis_server()
    rdir = cfg.data_dir / f"redis-{cfg.redis_port}"
    rdir.mkdir(parents=True, exist_ok=True)
    return [
        binary,
        str(_redis_config(cfg, rdir)),
        "--protected-mode",
        "yes",
        "--port",
        str(cfg.redis_port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(rdir),
        "--appendonly",
        "yes",
        "--save",
        "",
        "--daemonize",
        "no",
        "--loglevel",
        "warning",
        "--logfile",
        str(rdir / "redis.log"),
    ]


def redis_auth_problem(cfg: InfraConfig, error: Exception | None) -> str:
    """What to do when the Redis on our port is not the one we would start: one from before
    Redis required a password (`up` and the launcher reuse whatever answers on the port; it
    takes any password, so only a client without one tells), or one with another password."""
    where = f"the Redis on {cfg.redis_address}"
    fix = (f"stop it (`make infra-down`, or end that redis-server process) and start again: "
           f"it comes back requiring the password from {cfg.redis_password_source}")
    if error is None or "without any password" in str(error) or "no password is set" in str(
        error
    ):
        return f"{where} runs without a password (started before Redis required one?): {fix}"
    return (f"{where} refuses the password from {cfg.redis_password_source} ({error}); it was "
            f"started with another one (another data folder, or {REDIS_PASSWORD_ENV} changed): "
            f"{fix}")


def redis_lets_anyone_in(cfg: InfraConfig) -> bool:
    """True when a client without a password is served (a passwordless server)."""
    import redis

    try:
        return bool(redis.Redis(port=cfg.redis_port, socket_timeout=0.5).ping())
    except redis.AuthenticationError:
        return False


def wait_redis(
    cfg: InfraConfig, timeout: float = 20.0, proc: subprocess.Popen[bytes] | None = None
) -> None:
    import redis

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"redis-server exited with {proc.returncode}")
        try:
            if redis.Redis.from_url(cfg.redis_url, socket_timeout=0.5).ping():
                if redis_lets_anyone_in(cfg):
                    raise RuntimeError(redis_auth_problem(cfg, None))
                return
        except redis.AuthenticationError as exc:
            raise RuntimeError(redis_auth_problem(cfg, exc)) from None
        except redis.RedisError:
            time.sleep(0.1)
    raise TimeoutError(f"Redis did not answer on {cfg.redis_address} within {timeout:.0f}s")


# ---------------------------------------------------------------- detached up/down


def spawn(cmd: list[str], name: str, cfg: InfraConfig) -> subprocess.Popen[bytes]:
    cfg.run_dir.mkdir(parents=True, exist_ok=True)
    out = open(cfg.run_dir / f"{name}.out", "ab")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(
        cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
    )
    (cfg.run_dir / f"{name}.pid").write_text(str(proc.pid))
    return proc


def up(cfg: InfraConfig | None = None) -> list[str]:
    """Start Kafka and Redis in the background unless something already answers on the ports.

    Returns the names of what it started (for `down(cfg, only=...)`)."""
    cfg = cfg or InfraConfig()
    kproc = rproc = None
    started = []
    if not port_open(cfg.redis_port):
        rproc = spawn(redis_command(cfg), f"redis-{cfg.redis_port}", cfg)
        started.append(f"redis-{cfg.redis_port}")
    if cfg.secured:
        from deploy.local.kafka_cluster import node_command, secure

        for i, port in enumerate(cfg.kafka_ports):
            if not port_open(port):
                spawn(node_command(cfg, i), f"kafka-{port}", cfg)
                started.append(f"kafka-{port}")
    elif not port_open(cfg.kafka_port):
        kproc = spawn(kafka_command(cfg), f"kafka-{cfg.kafka_port}", cfg)
        started.append(f"kafka-{cfg.kafka_port}")
    wait_redis(cfg, proc=rproc)
    log(f"Redis ready on {cfg.redis_address} (password: {cfg.redis_password_source})")
    wait_kafka(cfg, proc=kproc)
    if cfg.secured:
        asyncio.run(secure(cfg))
    log(f"Kafka ready on {cfg.bootstrap}")
    return started


def _stop_pidfile(pidfile: Path, timeout: float = 20.0) -> None:
    try:
        pid = int(pidfile.read_text())
    except (OSError, ValueError):
        return
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pidfile.unlink(missing_ok=True)
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.killpg(pid, signal.SIGKILL)
    pidfile.unlink(missing_ok=True)


def down(cfg: InfraConfig | None = None, only: list[str] | None = None) -> None:
    cfg = cfg or InfraConfig()
    for name in (
        only if only is not None
        else (*(f"kafka-{p}" for p in cfg.kafka_ports), f"redis-{cfg.redis_port}")
    ):
        _stop_pidfile(cfg.run_dir / f"{name}.pid")
        log(f"stopped {name}")


def main(argv: list[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "status"
    cfg = InfraConfig()
    if cmd == "install":
        from deploy.local.mailpit import ensure_mailpit  # dev SMTP server (notifications)

        ensure_kafka_jars(cfg)
        ensure_redis_server()
        ensure_mailpit(cfg)
        ensure_chromium()
        from deploy.local.stripe_mock import ensure_stripe_mock

        ensure_stripe_mock(cfg)
    elif cmd == "up":
        up(cfg)
    elif cmd == "down":
        down(cfg)
    elif cmd == "status":
        for port in cfg.kafka_ports:
            print(f"kafka 127.0.0.1:{port}: {'up' if port_open(port) else 'down'}")
        print(f"redis {cfg.redis_address}: {'up' if port_open(cfg.redis_port) else 'down'}")
    else:
        print("usage: python -m deploy.local.infra install|up|down|status", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
