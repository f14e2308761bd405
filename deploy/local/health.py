"""The launcher's own health port: `/metrics` (deaths, restarts, readiness per child) and
`/readyz` (200 only when every service answers its health check, with each one's state).

The gateway's `/readyz` checks Kafka and Redis from the gateway's side; it cannot tell that a
worker behind a topic is down. This endpoint can, because the launcher owns the processes.
The main thread publishes a fresh snapshot; the server thread only reads it.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest


class HealthServer:
    def __init__(self, registry: CollectorRegistry, port: int, host: str = "127.0.0.1") -> None:
        self.registry = registry
        self.snapshot: dict[str, dict[str, Any]] = {}
        self.phase = "starting"  # starting -> up -> stopping
        handler = self._handler()
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, name="launcher-health",
                                       daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        """Close the socket; the serving thread is a daemon and ends with the process (no
        `shutdown()`, which would wait forever for a loop that is no longer running)."""
        self.server.server_close()

    def readiness(self) -> tuple[int, dict[str, Any]]:
        services = dict(self.snapshot)
        ready = self.phase == "up" and bool(services) and all(
            s.get("ready") for s in services.values()
        )
        body = {"status": "ready" if ready else "not_ready", "phase": self.phase,
                "services": services}
        return (200 if ready else 503), body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                if self.path.startswith("/metrics"):
                    self._send(200, generate_latest(outer.registry), CONTENT_TYPE_LATEST)
                elif self.path.startswith("/readyz"):
                    code, body = outer.readiness()
                    self._send(code, json.dumps(body).encode(), "application/json")
                else:
                    self._send(404, b'{"detail": "try /readyz or /metrics"}', "application/json")

            def _send(self, code: int, body: bytes, ctype: str) -> None:
                self.send_response(code)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return  # probes every second would flood the launcher's terminal

        return Handler
