"""Keep credentials out of logs: `redact()` for strings and a `logging.Filter` for records.

Patterns cover Bearer tokens, bare JWTs, `mk_` API keys (the key id is kept, it is not secret
and helps support), and `client_secret=`/`password:`-style pairs in query strings, forms and JSON.
"""

from __future__ import annotations

import logging
import re
from typing import Any

MASK = "***"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]+=*"), r"\1 " + MASK),
    (re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), MASK),
    (re.compile(r"\b(mk_(?:live|test)_[a-z0-9]+_)[A-Za-z0-9_-]+"), r"\1" + MASK),
    (
        re.compile(
            r"(?i)([\"']?\b(?:client_secret|secret|password|passwd|access_token|refresh_token|"
            r"api_key|x-api-key|token)\b[\"']?\s*[=:]\s*[\"']?)([^\s&\"',}]+)"
        ),
        r"\1" + MASK,
    ),
]
_STD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def redact(text: str) -> str:
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


def _redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactingFilter(logging.Filter):
    """Attach to handlers: masks the formatted message and string `extra=` fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        for name, value in list(vars(record).items()):
            if name not in _STD_ATTRS:
                setattr(record, name, _redact_value(value))
        return True
