"""Seal the verified principal into a Kafka header, and read it back in a worker.

The header value is `<base64url(JSON)>.<base64url(HMAC-SHA256)>` under the internal key
(`MUSEO_INTERNAL_SECRET`, else the dev file `internal.secret`). Only processes holding that key
(the gateway and the services) can make one, so a worker trusts a principal only when the seal
verifies. While a worker handles a request, `current_principal()` returns it, and every request
that handler makes through an `RpcClient` carries the same principal on (chat → storefront).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from contextvars import ContextVar
from functools import lru_cache

from pydantic import ValidationError

from libs.contracts.principal import H_PRINCIPAL, Principal
from libs.dev_secrets import dev_secret

__all__ = ["H_PRINCIPAL", "current_principal", "principal_var", "seal", "unseal"]

principal_var: ContextVar[Principal | None] = ContextVar("museo_principal", default=None)


@lru_cache(maxsize=1)
def internal_key() -> bytes:
    return dev_secret("MUSEO_INTERNAL_SECRET", "internal.secret").encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(payload: str, key: bytes) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def seal(principal: Principal, key: bytes | None = None) -> str:
    payload = _b64(principal.model_dump_json(exclude_none=True).encode())
    return f"{payload}.{_mac(payload, key or internal_key())}"


def unseal(value: str | None, key: bytes | None = None) -> Principal | None:
    """The principal in a header value, or None when absent, malformed or not sealed by us."""
    if not value or not value.isascii() or value.count(".") != 1:
        return None
    payload, mac = value.split(".")
    if not hmac.compare_digest(mac, _mac(payload, key or internal_key())):
        return None
    try:
        return Principal.model_validate_json(_unb64(payload))
    except (ValidationError, ValueError, binascii.Error):
        return None


def current_principal() -> Principal | None:
    """The verified principal of the request being handled, if it carried one."""
    return principal_var.get()
