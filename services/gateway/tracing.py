"""A server span per HTTP request, so one chat turn (and every Kafka hop it makes) is one trace.

An incoming `traceparent` is continued; the response carries the request's own `traceparent`
header, so a client or a support person can find the whole trace from one answer.

The span is named `METHOD route-template` (`DELETE /v1/users/{user_id}`), never the raw path:
paths carry user ids, order ids and session values, and trace files must not hold personal data
that an erasure cannot reach. The template is known only once routing ran, so the span starts as
`METHOD` and is renamed after the app answered; a path no route matched stays `METHOD`.
"""

from __future__ import annotations

from opentelemetry.trace import SpanKind
from starlette.routing import Mount
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
        method = str(scope.get("method", "GET"))
        with span_from_headers(method, headers, kind=SpanKind.SERVER) as span:
            traceparent = inject_headers({}).get("traceparent", "")

            async def traced_send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    span.set_attribute("http.status_code", int(message["status"]))
                    message["headers"] = [
                        *message.get("headers", []),
                        (b"traceparent", traceparent.encode()),
                    ]
                await send(message)

            try:
                await self.app(scope, receive, traced_send)
            finally:
                if template := route_template(scope):
                    span.update_name(f"{method} {template}")
                    span.set_attribute("http.route", template)


def route_template(scope: Scope) -> str | None:
    """The path template of the route that handled the request (prefixed by its mount)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return None
    return f"{scope.get('root_path', '')}{path}" if isinstance(route, Mount) else path
