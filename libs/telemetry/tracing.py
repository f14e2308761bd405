"""OpenTelemetry tracing whose context crosses Kafka in the W3C `traceparent` header.

Spans go to an OTLP endpoint (Jaeger, any OpenTelemetry collector) when the standard
OTEL_EXPORTER_OTLP_ENDPOINT variables name one, and/or to a JSON-lines file (MUSEO_TRACE_FILE),
the zero-dependency default. One chat request is one trace: the gateway injects `traceparent`
into the request headers, the worker extracts it and opens a child span, and its reply carries the worker's span context back.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_propagator = TraceContextTextMapPropagator()
_configured = False


class TracingSettings(BaseSettings):
    """The standard OpenTelemetry variables this module decides on (their own names, no prefix:
    every OTel tool reads them so), and MUSEO_TRACE_FILE."""

    model_config = SettingsConfigDict(extra="ignore")

    otel_sdk_disabled: str = ""
    otel_traces_exporter: str = "otlp"
    otel_exporter_otlp_traces_endpoint: str = ""
    otel_exporter_otlp_endpoint: str = ""
    trace_file: str = Field(default="", validation_alias="MUSEO_TRACE_FILE")


def setup_tracing(
    service: str,
    exporter: SpanExporter | None = None,
    console: bool = False,
    settings: TracingSettings | None = None,
) -> None:
    """Install a tracer provider once per process; spans go to `exporter` if one is given."""
    global _configured
    if _configured:
        return
    settings = settings or TracingSettings()
    from opentelemetry.sdk.resources import Resource

    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    elif console:
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    if otlp_configured(settings):
        # Reads the standard OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT / _HEADERS / _TIMEOUT itself.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(),
                                                       schedule_delay_millis=500))
    if path := settings.trace_file:
        from libs.telemetry.span_file import JsonLinesSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(JsonLinesSpanExporter(path), schedule_delay_millis=200)
        )
    trace.set_tracer_provider(provider)
    _configured = True


def otlp_configured(settings: TracingSettings) -> bool:
    """OTLP export is on when the standard OpenTelemetry variables name an endpoint (and
    OTEL_TRACES_EXPORTER does not turn it off); the JSON-lines file needs nothing running."""
    if settings.otel_sdk_disabled.lower() == "true":
        return False
    exporters = {e.strip() for e in settings.otel_traces_exporter.split(",")}
    endpoint = settings.otel_exporter_otlp_traces_endpoint or settings.otel_exporter_otlp_endpoint
    return bool(endpoint) and "otlp" in exporters


def shutdown_tracing() -> None:
    """Flush pending spans (a batch processor holds them briefly) before the process exits."""
    provider = trace.get_tracer_provider()
    shutdown = getattr(provider, "shutdown", None)
    if shutdown is not None:
        shutdown()


def tracer(name: str = "museo") -> trace.Tracer:
    return trace.get_tracer(name)


def inject_headers(headers: dict[str, str]) -> dict[str, str]:
    """Add `traceparent` (and `tracestate`) for the current span to a header dict."""
    _propagator.inject(headers)
    return headers


def extract_context(headers: Mapping[str, str]) -> Context:
    return _propagator.extract(carrier=dict(headers))


def current_trace_id() -> str | None:
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None


def trace_id_of(traceparent: str | None) -> str | None:
    if not traceparent:
        return None
    parts = traceparent.split("-")
    return parts[1] if len(parts) == 4 and len(parts[1]) == 32 else None


@contextmanager
def span_from_headers(
    name: str, headers: Mapping[str, str], kind: trace.SpanKind = trace.SpanKind.CONSUMER
) -> Iterator[trace.Span]:
    with tracer().start_as_current_span(name, context=extract_context(headers), kind=kind) as span:
        yield span
