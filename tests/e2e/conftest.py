"""The whole system as `make run` starts it: the launcher, on free ports, against the test infra."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

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


@pytest.fixture(scope="session")
def system(infra: dict[str, str], trace_file: Path) -> Iterator[System]:
    try:
        running = start_system(timeout=240, extra_env={"MUSEO_TRACE_FILE": str(trace_file)})
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
