"""A dependency that is down or stalled gives a fast 503, never a hang.

Redis: a dedicated `redis-server` for this test, frozen with SIGSTOP (a stalled Redis accepts
connections and never answers). Kafka: the test broker itself, frozen with SIGSTOP for a few
seconds and resumed in `finally` (tests run one at a time, and this is the test session's own
broker). Before the timeouts a request waited out the producer's 10-15 s or hung.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
import redis

from tests.integration.helpers_platform import GatewayServer, free_port

pytestmark = pytest.mark.asyncio(loop_scope="module")
BOUND_S = 2.0  # the promise: 503 within 2 s


def listener_pid(port: int) -> int:
    """The pid of the process listening on 127.0.0.1:`port` (from /proc, no tools needed)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":  # LISTEN
                inodes.add(fields[9])
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(pid)
        except OSError:
            continue
    raise LookupError(f"nobody listens on port {port}")


@contextmanager
def frozen(pid: int) -> Iterator[None]:
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (make infra-install installs it)")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = redis.Redis(port=port, socket_timeout=1)
        for _ in range(100):
            try:
                if client.ping():
                    break
            except redis.RedisError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        os.kill(proc.pid, signal.SIGCONT)
        proc.terminate()
        proc.wait(10)


@pytest_asyncio.fixture(loop_scope="module")
async def gateway(kafka_bootstrap: str, own_redis: str) -> AsyncIterator[GatewayServer]:
    server = GatewayServer(kafka_bootstrap, own_redis, rate_limits_enabled=True)
    await server.start(timeout=90)  # a loaded machine: start-up is not what is measured
    yield server
    await server.stop()


async def timed(client: httpx.AsyncClient, method: str, url: str, **kw: object) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    resp = await client.request(method, url, **kw)  # type: ignore[arg-type]
    return resp, time.perf_counter() - started


async def test_stalled_redis_gives_503_within_2s(gateway: GatewayServer, own_redis: str) -> None:
    port = int(own_redis.rsplit(":", 1)[1].split("/")[0])
    async with httpx.AsyncClient(base_url=gateway.base_url, timeout=30) as client:
        with frozen(listener_pid(port)):
            limited, limited_s = await timed(client, "POST", "/v1/events", json=[])
            audit, audit_s = await timed(client, "GET", "/v1/privacy/requests/r-1")
            ready, _ = await timed(client, "GET", "/readyz")
        after = await client.post("/v1/events", json=[])
    # the rate limiter's Redis check, and a route's own Redis read
    assert limited.status_code == 503, limited.text
    assert limited.headers["retry-after"] == "1"
    assert audit.status_code == 503, audit.text
    assert ready.status_code == 503
    assert limited_s < BOUND_S and audit_s < BOUND_S, (limited_s, audit_s)
    assert after.status_code != 503  # resumed: served again


async def test_stalled_kafka_gives_503_within_2s(gateway: GatewayServer, kafka_bootstrap: str) -> None:
    port = int(kafka_bootstrap.rsplit(":", 1)[1])
    event = {"id": "ev-stall", "name": "page_viewed", "timestamp": "2026-01-01T00:00:00Z",
             "clientId": "c-stall", "context": {"document": {"location": {"pathname": "/"}}}}
    async with httpx.AsyncClient(base_url=gateway.base_url, timeout=30) as client:
        with frozen(listener_pid(port)):
            rpc, rpc_s = await timed(client, "GET", "/v1/markets/resolve", params={"country": "FR"})
            events, events_s = await timed(client, "POST", "/v1/events", json=event)
    assert rpc.status_code == 503, rpc.text
    assert rpc.json()["error"]["code"] == "unavailable"
    assert events.status_code == 503, events.text
    assert rpc_s < BOUND_S and events_s < BOUND_S, (rpc_s, events_s)
