"""Logs never carry a secret or a raw phone/email, and carry the correlation id."""

from __future__ import annotations

import json
import logging
import sys

from libs.telemetry.logging import JsonFormatter, correlation_id_var, redact


def test_bearer_token_is_masked() -> None:
    out = redact("Authorization: Bearer eyJhbGciOi.abc-def_ghi")
    assert "eyJhbGciOi" not in out
    assert "Bearer ***" in out


def test_api_keys_are_masked() -> None:
    out = redact("key=mk_live_AbC123xyz used")
    assert "AbC123xyz" not in out
    assert "mk_***" in out


def test_named_secrets_are_masked() -> None:
    out = redact('{"client_secret": "s3cr3t", "password=hunter2&x=1"}')
    assert "s3cr3t" not in out
    assert "hunter2" not in out


def test_emails_and_phones_are_masked() -> None:
    out = redact("user jane.doe+shop@example.co.uk called from +33 6 12 34 56 78 and 33612345678")
    assert "jane.doe" not in out
    assert "<email>" in out
    assert "612345678" not in out
    assert "12 34 56" not in out
    assert out.count("<phone>") == 2


def test_plain_text_is_untouched() -> None:
    text = "order 42 shipped to FR in 3 days"
    assert redact(text) == text


def _record(msg: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("museo.test", logging.INFO, __file__, 1, msg, None, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_json_formatter_carries_the_context_correlation_id() -> None:
    token = correlation_id_var.set("cid-123")
    try:
        doc = json.loads(JsonFormatter("svc").format(_record("hello mail me at a@b.io", topic="t1")))
    finally:
        correlation_id_var.reset(token)
    assert doc["correlation_id"] == "cid-123"
    assert doc["service"] == "svc"
    assert doc["level"] == "INFO"
    assert doc["topic"] == "t1"
    assert doc["msg"] == "hello mail me at <email>"
    assert doc["ts"].endswith("Z")


def test_explicit_correlation_id_wins_and_none_is_omitted() -> None:
    token = correlation_id_var.set("from-context")
    try:
        doc = json.loads(JsonFormatter("svc").format(_record("x", correlation_id="explicit")))
    finally:
        correlation_id_var.reset(token)
    assert doc["correlation_id"] == "explicit"
    assert "correlation_id" not in json.loads(JsonFormatter("svc").format(_record("x")))


def test_exception_text_is_redacted() -> None:
    try:
        raise ValueError("token Bearer abc.def leaked")
    except ValueError:
        record = _record("failed")
        record.exc_info = sys.exc_info()
    doc = json.loads(JsonFormatter("svc").format(record))
    assert "abc.def" not in doc["exc"]
    assert "ValueError" in doc["exc"]
