"""BodyLimitMiddleware: 413 before an oversized body is read, declared or streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from services.gateway.limits import BodyLimitMiddleware

LIMIT = 100
UPLOAD_LIMIT = 1000


async def echo_len(request: Request) -> JSONResponse:
    body = await request.body()
    return JSONResponse({"len": len(body)})


class Note(BaseModel):
    text: str


def fastapi_app() -> FastAPI:
    """The gateway's arrangement: FastAPI parses the JSON body, the middleware is added inside."""
    app = FastAPI()
    app.add_middleware(BodyLimitMiddleware, max_bytes=LIMIT, upload_max_bytes=UPLOAD_LIMIT)

    @app.post("/echo")
    async def echo(note: Note) -> dict[str, int]:
        return {"len": len(note.text)}

    return app


def make_client(kind: str = "outside") -> httpx.AsyncClient:
    """`outside`: the middleware wraps a whole Starlette app; `inside`: added with add_middleware."""
    routes = [Route("/echo", echo_len, methods=["POST"]),
              Route("/v1/admin/imports", echo_len, methods=["POST"])]
    app: ASGIApp
    if kind == "outside":
        app = BodyLimitMiddleware(Starlette(routes=routes), max_bytes=LIMIT,
                                  upload_max_bytes=UPLOAD_LIMIT)
    else:
        app = Starlette(routes=routes, middleware=[
            Middleware(BodyLimitMiddleware, max_bytes=LIMIT, upload_max_bytes=UPLOAD_LIMIT)])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def chunks(total: int, size: int = 30) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        n = min(size, total - sent)
        sent += n
        yield b"x" * n


async def test_body_within_limit_passes() -> None:
    async with make_client() as client:
        resp = await client.post("/echo", content=b"x" * LIMIT)
    assert resp.status_code == 200
    assert resp.json() == {"len": LIMIT}


async def test_declared_oversize_is_413_with_error_body() -> None:
    async with make_client() as client:
        resp = await client.post("/echo", content=b"x" * (LIMIT + 1))
    assert resp.status_code == 413
    assert resp.json()["error"]["code"] == "too_large"
    assert str(LIMIT) in resp.json()["error"]["message"]


@pytest.mark.parametrize("kind", ["outside", "inside"])
async def test_streamed_oversize_without_content_length_is_413(kind: str) -> None:
    async with make_client(kind) as client:
        resp = await client.post("/echo", content=chunks(LIMIT * 3))
    assert resp.status_code == 413
    assert resp.json()["error"]["code"] == "too_large"


async def test_streamed_body_within_limit_passes() -> None:
    async with make_client() as client:
        resp = await client.post("/echo", content=chunks(LIMIT - 10))
    assert resp.status_code == 200
    assert resp.json() == {"len": LIMIT - 10}


async def test_upload_prefix_has_its_own_larger_limit() -> None:
    async with make_client() as client:
        ok = await client.post("/v1/admin/imports", content=b"x" * (LIMIT * 5))
        too_big = await client.post("/v1/admin/imports", content=b"x" * (UPLOAD_LIMIT + 1))
    assert ok.status_code == 200
    assert too_big.status_code == 413


async def test_fastapi_json_route_streamed_oversize_is_413_not_400() -> None:
    async def note_chunks() -> AsyncIterator[bytes]:
        yield b'{"text": "'
        async for chunk in chunks(LIMIT * 2):
            yield chunk
        yield b'"}'

    transport = httpx.ASGITransport(app=fastapi_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        small = await client.post("/echo", json={"text": "hi"})
        declared = await client.post("/echo", json={"text": "x" * LIMIT})
        streamed = await client.post("/echo", content=note_chunks(),
                                     headers={"content-type": "application/json"})
    assert small.status_code == 200
    assert small.json() == {"len": 2}
    assert declared.status_code == 413
    assert streamed.status_code == 413
    assert streamed.json()["error"]["code"] == "too_large"
