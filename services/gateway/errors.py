"""Map request/reply failures to HTTP answers: a clear 4xx/5xx, never a bare 500."""

from __future__ import annotations

from aiokafka.errors import KafkaError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from libs.messaging.errors import RemoteError, RequestTimeout

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


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RemoteError)
    async def _remote(_: Request, exc: RemoteError) -> JSONResponse:
        status = STATUS_BY_CODE.get(exc.code, 502)
        return problem(status, exc.code, exc.message, service=exc.service)

    @app.exception_handler(RequestTimeout)
    async def _timeout(_: Request, exc: RequestTimeout) -> JSONResponse:
        return problem(504, "timeout", str(exc))

    @app.exception_handler(KafkaError)
    async def _kafka(_: Request, exc: KafkaError) -> JSONResponse:
        return problem(503, "unavailable", f"message broker unavailable: {type(exc).__name__}")
