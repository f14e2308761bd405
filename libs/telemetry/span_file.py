"""Spans as JSON lines in a file (MUSEO_TRACE_FILE): every process of a local system appends to
the same file, so one chat turn can be followed across services without a tracing backend.

Attributes that carry the raw request (`url.path`, `url.query`... set by instrumentation such as
FastAPI's own) are left out: paths and queries hold user, order and cart ids, and a trace file
must hold nothing an erasure cannot reach. Span names are route templates (services/gateway)."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

#: Attributes whose values are (parts of) the raw request, hence possibly personal data.
RAW_REQUEST_ATTRIBUTES = frozenset({
    "url.path", "url.query", "url.full", "url.fragment", "http.target", "http.url",
    "client.address", "client.port", "user_agent.original", "enduser.id", "http.client_ip",
    "net.peer.ip", "network.peer.address", "network.peer.port",
})


def span_record(span: ReadableSpan) -> dict[str, object]:
    ctx = span.get_span_context()
    parent = span.parent
    return {
        "trace_id": format(ctx.trace_id, "032x") if ctx else None,
        "span_id": format(ctx.span_id, "016x") if ctx else None,
        "parent_id": format(parent.span_id, "016x") if parent else None,
        "name": span.name,
        "service": span.resource.attributes.get("service.name"),
        "start_ns": span.start_time,
        "end_ns": span.end_time,
        "attributes": {
            k: v
            for k, v in (span.attributes or {}).items()
            if isinstance(v, str | int | float | bool) and k not in RAW_REQUEST_ATTRIBUTES
        },
    }


class JsonLinesSpanExporter(SpanExporter):
    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = "".join(json.dumps(span_record(s)) + "\n" for s in spans)
        with self._lock:
            # one write per batch with O_APPEND: lines from several processes do not interleave
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                os.write(fd, lines.encode())
            finally:
                os.close(fd)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None
