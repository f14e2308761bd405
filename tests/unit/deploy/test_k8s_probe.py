"""deploy/k8s/probe.py: the workers' exec probe reads the launcher's readiness gauge."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import ModuleType

import pytest

PROBE = Path(__file__).resolve().parents[3] / "deploy" / "k8s" / "probe.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("k8s_probe", PROBE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


probe = load()
BODY = (
    "# TYPE museo_worker_ready gauge\n"
    'museo_worker_ready{service="markets"} 1.0\n'
    'museo_worker_ready{service="recommend"} 0.0\n'
)


def test_ready_when_the_gauge_of_the_service_is_one() -> None:
    assert probe.is_ready(BODY, "markets")


def test_not_ready_when_the_gauge_is_zero_or_missing() -> None:
    assert not probe.is_ready(BODY, "recommend")
    assert not probe.is_ready(BODY, "user_events")


@pytest.fixture
def metrics_port() -> Iterator[int]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.end_headers()
            self.wfile.write(BODY.encode())

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def test_probe_commands_against_a_metrics_endpoint(
    metrics_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUSEO_METRICS_PORT", str(metrics_port))
    assert probe.main(["live"]) == 0
    assert probe.main(["ready", "markets"]) == 0
    assert probe.main(["ready", "recommend"]) == 1
    assert probe.main(["ready"]) == 2


def test_live_fails_when_nothing_listens(unused_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSEO_METRICS_PORT", str(unused_port))
    assert probe.main(["live"]) == 1


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
