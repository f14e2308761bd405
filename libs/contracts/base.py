"""Envelope pieces common to every message kind."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

# The largest amount of money the system takes, in minor units (10 billion in major units): far
# above any real price or order, far below where float conversions and 64-bit stores overflow.
MAX_MINOR_UNITS = 10**12

# Kafka header names used across the system.
H_CORRELATION_ID = "correlation_id"
H_REPLY_TO = "reply_to"
H_TRACEPARENT = "traceparent"
H_STATUS = "museo-status"  # "ok" | "error" on replies
H_CONTENT_TYPE = "content-type"
H_MESSAGE_ID = "message-id"
H_DEADLINE = "x-deadline-ms"  # epoch ms after which the caller no longer waits


class Message(BaseModel):
    """Base of every contract: a schema version so consumers can tell old from new."""

    model_config = ConfigDict(extra="ignore")

    schema_version: int = 1


class ErrorReply(Message):
    """What a worker answers when it cannot handle a request; never a silent timeout."""

    kind: Literal["error"] = "error"
    code: str  # bad_request | not_found | forbidden | unavailable | internal | ...
    message: str
    service: str = ""
    retryable: bool = False


class DeadLetter(Message):
    """Value of a `<topic>.dlq` record: the original bytes plus why they were rejected."""

    original_topic: str
    partition: int
    offset: int
    error: str
    error_type: str
    payload: str  # original value, decoded as UTF-8 with replacement
    failed_at: str
