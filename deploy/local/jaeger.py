"""Jaeger v2 for `make run TRACING=1`: built once from the Go module proxy (deploy/local/tools),
run with in-memory storage on loopback ports, fed by every service over OTLP/HTTP.

Ports (all configurable, so a test system can take free ones): MUSEO_JAEGER_UI_PORT (16686: UI
and the query API `/api/traces/<id>`), MUSEO_JAEGER_OTLP_PORT (4318: OTLP/HTTP in),
MUSEO_JAEGER_GRPC_PORT (16685: query gRPC), MUSEO_JAEGER_HEALTH_PORT (13133).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from deploy.local.infra import InfraConfig
from deploy.local.tools import JAEGER, ensure

_CONFIG = """service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    resource:
      service.name: jaeger
    metrics:
      level: none
    logs:
      level: warn

extensions:
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:{ui}
    grpc:
      endpoint: 127.0.0.1:{grpc}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 50000
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:{health}

receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:{otlp}

processors:
  batch:

exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
"""


def _port(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


@dataclass(frozen=True)
class JaegerPorts:
    ui: int = field(default_factory=lambda: _port("MUSEO_JAEGER_UI_PORT", 16686))
    otlp: int = field(default_factory=lambda: _port("MUSEO_JAEGER_OTLP_PORT", 4318))
    grpc: int = field(default_factory=lambda: _port("MUSEO_JAEGER_GRPC_PORT", 16685))
    health: int = field(default_factory=lambda: _port("MUSEO_JAEGER_HEALTH_PORT", 13133))

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.ui}"

    @property
    def otlp_url(self) -> str:
        return f"http://127.0.0.1:{self.otlp}"

    def service_env(self) -> dict[str, str]:
        """The standard OpenTelemetry variables that point every service at this Jaeger."""
        return {"OTEL_EXPORTER_OTLP_ENDPOINT": self.otlp_url,
                "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}


def tracing_enabled() -> bool:
    return os.environ.get("MUSEO_TRACING", "").lower() in ("1", "true", "yes", "on")


def jaeger_command(cfg: InfraConfig, ports: JaegerPorts) -> list[str]:
    binary = ensure(JAEGER, cfg)
    folder: Path = cfg.data_dir / f"jaeger-{ports.ui}"
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.yaml"
    config.write_text(_CONFIG.format(ui=ports.ui, grpc=ports.grpc, health=ports.health,
                                     otlp=ports.otlp))
    return [str(binary), "--config", f"file:{config}"]
