"""OTLP export follows the standard OpenTelemetry variables; nothing set means no exporter."""

from __future__ import annotations

from libs.telemetry.tracing import otlp_configured


def test_an_endpoint_turns_otlp_on_and_the_standard_switches_turn_it_off() -> None:
    assert not otlp_configured({})
    assert otlp_configured({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    assert otlp_configured({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://h:4318/v1/traces"})
    on = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}
    assert not otlp_configured({**on, "OTEL_TRACES_EXPORTER": "none"})
    assert not otlp_configured({**on, "OTEL_SDK_DISABLED": "true"})
    assert otlp_configured({**on, "OTEL_TRACES_EXPORTER": "console,otlp"})
