"""A server span per HTTP request, so one chat turn (and every Kafka hop it makes) is one trace.

An incoming `traceparent` is continued; the response carries the request's own `traceparent`
header, so a client or a support person can find the whole trace from one answer.
"""

from __future__ import annotations

from opentelemetry.trace import SpanKind
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from libs.telemetry.tracing import inject_headers, span_from_headers


class TracingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        name = f"{scope.get('method', 'GET')} {scope.get('path', '')}"
        with span_from_headers(name, headers, kind=SpanKind.SERVER) as span:
            traceparent = inject_headers({}).get("traceparent", "")

            async def traced_send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    span.set_attribute("http.status_code", int(message["status"]))
                    message["headers"] = [
                        *message.get("headers", []),
                        (b"traceparent", traceparent.encode()),
                    ]
                await send(message)

            await self.app(scope, receive, traced_send)
