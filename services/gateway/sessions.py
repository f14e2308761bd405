"""Signed shopper sessions, issued by the gateway and verified on every request.

- anonymous: `<random id>.<HMAC>` (as before; the principal `anon:<id>`).
- customer: `c1.<base64url(JSON {sub, email, exp})>.<HMAC>`, issued by the sign-in exchange
  after a customer token verified (the principal `customer:<sub>`), valid until `exp`.

The key is MUSEO_SESSION_SECRET, else the dev file `session.secret`, so a client cannot make up
someone else's session and every gateway instance verifies the others' sessions.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time

from libs.contracts.principal import Principal
from libs.dev_secrets import dev_secret

CUSTOMER_PREFIX = "c1."
MAX_SESSION_LEN = 2000


def session_secret() -> bytes:
    return dev_secret("MUSEO_SESSION_SECRET", "session.secret").encode()


def _mac(data: str, key: bytes, size: int = 18) -> str:
    digest = hmac.new(key, data.encode(), hashlib.sha256).digest()[:size]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _legacy_mac(session_id: str, key: bytes) -> str:
    """Anonymous sessions keep their historical form (padded base64 of 18 bytes = no padding)."""
    mac = hmac.new(key, session_id.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(mac).decode()


def new_session(key: bytes) -> str:
    session_id = secrets.token_urlsafe(18)
    return f"{session_id}.{_legacy_mac(session_id, key)}"


def anonymous_principal(session_id: str) -> Principal:
    return Principal(subject=f"anon:{session_id}", kind="anonymous")


def customer_session(principal: Principal, key: bytes, ttl_s: int) -> str:
    """A signed session for a verified customer principal."""
    sub = principal.subject.removeprefix("customer:")
    body = {"sub": sub, "email": principal.email, "exp": int(time.time()) + ttl_s}
    payload = base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode())
    data = CUSTOMER_PREFIX + payload.decode().rstrip("=")
    return f"{data}.{_mac(data, key, 32)}"


def _customer(value: str, key: bytes) -> Principal | None:
    data, _, mac = value.rpartition(".")
    if not hmac.compare_digest(mac, _mac(data, key, 32)):
        return None
    payload = data.removeprefix(CUSTOMER_PREFIX)
    try:
        body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(body, dict) or not isinstance(body.get("exp"), int):
        return None
    if body["exp"] < time.time() or not isinstance(body.get("sub"), str):
        return None
    email = body.get("email")
    return Principal(subject=f"customer:{body['sub']}", kind="customer",
                     email=email if isinstance(email, str) else None)


def verify_session(value: str | None, key: bytes) -> Principal | None:
    """The principal of a session value this gateway signed; None when absent or not genuine."""
    if not value or len(value) > MAX_SESSION_LEN or not value.isascii():
        return None
    if value.startswith(CUSTOMER_PREFIX) and value.count(".") == 2:
        return _customer(value, key)
    if value.count(".") != 1:
        return None
    session_id, signature = value.split(".")
    if not session_id or not hmac.compare_digest(signature, _legacy_mac(session_id, key)):
        return None
    return anonymous_principal(session_id)
