"""The whole system as `make run` starts it: the launcher, on free ports, against the test infra."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deploy.local.infra import InfraConfig
from deploy.local.system import RunningSystem, start_system

System = RunningSystem  # the whole system, as `make run` starts it


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def trace_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every process of the e2e system appends its spans here (MUSEO_TRACE_FILE)."""
    return tmp_path_factory.mktemp("traces") / "spans.jsonl"


def tracing_env() -> dict[str, str]:
    """Jaeger on free ports when its binary is cached (test_jaeger.py); nothing otherwise."""
    from deploy.local.system import free_port
    from deploy.local.tools import JAEGER

    if not JAEGER.path(InfraConfig()).exists():
        return {}
    names = ("UI", "OTLP", "GRPC", "HEALTH")
    return {"MUSEO_TRACING": "1", **{f"MUSEO_JAEGER_{n}_PORT": str(free_port()) for n in names}}


@pytest.fixture(scope="session")
def system(infra: dict[str, str], trace_file: Path) -> Iterator[System]:
    try:
        running = start_system(timeout=420, extra_env={"MUSEO_TRACE_FILE": str(trace_file),
                                                       **tracing_env()})
    except (RuntimeError, TimeoutError) as exc:
        pytest.fail(str(exc))
    yield running
    running.stop()


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
    resp = httpx.post(
        f"{system.base_url}/oauth/token",
        auth=("museo-admin", secret),
        data={"grant_type": "client_credentials"},
        timeout=20,
    )
    assert resp.status_code == 200, resp.text
    return {"authorization": f"Bearer {resp.json()['access_token']}"}
