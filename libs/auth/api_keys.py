"""API keys: `mk_<env>_<key_id>_<secret>`, an alternative to OAuth for simple integrations.

The key id is stored in clear for lookup; the secret part is 256 bits of randomness, so a
SHA-256 digest (compared in constant time) is enough: a slow KDF protects guessable passwords,
while a per-request scrypt would only cost latency here. The plaintext key is returned once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, Field

from libs.auth._store import InMemoryRecordStore, JsonFileRecordStore
from libs.auth.scopes import ALL_SCOPES, parse_scopes

API_KEY_PREFIX = "mk_"
_KEY_RE = re.compile(r"^mk_(live|test)_([a-z0-9]{12})_([A-Za-z0-9_-]{20,128})$")


class ApiKeyRecord(BaseModel):
    key_id: str
    name: str
    env: str = "live"
    key_hash: str = Field(repr=False)
    scopes: list[str] = Field(default_factory=list)
    disabled: bool = False
    created_at: float = Field(default_factory=time.time)
    expires_at: float | None = None


class ApiKeyStore(Protocol):
    def get(self, key: str) -> ApiKeyRecord | None: ...
    def put(self, record: ApiKeyRecord) -> None: ...
    def delete(self, key: str) -> bool: ...
    def list(self) -> list[ApiKeyRecord]: ...


class InMemoryApiKeyStore(InMemoryRecordStore[ApiKeyRecord]):
    def __init__(self) -> None:
        super().__init__(lambda r: r.key_id)


class JsonFileApiKeyStore(JsonFileRecordStore[ApiKeyRecord]):
    def __init__(self, path: Path) -> None:
        super().__init__(path, ApiKeyRecord, lambda r: r.key_id)


def _digest(key_id: str, secret: str) -> str:
    return hashlib.sha256(f"{key_id}:{secret}".encode()).hexdigest()


def parse_api_key(key: str) -> tuple[str, str, str] | None:
    """(env, key_id, secret) of a well-formed key, else None."""
    match = _KEY_RE.match(key.strip())
    return (match.group(1), match.group(2), match.group(3)) if match else None


def create_api_key(
    store: ApiKeyStore,
    name: str,
    scopes: Iterable[str],
    *,
    env: str = "live",
    ttl_seconds: float | None = None,
) -> tuple[ApiKeyRecord, str]:
    """Store a new key's hash and return the record plus the plaintext key (shown only once)."""
    if env not in ("live", "test"):
        raise ValueError("env must be 'live' or 'test'")
    wanted = parse_scopes(scopes)
    if wanted - ALL_SCOPES:
        raise ValueError(f"unknown scopes: {sorted(wanted - ALL_SCOPES)}")
    key_id = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12))
    secret = secrets.token_urlsafe(32)
    record = ApiKeyRecord(
        key_id=key_id,
        name=name,
        env=env,
        key_hash=_digest(key_id, secret),
        scopes=sorted(wanted),
        expires_at=time.time() + ttl_seconds if ttl_seconds else None,
    )
    store.put(record)
    return record, f"{API_KEY_PREFIX}{env}_{key_id}_{secret}"


def verify_api_key(
    store: ApiKeyStore, key: str, *, now: float | None = None
) -> ApiKeyRecord | None:
    """The record for a valid, enabled, unexpired key; None otherwise."""
    parsed = parse_api_key(key)
    if parsed is None:
        return None
    env, key_id, secret = parsed
    record = store.get(key_id)
    expected = record.key_hash if record else _digest("x" * 12, "")
    ok = hmac.compare_digest(_digest(key_id, secret), expected)
    if record is None or not ok or record.disabled or record.env != env:
        return None
    if record.expires_at is not None and (now or time.time()) >= record.expires_at:
        return None
    return record
