"""Typed errors of request/reply."""

from __future__ import annotations


class RequestError(Exception):
    """Base of what `RpcClient.request` raises."""


class RequestTimeout(RequestError):
    def __init__(self, topic: str, timeout: float) -> None:
        super().__init__(f"no reply from {topic} within {timeout:.1f}s")
        self.topic = topic
        self.timeout = timeout


class BrokerUnavailable(RequestError):
    """The request could not be handed to Kafka within the send timeout (broker down)."""

    def __init__(self, topic: str, timeout: float) -> None:
        super().__init__(f"could not publish to {topic} within {timeout:.1f}s: broker unavailable")
        self.topic = topic
        self.timeout = timeout


class RemoteError(RequestError):
    """The worker answered with an error reply; carries its code and message."""

    def __init__(self, code: str, message: str, service: str = "", retryable: bool = False) -> None:
        super().__init__(f"{service or 'worker'}: {code}: {message}")
        self.code = code
        self.message = message
        self.service = service
        self.retryable = retryable


class HandlerError(Exception):
    """Raise from a worker's handler to answer with a specific error code."""

    def __init__(self, code: str, message: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = retryable
