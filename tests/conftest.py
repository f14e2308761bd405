"""Where tests find Kafka and Redis.

`KAFKA_BOOTSTRAP_SERVERS` / `REDIS_URL` win; else, where a Docker engine answers, testcontainers
starts them; else the project's own local broker and Redis (deploy/local) are started (or reused
when they already answer on their ports).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest

# Tests run as a local dev run does (the launcher's default): dev-only shortcuts such as the
# test-mode payment provider are allowed; tests of the production refusals set it themselves.
os.environ.setdefault("MUSEO_ENV", "dev")


def _docker_available() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0


@pytest.fixture(scope="session")
def infra() -> Iterator[dict[str, str]]:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    redis_url = os.environ.get("REDIS_URL")
    if bootstrap and redis_url:
        yield {"kafka": bootstrap, "redis": redis_url}
        return
    if _docker_available():  # pragma: no cover - no Docker engine on the project's machines
        from testcontainers.kafka import KafkaContainer
        from testcontainers.redis import RedisContainer

        with KafkaContainer().with_kraft() as kafka, RedisContainer() as redis_c:
            host, port = redis_c.get_container_host_ip(), redis_c.get_exposed_port(6379)
            yield {"kafka": kafka.get_bootstrap_server(), "redis": f"redis://{host}:{port}/0"}
        return
    from deploy.local.infra import InfraConfig, down, up

    cfg = InfraConfig()
    started = up(cfg)
    yield {"kafka": cfg.bootstrap, "redis": cfg.redis_url}
    down(cfg, only=started)  # leave alone what was already running (e.g. `make run`)


@pytest.fixture(scope="session")
def kafka_bootstrap(infra: dict[str, str]) -> str:
    return infra["kafka"]


@pytest.fixture(scope="session")
def redis_url(infra: dict[str, str]) -> str:
    return infra["redis"]


# Known defects, each marked in one place with its cause so the rest of the suite gates CI.
# A new entry needs a reason and a fix planned for the next session.
KNOWN_FAILURES: dict[str, str] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        reason = KNOWN_FAILURES.get(item.nodeid)
        if reason:
            item.add_marker(pytest.mark.xfail(reason=f"known defect: {reason}", strict=False))
