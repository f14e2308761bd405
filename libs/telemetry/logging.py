"""Structured JSON logs carrying the correlation id of the request being handled."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
from typing import Any

from libs.auth.redact import redact as redact_credentials
from libs.telemetry.tracing import current_trace_id

correlation_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "correlation_id", default=None
)

# Credentials are masked by libs.auth.redact (tokens, JWTs, API keys, secret pairs); on top of
# that no log line carries a raw e-mail address or phone number, nor anything shaped like a key.
_PERSONAL = (
    (re.compile(r"\bmk_[A-Za-z0-9_]+"), "mk_***"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "<email>"),
    (re.compile(r"\+?\d[\d -]{7,}\d"), "<phone>"),
)


def redact(text: str) -> str:
    text = redact_credentials(text)
    for pattern, repl in _PERSONAL:
        text = pattern.sub(repl, text)
    return text


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        cid = getattr(record, "correlation_id", None) or correlation_id_var.get()
        if cid:
            doc["correlation_id"] = cid
        if getattr(record, "trace_id", None) is None and (tid := current_trace_id()):
            doc["trace_id"] = tid
        for key in ("trace_id", "topic", "event", "status", "duration_ms"):
            value = getattr(record, key, None)
            if value is not None:
                doc[key] = value
        if record.exc_info:
            doc["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(doc, ensure_ascii=False)


def setup_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "kafka", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
