"""Bytes <-> models on the wire: JSON bodies, string headers."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel


def encode(model: BaseModel) -> bytes:
    return model.model_dump_json(exclude_none=False).encode()


def headers_to_dict(raw: Sequence[tuple[str, bytes]] | None) -> dict[str, str]:
    return {k: v.decode("utf-8", "replace") for k, v in (raw or ())}


def dict_to_headers(headers: dict[str, str]) -> list[tuple[str, bytes]]:
    return [(k, v.encode()) for k, v in headers.items() if v is not None]
