"""OTLP export follows the standard OpenTelemetry variables; nothing set means no exporter."""

from __future__ import annotations

import pytest

from libs.telemetry.tracing import TracingSettings, otlp_configured

OTEL_VARS = ("OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT",
             "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


def configured(monkeypatch: pytest.MonkeyPatch, **env: str) -> bool:
    """otlp_configured for exactly these variables in the environment, by their standard names."""
    for name in OTEL_VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return otlp_configured(TracingSettings())


def test_an_endpoint_turns_otlp_on_and_the_standard_switches_turn_it_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert not configured(monkeypatch)
    assert configured(monkeypatch, OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:4318")
    assert configured(monkeypatch, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="http://h:4318/v1/traces")
    on = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}
    assert not configured(monkeypatch, **on, OTEL_TRACES_EXPORTER="none")
    assert not configured(monkeypatch, **on, OTEL_SDK_DISABLED="true")
    assert configured(monkeypatch, **on, OTEL_TRACES_EXPORTER="console,otlp")


def test_the_trace_file_is_museo_trace_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MUSEO_TRACE_FILE", raising=False)
    assert TracingSettings().trace_file == ""
    monkeypatch.setenv("MUSEO_TRACE_FILE", "/tmp/spans.jsonl")
    assert TracingSettings().trace_file == "/tmp/spans.jsonl"
