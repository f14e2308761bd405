"""Service accounts for machine-to-machine access (OAuth 2.0 client credentials).

The secret is generated here, returned once, and stored only as a salted scrypt hash.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, Field

from libs.auth._store import InMemoryRecordStore, JsonFileRecordStore
from libs.auth.hashing import DUMMY_HASH, hash_secret, verify_secret
from libs.auth.scopes import ALL_SCOPES, parse_scopes

_CLIENT_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


class ServiceAccount(BaseModel):
    client_id: str
    secret_hash: str = Field(repr=False)
    scopes: list[str] = Field(default_factory=list)
    disabled: bool = False
    description: str = ""
    created_at: float = Field(default_factory=time.time)


class ServiceAccountStore(Protocol):
    def get(self, key: str) -> ServiceAccount | None: ...
    def put(self, record: ServiceAccount) -> None: ...
    def delete(self, key: str) -> bool: ...
    def list(self) -> list[ServiceAccount]: ...


class InMemoryServiceAccountStore(InMemoryRecordStore[ServiceAccount]):
    def __init__(self) -> None:
        super().__init__(lambda a: a.client_id)


class JsonFileServiceAccountStore(JsonFileRecordStore[ServiceAccount]):
    """Accounts in one JSON file (see AuthSettings.accounts_path)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, ServiceAccount, lambda a: a.client_id)


def create_service_account(
    store: ServiceAccountStore,
    client_id: str,
    scopes: Iterable[str],
    *,
    description: str = "",
    hash_n: int | None = None,
) -> tuple[ServiceAccount, str]:
    """Create (or replace) an account and return it with its plaintext secret, shown only once."""
    if not _CLIENT_ID.match(client_id):
        raise ValueError("client_id must be 3-64 chars of a-z, 0-9, '.', '_', '-'")
    wanted = parse_scopes(scopes)
    unknown = wanted - ALL_SCOPES
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    secret = secrets.token_urlsafe(32)
    hashed = hash_secret(secret) if hash_n is None else hash_secret(secret, n=hash_n)
    account = ServiceAccount(
        client_id=client_id, secret_hash=hashed, scopes=sorted(wanted), description=description
    )
    store.put(account)
    return account, secret


def check_client_credentials(
    store: ServiceAccountStore, client_id: str, client_secret: str
) -> ServiceAccount | None:
    """The enabled account if the secret matches, else None; same cost for unknown ids."""
    account = store.get(client_id)
    ok = verify_secret(client_secret, account.secret_hash if account else DUMMY_HASH)
    if account is None or not ok or account.disabled:
        return None
    return account
