"""Map request/reply failures to HTTP answers: a clear 4xx/5xx, never a bare 500.

A dependency that is down or stalled (Kafka, Redis) is a fast 503 with `Retry-After`: every
Redis call of the gateway has a socket timeout and every Kafka send a send timeout (settings).
"""

from __future__ import annotations

from aiokafka.errors import KafkaError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from libs.messaging.errors import BrokerUnavailable, RemoteError, RequestTimeout

STATUS_BY_CODE = {
    "bad_request": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "too_large": 413,
    "unavailable": 503,
}


def problem(status: int, code: str, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def _unavailable(message: str) -> JSONResponse:
    response = problem(503, "unavailable", message)
    response.headers["Retry-After"] = "1"
    return response


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RemoteError)
    async def _remote(_: Request, exc: RemoteError) -> JSONResponse:
        status = STATUS_BY_CODE.get(exc.code, 502)
        return problem(status, exc.code, exc.message, service=exc.service)

    @app.exception_handler(RequestTimeout)
    async def _timeout(_: Request, exc: RequestTimeout) -> JSONResponse:
        return problem(504, "timeout", str(exc))

    @app.exception_handler(BrokerUnavailable)
    async def _broker_down(_: Request, exc: BrokerUnavailable) -> JSONResponse:
        return _unavailable(str(exc))

    @app.exception_handler(RedisConnectionError)
    @app.exception_handler(RedisTimeoutError)
    async def _redis_down(_: Request, exc: Exception) -> JSONResponse:
        return _unavailable(f"session store unavailable: {type(exc).__name__}")

    @app.exception_handler(TimeoutError)
    async def _dependency_timeout(_: Request, exc: TimeoutError) -> JSONResponse:
        # A bounded call to a dependency (Redis, Kafka) ran out of time: it is down or stalled.
        return _unavailable(f"a dependency did not answer in time: {exc or 'timeout'}")

    @app.exception_handler(KafkaError)
    async def _kafka(_: Request, exc: KafkaError) -> JSONResponse:
        return problem(503, "unavailable", f"message broker unavailable: {type(exc).__name__}")
